// Parse + evaluate time of generated sudoers files of growing size (issue #3
// item 8: goal <= 10 ms for 10,000 rules, linear in size). Prints one line per
// size, the best of several runs in CPU time:
//   build/<preset>/tests/bench/bench_sudoers [RULES...]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "sudoers/sudoers_eval.hpp"
#include "sudoers/sudoers_includes.hpp"
#include "sudoers/sudoers_parser.hpp"

namespace {

using namespace clinic_audit::sudoers;

// A mix of what real files hold: aliases, Defaults, user specs with host
// lists, Runas, tags, negations, globs and arguments; www-data appears in a
// tenth of the rules so that evaluation has work to do.
std::string generate(int rules) {
  std::string out = "Defaults env_reset\nDefaults:www-data !requiretty\n"
                    "Cmnd_Alias APICRYPT = /home/EHR/apicrypt/bin/apicrypt, /home/EHR/apicrypt/bin/apicryptpj\n"
                    "User_Alias WEB = www-data, %www-data\n";
  for (int i = 0; i < rules; ++i) {
    const std::string n = std::to_string(i);
    switch (i % 10) {
      case 0: out += "WEB ALL=(ALL) NOPASSWD: /opt/app" + n + "/bin/tool, !/opt/app" + n + "/bin/tool --unsafe\n"; break;
      case 1: out += "user" + n + " host" + n + ", !gw = (root:adm) /usr/bin/prog" + n + " *\n"; break;
      case 2: out += "%group" + n + " ALL = NOEXEC: /usr/bin/less /var/log/app" + n + ".log, EXEC: /usr/bin/vi\n"; break;
      case 3: out += "Cmnd_Alias C" + n + " = /usr/local/bin/c" + n + ", /usr/local/sbin/*\n"; break;
      case 4: out += "user" + n + " ALL = C" + std::to_string(i - 1) + ", sudoedit /etc/app" + n + ".conf\n"; break;
      case 5: out += "Defaults:user" + n + " timestamp_timeout=" + std::to_string(i % 60) + "\n"; break;
      case 6: out += "user" + n + ",user" + std::to_string(i + 1) + " ALL = (operator) TIMEOUT=5m /bin/systemctl restart svc" + n + "\n"; break;
      case 7: out += "#" + std::to_string(1000 + i) + " ALL = /usr/bin/id \"\"\n"; break;
      case 8: out += "User_Alias U" + n + " = user" + n + ", %staff, !nobody\n"; break;
      default: out += "U" + std::to_string(i - 1) + " ALL = NOPASSWD: /usr/bin/backup" + n + " --daily\n"; break;
    }
  }
  return out;
}

double cpu_ms() { return 1000.0 * static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
  if (sizes.empty()) sizes = {1000, 10000, 100000};
  const UserIdentity web{"www-data", 33, {"www-data"}, {33}};
  const UserIdentity root{"root", 0, {"root"}, {0}};
  const HostIdentity host{"cabinet", "cabinet", std::nullopt, true};
  std::printf("%10s %10s %12s %12s %12s %14s\n", "rules", "bytes", "parse_ms", "evaluate_ms", "total_ms", "ns_per_rule");
  for (int rules : sizes) {
    const std::string text = generate(rules);
    double best_parse = 1e18;
    double best_eval = 1e18;
    std::size_t grants = 0;
    for (int run = 0; run < 5; ++run) {
      const double t0 = cpu_ms();
      ParseResult parsed = parse_sudoers(text, "/etc/sudoers");
      if (parsed.error) {
        std::fprintf(stderr, "generated sudoers does not parse: %s\n", parsed.error->describe().c_str());
        return 1;
      }
      SudoersTree tree;
      tree.files.push_back({"/etc/sudoers", {}, std::move(parsed.parsed)});
      for (const Entry& e : tree.files[0].parsed.entries) tree.order.push_back({0, e});
      const double t1 = cpu_ms();
      const Evaluator evaluator(tree);
      grants = evaluator.commands_for(web, host).size();
      for (const char* bin : {"apicrypt", "apicryptpj", "apiuncrypt", "apiuncryptpj"}) {
        (void)evaluator.lookup(web, host, root, std::string("/home/EHR/apicrypt/bin/") + bin, std::nullopt);
      }
      const double t2 = cpu_ms();
      best_parse = std::min(best_parse, t1 - t0);
      best_eval = std::min(best_eval, t2 - t1);
    }
    const double total = best_parse + best_eval;
    std::printf("%10d %10zu %12.2f %12.2f %12.2f %14.0f   (%zu grants to www-data)\n", rules, text.size(), best_parse,
                best_eval, total, total * 1e6 / rules, grants);
  }
  return 0;
}
