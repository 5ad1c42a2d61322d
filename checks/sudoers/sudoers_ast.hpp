// The typed structure of a sudoers file, as sudoers(5) defines it and as
// sudo's own grammar (plugins/sudoers/gram.y) builds it: aliases, Defaults,
// user specifications and include directives, each with its file and line.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <new>
#include <optional>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clinic_audit::sudoers {

// An optional text in one pointer: Option_Spec values are rarely given but
// every Cmnd_Spec has room for six of them, and a tree may hold 100,000
// Cmnd_Specs (issue #20 item 4: std::optional<std::string> is 40 bytes).
class OptionalText {
 public:
  OptionalText() = default;
  OptionalText(const OptionalText& other)
      : text_(other.text_ ? std::make_unique<std::string>(*other.text_) : nullptr) {}
  OptionalText(OptionalText&&) noexcept = default;
  OptionalText& operator=(const OptionalText& other) {
    if (this != &other) text_ = other.text_ ? std::make_unique<std::string>(*other.text_) : nullptr;
    return *this;
  }
  OptionalText& operator=(OptionalText&&) noexcept = default;
  ~OptionalText() = default;
  OptionalText& operator=(std::string text) {
    text_ = std::make_unique<std::string>(std::move(text));
    return *this;
  }
  OptionalText& operator=(std::optional<std::string> text) {
    text_ = text ? std::make_unique<std::string>(std::move(*text)) : nullptr;
    return *this;
  }
  explicit operator bool() const { return text_ != nullptr; }
  bool has_value() const { return text_ != nullptr; }
  const std::string& operator*() const { return *text_; }
  const std::string* operator->() const { return text_.get(); }
  bool operator==(const OptionalText& other) const {
    return text_ ? other.text_ && *text_ == *other.text_ : !other.text_;
  }
  bool operator==(const std::optional<std::string>& other) const { return text_ ? other && *text_ == *other : !other; }
  bool operator==(const char* other) const { return text_ && *text_ == other; }
  bool operator==(const std::string& other) const { return text_ && *text_ == other; }
  operator std::optional<std::string>() const {  // NOLINT: used where the std::optional was
    return text_ ? std::optional<std::string>(*text_) : std::nullopt;
  }

 private:
  std::unique_ptr<std::string> text_;
};

// A text many entries hold the same (the file an entry was read from),
// kept once and shared: 100,000 one-rule files name 100,000 paths, not
// 300,000 (issue #20 item 4). One allocation holds the count, the size and
// the bytes (a shared std::string took two: 96 bytes of heap for a path of
// 25 characters, 40 here), and the handle is one pointer.
class SharedText {
 public:
  SharedText() = default;
  SharedText(std::string_view text) {  // NOLINT: implicit, as the std::string it replaces
    if (text.empty()) return;
    void* memory = ::operator new(sizeof(Block) + text.size() + 1);
    block_ = new (memory) Block{{1}, static_cast<std::uint32_t>(text.size())};
    char* bytes = reinterpret_cast<char*>(block_ + 1);
    text.copy(bytes, text.size());
    bytes[text.size()] = '\0';
  }
  SharedText(const std::string& text) : SharedText(std::string_view(text)) {}  // NOLINT: implicit
  SharedText(const char* text) : SharedText(std::string_view(text)) {}         // NOLINT: implicit
  SharedText(const SharedText& other) noexcept : block_(other.block_) {
    if (block_ != nullptr) block_->count.fetch_add(1, std::memory_order_relaxed);
  }
  SharedText(SharedText&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
  SharedText& operator=(SharedText other) noexcept {
    std::swap(block_, other.block_);
    return *this;
  }
  ~SharedText() {
    if (block_ != nullptr && block_->count.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      block_->~Block();
      ::operator delete(block_);
    }
  }
  std::string_view view() const {
    return block_ != nullptr ? std::string_view(reinterpret_cast<const char*>(block_ + 1), block_->size)
                             : std::string_view();
  }
  std::string str() const { return std::string(view()); }
  operator std::string() const { return str(); }  // NOLINT: read as the std::string was
  bool empty() const { return block_ == nullptr; }
  std::size_t size() const { return view().size(); }
  const char* c_str() const { return block_ != nullptr ? reinterpret_cast<const char*>(block_ + 1) : ""; }
  friend bool operator==(const SharedText& a, const SharedText& b) { return a.view() == b.view(); }
  friend bool operator==(const SharedText& a, const std::string& b) { return a.view() == b; }
  friend bool operator==(const SharedText& a, const char* b) { return a.view() == b; }
  friend std::string operator+(const SharedText& a, const std::string& b) { return a.str() + b; }
  friend std::string operator+(const SharedText& a, const char* b) { return a.str() + b; }
  friend std::string operator+(const SharedText& a, char b) { return a.str() + b; }
  friend std::string operator+(const std::string& a, const SharedText& b) { return a + b.str(); }
  friend std::string operator+(const char* a, const SharedText& b) { return a + b.str(); }
  friend std::ostream& operator<<(std::ostream& out, const SharedText& t) { return out << t.view(); }

 private:
  struct Block {
    std::atomic<std::uint32_t> count;
    std::uint32_t size;
  };
  Block* block_ = nullptr;
};

// A value that is rarely given, in one pointer (issue #20 item 4: a tree
// may hold 100,000 of the structures that have room for it). Reading an
// absent one gives the empty value.
template <typename T>
class Boxed {
 public:
  Boxed() = default;
  Boxed(T value) : value_(std::make_unique<T>(std::move(value))) {}  // NOLINT: implicit, as the plain field was
  Boxed(const Boxed& other) : value_(other.value_ ? std::make_unique<T>(*other.value_) : nullptr) {}
  Boxed(Boxed&&) noexcept = default;
  Boxed& operator=(const Boxed& other) {
    if (this != &other) value_ = other.value_ ? std::make_unique<T>(*other.value_) : nullptr;
    return *this;
  }
  Boxed& operator=(Boxed&&) noexcept = default;
  ~Boxed() = default;
  const T& operator*() const { return value_ ? *value_ : none(); }
  const T* operator->() const { return &**this; }
  operator const T&() const { return **this; }  // NOLINT: read as the plain field was
  bool given() const { return value_ != nullptr; }

 private:
  static const T& none() {
    static const T kEmpty{};
    return kEmpty;
  }
  std::unique_ptr<T> value_;
};

// One element of a User_List, Host_List, Runas_List or Cmnd_List.
struct Member {
  enum class Kind : unsigned char {
    all,         // ALL
    alias,       // an upper-case name defined by a *_Alias line
    word,        // a user or host name, or a "#uid"
    user_group,  // %group, %#gid, %:nonunix
    netgroup,    // +netgroup
    network,     // an IPv4/IPv6 address or network
    command,     // a path, sudoedit, a ^regex$, or "list"
    myself,      // "()" or "(:group)": run as the invoking user
  };
  Kind kind = Kind::word;
  bool negated = false;
  // As sudo stores it (escapes collapsed; "%g", "+ng" keep their sigil); for
  // a command (sudoers(5) "Cmnd"), the path or regex without its arguments.
  std::string name;
  // Commands only: the path or regex (empty for every other kind), its
  // arguments as written (absent: any arguments; "\"\"": none), and digests.
  const std::string& command() const { return kind == Kind::command ? name : none(); }
  OptionalText args;
  struct Digest {
    std::string algorithm;  // sha224 | sha256 | sha384 | sha512
    std::string value;      // hex or base64, as written
  };
  Boxed<std::vector<Digest>> digests;

 private:
  static const std::string& none() {
    static const std::string kNone;
    return kNone;
  }
};

// The tags of sudoers(5) "Tag_Spec"; unset means "not given" (inherited
// from the previous command of the same list, else sudo's default).
struct Tags {
  enum Value : signed char { unset = -1, off = 0, on = 1, implied = 2 };
  Value nopasswd = unset;
  Value noexec = unset;
  Value intercept = unset;
  Value setenv = unset;
  Value log_input = unset;
  Value log_output = unset;
  Value send_mail = unset;
  Value follow = unset;
};

// A User_List or Host_List, read as a std::vector<Member>. Its storage may
// be shared with other entries that wrote the same list (the loader shares
// the lists it sees repeated: 100,000 rules for "www-data ALL=(root)" keep
// one "www-data" and one "ALL", issue #20 item 4). Read-only once built.
// One pointer: the count of holders, the size and the members are one
// allocation (a shared_ptr and a size took 24 bytes in every UserSpec and
// Privilege).
class MemberList {
 public:
  MemberList() = default;
  MemberList(std::vector<Member> members) {  // NOLINT: implicit, as the plain vector was
    if (members.empty()) return;
    static_assert(alignof(Member) <= alignof(Block) && sizeof(Block) % alignof(Member) == 0);
    void* memory = ::operator new(sizeof(Block) + members.size() * sizeof(Member));
    block_ = new (memory) Block{{1}, static_cast<std::uint32_t>(members.size())};
    Member* out = first();
    for (std::size_t i = 0; i < members.size(); ++i) new (out + i) Member(std::move(members[i]));
  }
  MemberList(const MemberList& other) noexcept : block_(other.block_) {
    if (block_ != nullptr) block_->count.fetch_add(1, std::memory_order_relaxed);
  }
  MemberList(MemberList&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
  MemberList& operator=(MemberList other) noexcept {
    std::swap(block_, other.block_);
    return *this;
  }
  ~MemberList() {
    if (block_ != nullptr && block_->count.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      Member* members = first();
      for (std::uint32_t i = 0; i < block_->size; ++i) members[i].~Member();
      block_->~Block();
      ::operator delete(block_);
    }
  }
  std::span<const Member> get() const { return {first(), size()}; }
  operator std::span<const Member>() const { return get(); }  // NOLINT: read as the plain vector was
  // Whether both name the same storage (the loader's sharing).
  bool same_storage(const MemberList& other) const { return block_ == other.block_; }
  auto begin() const { return get().begin(); }
  auto end() const { return get().end(); }
  auto rbegin() const { return get().rbegin(); }
  auto rend() const { return get().rend(); }
  std::size_t size() const { return block_ != nullptr ? block_->size : 0; }
  bool empty() const { return block_ == nullptr; }
  const Member& operator[](std::size_t i) const { return first()[i]; }
  const Member& at(std::size_t i) const {
    if (i >= size()) throw std::out_of_range("MemberList::at");
    return (*this)[i];
  }
  const Member& front() const { return at(0); }
  const Member& back() const { return at(size() - 1); }

 private:
  struct alignas(alignof(Member)) Block {
    std::atomic<std::uint32_t> count;
    std::uint32_t size;
  };
  Member* first() const { return block_ != nullptr ? reinterpret_cast<Member*>(block_ + 1) : nullptr; }
  Block* block_ = nullptr;
};

// A Runas_List of a Cmnd_Spec: absent (no "(...)", or no users or no group
// part in it) or a non-empty list, shared by the Cmnd_Specs that inherit it
// and by equal lists nearby (ListSharer). Reads as the pointer it replaces.
class RunasList {
 public:
  RunasList() = default;
  explicit RunasList(MemberList list) : list_(std::move(list)) {}
  explicit operator bool() const { return !list_.empty(); }
  const MemberList& operator*() const { return list_; }
  const MemberList* operator->() const { return &list_; }

 private:
  MemberList list_;
};

// Option_Spec of sudoers(5): CWD=, CHROOT=, TIMEOUT=, NOTBEFORE=, NOTAFTER=, ROLE=, TYPE=.
struct CommandOptions {
  bool operator==(const CommandOptions&) const = default;
  OptionalText cwd;
  OptionalText chroot;
  std::optional<long long> timeout_seconds;
  OptionalText notbefore;
  OptionalText notafter;
  OptionalText role;
  OptionalText type;
};

// One Cmnd_Spec after gram.y's propagation: Runas, options and tags carried
// over from the previous Cmnd_Spec of the same list where not given.
// Fields ordered so that no padding is left but at the end (96 bytes,
// 100,000 of them in a tree: issue #20 item 4).
struct CommandSpec {
  // Shared with the Cmnd_Specs that inherit them (not copied).
  RunasList runas_users;
  RunasList runas_groups;
  Boxed<CommandOptions> options;
  Member command;
  Tags tags;
  int line = 0;
  // What this Cmnd_Spec wrote itself rather than inherited (kGiven* bits):
  // cvtsudoers merges adjacent Cmnd_Specs on exactly that distinction.
  std::uint8_t given = 0;
  bool has_runas = false;  // a "(...)" applies (given or inherited)
  static constexpr unsigned kGivenRunas = 1, kGivenCwd = 2, kGivenChroot = 4, kGivenSelinux = 8;
};

struct Privilege {
  MemberList hosts;
  std::vector<CommandSpec> commands;
};

struct UserSpec {
  MemberList users;
  std::vector<Privilege> privileges;
  SharedText file;
  int line = 0;
};

enum class AliasKind { user, runas, host, command };

struct Alias {
  AliasKind kind = AliasKind::user;
  std::string name;
  std::vector<Member> members;
  SharedText file;
  int line = 0;
};

// Defaults, Defaults:user, Defaults@host, Defaults>runas, Defaults!cmnd.
struct DefaultsEntry {
  enum class Binding { global, user, host, runas, command };
  Binding binding = Binding::global;
  std::vector<Member> bound_to;
  struct Setting {
    std::string name;
    char op = '=';  // '=' set, '+' add to list, '-' remove from list, '!' negated flag, 0 plain flag
    std::optional<std::string> value;
  };
  std::vector<Setting> settings;
  SharedText file;
  int line = 0;
};

struct IncludeDirective {
  bool directory = false;  // @includedir / #includedir
  std::string path;        // as written (quotes removed, escapes collapsed)
  SharedText file;
  int line = 0;
};

// One top-level entry, kept in file order: with includes resolved, order is
// what "last match wins" (sudoers(5)) is about.
struct Entry {
  enum class Kind : unsigned char { user_spec, alias, defaults, include };
  Kind kind = Kind::user_spec;
  std::uint32_t index = 0;  // into the matching vector of ParsedFile (of SudoersTree once loaded)
};

// Deques: a 100,000-rule file grows them without copies nor a spare half,
// and the loader moves their elements out one by one (issue #20 item 4).
struct ParsedFile {
  SharedText file;
  std::deque<Entry> entries;
  std::deque<UserSpec> user_specs;
  std::deque<Alias> aliases;
  std::deque<DefaultsEntry> defaults;
  std::vector<IncludeDirective> includes;
};

}  // namespace clinic_audit::sudoers
