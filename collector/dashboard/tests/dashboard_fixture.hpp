// A collector database seeded through the collector's own Storage::ingest
// (the rows the dashboard reads are the ones ingest writes), a Dashboard on
// it, and a cookie-keeping client that calls Dashboard::handle without a
// socket (STYLE.md §10). Used by the page tests, and by the browser test's
// seeding program.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "collector/tests/temp_dir.hpp"
#include "dashboard.hpp"
#include "storage.hpp"

namespace clinic_audit::dashboard::test {

inline constexpr std::int64_t kNow = 1790000000;  // 2026-09-21, the fixed "now" of the tests
inline constexpr const char* kHostileName = "<script>alert('pwn')</script>\"'&";

// alpha: compliant. beta: fails apicrypt-v1.binary.apicrypt (evidence with a
// file and line) for 3 days. hostile: a hostname, summary and evidence full
// of markup and CSV formula text. gamma: last report 10 days old (stale).
// beta also has a gap in its chain (sequence 2 missing).
void seed_fleet(collector::Storage& storage, std::int64_t now = kNow);

class Client {
 public:
  Client(Dashboard& dashboard, std::int64_t now = kNow) : dashboard_(dashboard), now_(now) {}
  WebResponse get(const std::string& target, std::map<std::string, std::string> headers = {});
  WebResponse post(const std::string& target, const std::string& body, std::map<std::string, std::string> headers = {});
  // Any other method, no body.
  WebResponse request(const std::string& method, const std::string& target);
  // Signs in through the real form (GET for the CSRF cookie, then POST).
  bool login(const std::string& user, const std::string& password);
  // The CSRF field of the session's forms, read from a page.
  std::string csrf_from(const std::string& html) const;
  std::map<std::string, std::string>& cookies() { return cookies_; }
  // The client's address as the dashboard sees it (127.0.0.1).
  void set_peer(std::string peer) { peer_ = std::move(peer); }

 private:
  WebResponse send(WebRequest request);
  Dashboard& dashboard_;
  std::int64_t now_;
  std::map<std::string, std::string> cookies_;
  std::string peer_ = "127.0.0.1";
};

struct DashboardWorld {
  collector::test::TempDir dir;
  std::string url;
  std::unique_ptr<collector::Storage> storage;
  std::unique_ptr<Dashboard> dashboard;

  DashboardWorld();
  ~DashboardWorld();
  DashboardWorld(const DashboardWorld&) = delete;
  DashboardWorld& operator=(const DashboardWorld&) = delete;
};

}  // namespace clinic_audit::dashboard::test
