#include "french_catalog.hpp"

#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <stdexcept>

#include "fixture_root.hpp"
#include "output_text.hpp"
#include "run_agent.hpp"

namespace clinic_audit::testing {

std::string build_root(const std::string& name) {
  FixtureRoot root(fixture_dir(name));
  root.apply_manifest(source_dir() / "tests/fixtures/roots" / (name + ".manifest"));
  return root.path().string();
}

bool valid_utf8(const std::string& text) {
  // valid_text() replaces every ill-formed sequence (and C0/C1 controls other
  // than TAB/LF/CR): equal means well-formed and free of them.
  return report_output::valid_text(text) == text;
}

// --- the catalog -----------------------------------------------------------

namespace {
std::string unquote(const std::string& line, std::size_t from) {
  std::string out;
  const std::size_t start = line.find('"', from);
  for (std::size_t i = start + 1; i + 1 < line.size(); ++i) {
    if (line[i] == '\\' && i + 2 < line.size()) {
      const char next = line[++i];
      out += next == 'n' ? '\n' : next == 't' ? '\t' : next;
    } else {
      out += line[i];
    }
  }
  return out;
}

}  // namespace

// msgid -> msgstr of po/fr.po (singular forms; the files are written with
// --no-wrap, one line per string). Obsolete (#~) entries are not messages.
std::map<std::string, std::string> french_catalog() {
  std::ifstream in(source_dir() / "po" / "fr.po");
  std::map<std::string, std::string> catalog;
  std::string line, msgid;
  while (std::getline(in, line)) {
    if (line.starts_with("msgid \"")) msgid = unquote(line, 5);
    if (line.starts_with("msgstr \"") || line.starts_with("msgstr[0] \"")) {
      if (!msgid.empty()) catalog[msgid] = unquote(line, 6);
    }
  }
  return catalog;
}

std::vector<std::string> pot_msgids() {
  std::ifstream in(source_dir() / "po" / "clinic-audit.pot");
  std::vector<std::string> ids;
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("msgid \"") || line.starts_with("msgid_plural \"")) {
      auto id = unquote(line, 5);
      if (!id.empty()) ids.push_back(id);
    }
  }
  return ids;
}

namespace {
// The literal pieces of a message between its {N} placeholders.
std::vector<std::string> literal_pieces(const std::string& msgid) {
  std::vector<std::string> pieces;
  std::string current;
  for (std::size_t i = 0; i < msgid.size(); ++i) {
    if (msgid[i] == '{') {
      const auto close = msgid.find('}', i);
      if (close != std::string::npos) {
        pieces.push_back(current);
        current.clear();
        i = close;
        continue;
      }
    }
    current += msgid[i];
  }
  pieces.push_back(current);
  return pieces;
}

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-'; }

// `piece` in `text` as a whole (not inside a longer word).
bool contains_whole(const std::string& text, const std::string& piece) {
  for (auto at = text.find(piece); at != std::string::npos; at = text.find(piece, at + 1)) {
    const bool left_ok = at == 0 || !is_word_char(piece.front()) || !is_word_char(text[at - 1]);
    const std::size_t end = at + piece.size();
    const bool right_ok = end >= text.size() || !is_word_char(piece.back()) || !is_word_char(text[end]);
    if (left_ok && right_ok) return true;
  }
  return false;
}

}  // namespace

// Catalog messages that appear, in English, in `french_output`. A message
// whose French is the same words (OPTIONS, info, Variables...) cannot be
// told apart and is left out; so are pieces too short to be telling (one
// word of fewer than 8 letters).
std::vector<std::string> untranslated_in(const std::string& french_output) {
  const auto catalog = french_catalog();
  std::vector<std::string> found;
  for (const auto& msgid : pot_msgids()) {
    const auto it = catalog.find(msgid);
    if (it != catalog.end() && it->second == msgid) continue;
    for (std::string piece : literal_pieces(msgid)) {
      // Trim punctuation and blanks at the ends: ": ", " (", "'"...
      const auto first = piece.find_first_not_of(" :;,.()'\"\n-");
      if (first == std::string::npos) continue;
      piece = piece.substr(first, piece.find_last_not_of(" :;,.()'\"\n-") - first + 1);
      // A single short word (root, from, high) is also data: paths, users,
      // commands. Several words, or one long word, tell a message.
      if (piece.size() < 4 || (piece.find(' ') == std::string::npos && piece.size() < 8)) continue;
      if (it != catalog.end() && it->second.find(piece) != std::string::npos) continue;  // same words in French
      if (contains_whole(french_output, piece)) {
        found.push_back(msgid + "  [piece: " + piece + "]");
        break;
      }
    }
  }
  return found;
}

TerminalRun run_agent_on_terminal(const std::vector<std::string>& arguments) {
  const std::string binary = agent_binary();
  std::vector<char*> argv{const_cast<char*>(binary.c_str())};
  for (const std::string& a : arguments) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) throw std::runtime_error("forkpty failed");
  if (pid == 0) {
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  TerminalRun run;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(master, buffer, sizeof buffer);
    if (got <= 0) break;  // EIO once the child closed the terminal
    run.output.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(master);
  ::waitpid(pid, &run.wait_status, 0);
  return run;
}

std::string without_colour(const std::string& output) {
  std::string text;
  for (std::size_t i = 0; i < output.size(); ++i) {
    if (output[i] == '\x1b') {
      i = output.find('m', i);
      if (i == std::string::npos) break;
      continue;
    }
    if (output[i] == '\r') continue;
    text += output[i];
  }
  return text;
}

}  // namespace clinic_audit::testing
