// Over 400 lines: sudo's grammar (plugins/sudoers/gram.y), one recursive-
// descent function per rule of it.
#include "sudoers_parser.hpp"

#include <optional>
#include <stdexcept>
#include <unordered_set>

#include "sudoers_lexer.hpp"
#include "sudoers_list_sharing.hpp"

namespace clinic_audit::sudoers {
namespace {

struct ParseFailure : std::runtime_error {
  ParseFailure(int at, int col, const std::string& message) : std::runtime_error(message), line(at), column(col) {}
  ParseFailure(const Token& at, const std::string& message) : ParseFailure(at.line, at.column, message) {}
  int line;
  int column;
};

bool is_tag(Tok t) { return t >= Tok::tag_nopasswd && t <= Tok::tag_nofollow; }
bool is_option(Tok t) { return t >= Tok::timeout && t <= Tok::type; }
bool is_sha(Tok t) { return t >= Tok::sha224 && t <= Tok::sha512; }

class Parser {
 public:
  Parser(std::string_view text, std::string_view file, ListSharer& lists, RegexCompileBudget* regex_budget)
      : lexer_(text, LexOptions{.strict = true, .regex_budget = regex_budget}), lists_(lists) {
    out_.file = file;
  }

  // gram.y "entry: error '\n'": a failed entry is dropped up to its newline.
  ParsedFile run() {
    while (peek().type != Tok::end) {
      try {
        entry();
      } catch (const ParseFailure& failure) {
        record(failure);
        skip_line();
      }
    }
    return std::move(out_);
  }
  std::vector<SyntaxError>& errors() { return errors_; }
  const Lexer& lexer() const { return lexer_; }

 private:
  // The lexer streams tokens into a ring of two (the grammar needs at most
  // two of lookahead), whose strings keep their storage from token to token.
  const Token& peek(std::size_t ahead = 0) {
    if (buffered_ == 0) {
      lexer_.next(ring_[head_]);
      buffered_ = 1;
    }
    if (ahead == 0) return ring_[head_];
    if (buffered_ == 1) {
      lexer_.next(ring_[head_ ^ 1U]);
      buffered_ = 2;
    }
    return ring_[head_ ^ 1U];
  }
  // The next token itself, to move its text out before take().
  Token& ahead_token() {
    peek();
    return ring_[head_];
  }
  Token take() {
    peek();
    Token t = std::move(ring_[head_]);
    drop();
    return t;
  }
  // take() when the token itself is not needed.
  void skip() {
    peek();
    drop();
  }
  void drop() {
    head_ ^= 1U;
    --buffered_;
  }
  [[noreturn]] void fail(const std::string& message = "syntax error") {
    const Token& t = peek();
    if (t.type == Tok::error) throw ParseFailure(t, t.text);
    throw ParseFailure(t, message);
  }
  void record(const ParseFailure& failure) {
    errors_.push_back({out_.file, failure.line, failure.what(), failure.column, {}});
  }
  // Bison discards tokens (scanner errors included, silently) up to the
  // newline that ends the entry.
  void skip_line() {
    while (peek().type != Tok::end) {
      const bool newline = peek().type == Tok::newline;
      skip();
      if (newline) return;
    }
  }
  Token expect(Tok type) {
    if (peek().type != type) fail();
    return take();
  }
  // expect() when the token itself is not needed.
  void want(Tok type) {
    if (peek().type != type) fail();
    skip();
  }

  void entry() {
    const Tok first_type = peek().type;
    const int first_line = peek().line;
    switch (first_type) {
      case Tok::newline: skip(); return;
      case Tok::include:
      case Tok::includedir: {
        skip();
        Token path = expect(Tok::word);
        std::optional<ParseFailure> trailing;
        if (peek().type != Tok::newline) {
          // gram.y "INCLUDE WORD error '\n'": reported, and still read.
          try {
            fail();
          } catch (const ParseFailure& f) {
            trailing = f;
          }
        }
        out_.includes.push_back({first_type == Tok::includedir, std::move(path.text), out_.file, first_line});
        add(Entry::Kind::include, out_.includes.size());
        if (trailing) {
          record(*trailing);
          skip_line();
        } else {
          skip();
        }
        return;
      }
      case Tok::user_alias: alias_line(AliasKind::user); return;
      case Tok::runas_alias: alias_line(AliasKind::runas); return;
      case Tok::host_alias: alias_line(AliasKind::host); return;
      case Tok::cmnd_alias: alias_line(AliasKind::command); return;
      case Tok::defaults:
      case Tok::defaults_user:
      case Tok::defaults_runas:
      case Tok::defaults_host:
      case Tok::defaults_cmnd: defaults_line(); return;
      default: user_spec(); return;
    }
  }

  void add(Entry::Kind kind, std::size_t count) {
    out_.entries.push_back({kind, static_cast<std::uint32_t>(count - 1)});
  }

  void alias_line(AliasKind kind) {
    skip();
    do {
      if (peek().type != Tok::alias) {
        const Tok type = peek().type;
        // gram.y reserved_alias: ALL, CHROOT, CWD, CMND_TIMEOUT, NOTBEFORE, NOTAFTER, ROLE, TYPE.
        static const std::pair<Tok, const char*> kReserved[] = {{Tok::all, "ALL"},
                                                                {Tok::chroot, "CHROOT"},
                                                                {Tok::cwd, "CWD"},
                                                                {Tok::timeout, "CMND_TIMEOUT"},
                                                                {Tok::notbefore, "NOTBEFORE"},
                                                                {Tok::notafter, "NOTAFTER"},
                                                                {Tok::role, "ROLE"},
                                                                {Tok::type, "TYPE"}};
        for (const auto& [tok, word] : kReserved) {
          if (type == tok && peek(1).type == Tok::equals) {
            fail(std::string("syntax error, reserved word ") + word + " used as an alias name");
          }
        }
        fail();
      }
      const Token name = take();
      want(Tok::equals);
      std::vector<Member> members = kind == AliasKind::host      ? host_list()
                                    : kind == AliasKind::command ? command_list()
                                                                 : user_list();
      if (!alias_names_.insert(std::to_string(static_cast<int>(kind)) + name.text).second) {
        // alias_add() fails once the lookahead after the list is read.
        throw ParseFailure(peek(), "Alias \"" + name.text + "\" already defined");
      }
      out_.aliases.push_back({kind, name.text, std::move(members), out_.file, name.line});
      add(Entry::Kind::alias, out_.aliases.size());
    } while (peek().type == Tok::colon && (skip(), true));
    want(Tok::newline);
  }

  void defaults_line() {
    const Token kw = take();
    DefaultsEntry d;
    d.file = out_.file;
    d.line = kw.line;
    switch (kw.type) {
      case Tok::defaults_user:
        d.binding = DefaultsEntry::Binding::user;
        d.bound_to = user_list();
        break;
      case Tok::defaults_runas:
        d.binding = DefaultsEntry::Binding::runas;
        d.bound_to = user_list();
        break;
      case Tok::defaults_host:
        d.binding = DefaultsEntry::Binding::host;
        d.bound_to = host_list();
        break;
      case Tok::defaults_cmnd:
        d.binding = DefaultsEntry::Binding::command;
        d.bound_to = command_list();
        break;
      default: break;
    }
    do {
      DefaultsEntry::Setting s;
      if (peek().type == Tok::bang) {
        skip();
        s.op = '!';
      } else {
        s.op = 0;
      }
      s.name = expect(Tok::defvar).text;
      if (s.op == 0) {
        const Tok t = peek().type;
        if (t == Tok::equals || t == Tok::plus_equals || t == Tok::minus_equals) {
          skip();
          s.op = t == Tok::equals ? '=' : t == Tok::plus_equals ? '+' : '-';
          s.value = expect(Tok::word).text;
        }
      }
      d.settings.push_back(std::move(s));
    } while (peek().type == Tok::comma && (skip(), true));
    want(Tok::newline);
    out_.defaults.push_back(std::move(d));
    add(Entry::Kind::defaults, out_.defaults.size());
  }

  void user_spec() {
    UserSpec spec;
    spec.file = out_.file;
    spec.line = peek().line;
    spec.users = lists_.users(user_list());
    spec.privileges.push_back(privilege());
    while (peek().type == Tok::colon) {
      skip();
      // gram.y "privileges ':' error": the failed privilege alone is dropped
      // when the entry goes on with ':' or ends; otherwise a second error
      // (visudo prints it too) drops the whole entry.
      try {
        spec.privileges.push_back(privilege());
      } catch (const ParseFailure& failure) {
        record(failure);
        const Tok next = peek().type;
        if (next != Tok::colon && next != Tok::newline) fail();
      }
    }
    want(Tok::newline);
    out_.user_specs.push_back(std::move(spec));
    add(Entry::Kind::user_spec, out_.user_specs.size());
  }

  Privilege privilege() {
    Privilege p;
    p.hosts = lists_.hosts(host_list());
    want(Tok::equals);
    p.commands = command_spec_list();
    return p;
  }

  // gram.y opuser/user, ophost/host, opgroup/group.
  Member list_member(bool users, bool hosts) {
    Member m;
    if (peek().type == Tok::bang) {
      skip();
      m.negated = true;
    }
    Token& t = ahead_token();
    switch (t.type) {
      case Tok::alias: m.kind = Member::Kind::alias; break;
      case Tok::all: m.kind = Member::Kind::all; break;
      case Tok::word: m.kind = Member::Kind::word; break;
      case Tok::netgroup:
        if (!users && !hosts) fail();
        m.kind = Member::Kind::netgroup;
        break;
      case Tok::user_group:
        if (!users) fail();
        m.kind = Member::Kind::user_group;
        break;
      case Tok::network:
        if (!hosts) fail();
        m.kind = Member::Kind::network;
        break;
      default: fail();
    }
    m.name = std::move(t.text);
    skip();
    return m;
  }
  std::vector<Member> member_list(bool users, bool hosts) {
    std::vector<Member> list{list_member(users, hosts)};
    while (peek().type == Tok::comma) {
      skip();
      list.push_back(list_member(users, hosts));
    }
    return list;
  }
  std::vector<Member> user_list() { return member_list(true, false); }
  std::vector<Member> host_list() { return member_list(false, true); }
  std::vector<Member> group_list() { return member_list(false, false); }

  std::vector<Member> command_list() {
    std::vector<Member> list{command()};
    while (peek().type == Tok::comma) {
      skip();
      list.push_back(command());
    }
    return list;
  }

  // gram.y digcmnd / opcmnd / cmnd.
  Member command() {
    std::vector<Member::Digest> digests;
    while (is_sha(peek().type)) {
      const Token sha = take();
      want(Tok::colon);
      const Token value = expect(Tok::digest);
      static constexpr const char* names[] = {"sha224", "sha256", "sha384", "sha512"};
      digests.push_back({names[static_cast<int>(sha.type) - static_cast<int>(Tok::sha224)], value.text});
      if (peek().type == Tok::comma && is_sha(peek(1).type)) skip();
      else break;
    }
    Member m;
    if (peek().type == Tok::bang) {
      skip();
      m.negated = true;
    }
    Token& t = ahead_token();
    switch (t.type) {
      case Tok::all: m.kind = Member::Kind::all; break;
      case Tok::alias:
        if (!digests.empty()) fail("digest specified for non-command");
        m.kind = Member::Kind::alias;
        m.name = t.text;
        break;
      case Tok::command:
        m.kind = Member::Kind::command;
        m.name = std::move(t.text);
        m.args = std::move(t.args);
        break;
      case Tok::word:
        if (t.text != "list") fail("expected a fully-qualified path name");
        m.kind = Member::Kind::command;
        m.name = "list";
        break;
      default: fail();
    }
    skip();
    if (!digests.empty()) m.digests = std::move(digests);
    return m;
  }

  std::vector<CommandSpec> command_spec_list() {
    std::vector<CommandSpec> list;
    do {
      CommandSpec cs = command_spec();
      if (!list.empty()) propagate(cs, list.back());
      list.push_back(std::move(cs));
    } while (peek().type == Tok::comma && (skip(), true));
    return list;
  }

  // gram.y cmndspeclist: what a Cmnd_Spec does not give, it inherits from the
  // previous one of the same list (sudoers(5): "the tag is inherited").
  static void propagate(CommandSpec& cs, const CommandSpec& prev) {
    if (prev.options.given()) {
      CommandOptions o = *cs.options;
      const CommandOptions& p = *prev.options;
      if (!o.cwd) o.cwd = p.cwd;
      if (!o.chroot) o.chroot = p.chroot;
      if (!o.role && !o.type) {
        o.role = p.role;
        o.type = p.type;
      }
      if (!o.notbefore) o.notbefore = p.notbefore;
      if (!o.notafter) o.notafter = p.notafter;
      if (!o.timeout_seconds) o.timeout_seconds = p.timeout_seconds;
      cs.options = std::move(o);
    }
    Tags& t = cs.tags;
    const Tags& p = prev.tags;
    auto inherit = [](Tags::Value& v, Tags::Value from) {
      if (v == Tags::unset) v = from;
    };
    inherit(t.nopasswd, p.nopasswd);
    inherit(t.noexec, p.noexec);
    inherit(t.intercept, p.intercept);
    if (t.setenv == Tags::unset && p.setenv != Tags::implied) t.setenv = p.setenv;
    inherit(t.log_input, p.log_input);
    inherit(t.log_output, p.log_output);
    inherit(t.send_mail, p.send_mail);
    inherit(t.follow, p.follow);
    if (!cs.has_runas && prev.has_runas) {
      cs.has_runas = true;
      cs.runas_users = prev.runas_users;
      cs.runas_groups = prev.runas_groups;
    }
  }

  CommandSpec command_spec() {
    CommandSpec cs;
    cs.line = peek().line;
    if (peek().type == Tok::lparen) runas(cs);
    CommandOptions options;
    while (is_option(peek().type)) option(options);
    if (cs.has_runas) cs.given |= CommandSpec::kGivenRunas;
    if (options.cwd) cs.given |= CommandSpec::kGivenCwd;
    if (options.chroot) cs.given |= CommandSpec::kGivenChroot;
    if (options.role || options.type) cs.given |= CommandSpec::kGivenSelinux;
    if (!(options == CommandOptions{})) cs.options = std::move(options);
    while (is_tag(peek().type)) {
      tag(cs.tags, peek().type);
      skip();
    }
    cs.command = command();
    // gram.y: sudo "ALL" implies the SETENV tag.
    if (cs.command.kind == Member::Kind::all && !cs.command.negated && cs.tags.setenv == Tags::unset) {
      cs.tags.setenv = Tags::implied;
    }
    return cs;
  }

  void runas(CommandSpec& cs) {
    skip();
    cs.has_runas = true;
    Member myself;
    myself.kind = Member::Kind::myself;
    if (peek().type == Tok::rparen) {
      cs.runas_users = lists_.runas(std::vector<Member>{myself});
    } else if (peek().type == Tok::colon) {
      skip();
      if (peek().type == Tok::rparen) cs.runas_users = lists_.runas(std::vector<Member>{myself});
      else cs.runas_groups = lists_.runas(group_list());
    } else {
      cs.runas_users = lists_.runas(user_list());
      if (peek().type == Tok::colon) {
        skip();
        cs.runas_groups = lists_.runas(group_list());
      }
    }
    want(Tok::rparen);
  }

  void option(CommandOptions& o) {
    const Token key = take();
    want(Tok::equals);
    const Token value = expect(Tok::word);
    const std::string& v = value.text;
    auto path_like = [&](const char* what) {
      if (v.empty() || (v[0] != '/' && v[0] != '~' && v != "*")) {
        throw ParseFailure(value, std::string("values for \"") + what + "\" must start with a '/', '~', or '*'");
      }
    };
    switch (key.type) {
      case Tok::cwd:
        path_like("CWD");
        o.cwd = v;
        break;
      case Tok::chroot:
        path_like("CHROOT");
        o.chroot = v;
        break;
      case Tok::timeout:
        o.timeout_seconds = parse_timeout(v);
        if (!o.timeout_seconds) throw ParseFailure(value, "invalid timeout value");
        break;
      case Tok::notbefore:
        o.notbefore = parse_gentime(v);
        if (!o.notbefore) throw ParseFailure(value, "invalid notbefore value");
        break;
      case Tok::notafter:
        o.notafter = parse_gentime(v);
        if (!o.notafter) throw ParseFailure(value, "invalid notafter value");
        break;
      case Tok::role: o.role = v; break;
      default: o.type = v; break;
    }
  }

  static void tag(Tags& t, Tok type) {
    switch (type) {
      case Tok::tag_nopasswd: t.nopasswd = Tags::on; break;
      case Tok::tag_passwd: t.nopasswd = Tags::off; break;
      case Tok::tag_noexec: t.noexec = Tags::on; break;
      case Tok::tag_exec: t.noexec = Tags::off; break;
      case Tok::tag_intercept: t.intercept = Tags::on; break;
      case Tok::tag_nointercept: t.intercept = Tags::off; break;
      case Tok::tag_setenv: t.setenv = Tags::on; break;
      case Tok::tag_nosetenv: t.setenv = Tags::off; break;
      case Tok::tag_log_input: t.log_input = Tags::on; break;
      case Tok::tag_nolog_input: t.log_input = Tags::off; break;
      case Tok::tag_log_output: t.log_output = Tags::on; break;
      case Tok::tag_nolog_output: t.log_output = Tags::off; break;
      case Tok::tag_mail: t.send_mail = Tags::on; break;
      case Tok::tag_nomail: t.send_mail = Tags::off; break;
      case Tok::tag_follow: t.follow = Tags::on; break;
      default: t.follow = Tags::off; break;
    }
  }

  Lexer lexer_;
  ListSharer& lists_;
  Token ring_[2];
  unsigned head_ = 0;                            // index of the next token in ring_
  unsigned buffered_ = 0;                        // tokens read ahead (0..2)
  std::unordered_set<std::string> alias_names_;  // kind digit + name
  std::vector<SyntaxError> errors_;
  ParsedFile out_;
};

}  // namespace

std::string SyntaxError::describe() const {
  std::string where = file;
  if (line > 0) where += ":" + std::to_string(line) + (column > 0 ? ":" + std::to_string(column) : std::string());
  return where + ": " + message;
}

ParseResult parse_sudoers(std::string_view text, std::string_view file) {
  ListSharer lists;
  return parse_sudoers(text, file, lists);
}

ParseResult parse_sudoers(std::string_view text, std::string_view file, ListSharer& lists,
                          RegexCompileBudget* regex_budget) {
  Parser parser(text, file, lists, regex_budget);
  ParseResult result;
  result.parsed = parser.run();
  result.errors = std::move(parser.errors());
  if (!result.errors.empty()) result.error = result.errors.front();
  for (const auto& [line, why] : parser.lexer().refused_regexes()) {
    result.refused_regexes.push_back(
        {std::string(file), line, why.substr(why.find(": ") + 2), std::stoi(why.substr(why.find(':') + 1)), {}});
  }
  return result;
}

}  // namespace clinic_audit::sudoers
