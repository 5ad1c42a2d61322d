#include "conf_loader.hpp"
#include "i18n.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <strings.h>
#include <unistd.h>

#include "common/openssl_ptr.hpp"
#include "common/root_fs.hpp"
#include "conf_cache.hpp"
#include "conf_lexer.hpp"
#include "openssl_error_text.hpp"

namespace clinic_audit::openssl {
namespace {

std::string take_conf_errors();

// NCONF_load_bio from memory: the only way OpenSSL reads a file for us.
// No ERR_clear_error() around it (issue #19 item 5): the first use of the
// thread's error queue makes OpenSSL 3 load every error string of the
// library (crypto/err/err.c ossl_err_get_state_int(), about 0.8 MiB and
// 1 ms), which a configuration that loads never needs. A failure is followed
// at once by take_openssl_errors(), which drains the queue and keeps the
// configuration library's own errors over any a former task on this worker
// thread may have left.
ConfPtr nconf_load(const std::string& text, long* eline) {
  ConfPtr conf(NCONF_new(nullptr));
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!conf || !bio) throw std::bad_alloc();
  *eline = 0;
  if (NCONF_load_bio(conf.get(), bio.get(), eline) <= 0) return nullptr;
  return conf;
}

// The value NCONF stored for `name`, in whatever section was current.
std::optional<std::string> find_value(const ConfData& conf, const std::string& name) {
  std::optional<std::string> found;
  for (const auto& section : conf.sections) {
    for (const auto& [n, value] : section.values) {
      if (n == name) found = value;
    }
  }
  return found;
}

bool ends_with_ci(const std::string& name, std::string_view suffix) {
  return name.size() > suffix.size() &&
         strcasecmp(name.c_str() + name.size() - suffix.size(), std::string(suffix).c_str()) == 0;
}

// Directory entries in readdir order, as OPENSSL_DIR_read returns them: with
// several files setting one value, that order decides which one wins.
std::vector<std::string> conf_files_in(const RootFs& fs, const std::string& dir) {
  std::vector<std::string> names;
  // Listed through RootFs (never by host path), in readdir order. A
  // directory we cannot list is not evaluated (issue #20): FsError.
  for (const auto& entry : fs.list_dir_unsorted(dir)) {
    // get_next_file(): "*.conf" or "*.cnf", case-insensitively.
    if (ends_with_ci(entry.name, ".conf") || ends_with_ci(entry.name, ".cnf")) names.push_back(entry.name);
  }
  return names;
}

struct Source {
  std::string path;
  std::string text;
  LineReader reader;
  Source(std::string p, std::string t, bool top) : path(std::move(p)), text(std::move(t)), reader(text, top) {}
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;
};

// Each expanded include path re-parses the text read so far: bound the work.
constexpr int kMaxExpandedIncludes = 64;

class Flattener {
 public:
  Flattener(const RootFs& fs, const LoadLimits& limits, LoadedConfig& out) : fs_(fs), limits_(limits), out_(out) {}

  void run(std::string top_text) {
    cur_ = open_source(out_.resolved_path, std::move(top_text), true);
    std::string section = "default";
    for (;;) {
      std::optional<LogicalLine> line = cur_->reader.next();
      if (!line) {
        if (!advance()) return;
        continue;
      }
      const Origin origin{cur_->path, line->first_line};
      ClassifiedLine c = classify(line->text, pragmas_);
      switch (c.kind) {
        case LineKind::include:
          if (!include(c, origin)) return;
          continue;
        case LineKind::section: section = is_literal(c.section) ? c.section : std::string(); break;
        case LineKind::assignment:
          out_.assignments.push_back(
              {c.explicit_section ? (is_literal(c.section) ? c.section : std::string()) : section, c.name, origin});
          break;
        default: break;
      }
      emit(line->text, origin);
      if (c.kind == LineKind::error) return;  // NCONF stops here: nothing after it is read
    }
  }

 private:
  std::unique_ptr<Source> open_source(const std::string& path, std::string text, bool top) {
    if (++opened_ > limits_.max_files)
      throw LimitError(tr("more than {0} configuration files included", limits_.max_files), {path, 0});
    out_.files.push_back(path);
    return std::make_unique<Source>(path, std::move(text), top);
  }

  // End of the current file: next file of the directory being included, else
  // back to the including file (the order of def_load_bio, quirks included:
  // a file included from a directory file is followed by the rest of the
  // directory, and only then by the rest of the file that included it).
  bool advance() {
    if (dir_ && advance_into_dir()) return true;
    if (stack_.empty()) return false;
    cur_ = std::move(stack_.back());
    stack_.pop_back();
    return true;
  }

  // A file OpenSSL would open; nullopt where BIO_new_file would fail.
  std::optional<std::string> read_optional(const std::string& path, const Origin& origin) {
    try {
      auto info = fs_.stat(path);
      if (!info || info->type == FileType::directory) return std::nullopt;
      return fs_.read_file(path, limits_.max_file_bytes);
    } catch (const FsError& e) {
      // Over the size cap, not a regular file, no permission: OpenSSL might
      // read it where we cannot, so nothing is judged without it (issue #20).
      throw LimitError(tr("included file cannot be read: {0}", e.what()), origin);
    }
  }

  // The include path as NCONF's str_copy() makes it: a literal path is just
  // trimmed; one with $variables, quotes or escapes is expanded by NCONF
  // itself, on the text read so far plus the path as a value.
  std::optional<std::string> expand(const ClassifiedLine& c, const Origin& origin) {
    std::string trimmed = c.rest;
    while (!trimmed.empty() && std::string_view(" \t\r\n").find(trimmed.back()) != std::string_view::npos) {
      trimmed.pop_back();
    }
    if (is_literal(trimmed) && (!c.explicit_section || is_literal(c.section))) return trimmed;
    if (++probes_ > kMaxExpandedIncludes) {
      throw LimitError(tr("more than {0} include paths with variables", kMaxExpandedIncludes), origin);
    }
    const std::string probe = "__clinic_audit_include_" + std::to_string(probes_) + "__";
    long eline = 0;
    std::string text =
        out_.text + (c.explicit_section ? c.section + "::" : std::string()) + probe + " = " + c.rest + "\n";
    ConfPtr conf = nconf_load(text, &eline);
    std::optional<std::string> value = conf ? find_value(snapshot_conf(conf.get()), probe) : std::nullopt;
    if (!value) {
      const auto index = static_cast<std::size_t>(eline > 0 ? eline - 1 : 0);
      out_.error = LoadError{take_conf_errors(), index < out_.origins.size() ? out_.origins[index] : origin};
    }
    return value;
  }

  bool include(const ClassifiedLine& c, const Origin& origin) {
    std::optional<std::string> value = expand(c, origin);
    if (!value) return false;
    std::string path = *value;
    if (pragmas_.includedir && !path.starts_with('/')) {
      path = *pragmas_.includedir + (pragmas_.includedir->ends_with('/') ? "" : "/") + path;
    }
    if (pragmas_.abspath && !path.starts_with('/')) {
      out_.error = LoadError{tr("relative include path '{0}' while .pragma abspath is on", path), origin};
      return false;
    }
    if (!path.starts_with('/')) path = "/" + path;  // relative to the services' working directory "/"
    std::optional<FileInfo> info;
    try {
      info = fs_.stat(path);
    } catch (const FsError& e) {
      throw LimitError(tr("include cannot be resolved: {0}", e.what()), origin);
    }
    if (!info) {
      out_.notes.push_back({origin, path, _("does not exist; OpenSSL ignores a missing include")});
      return true;
    }
    if (stack_.size() >= limits_.max_depth) {
      throw LimitError(tr("includes nested deeper than {0} (recursive include?)", limits_.max_depth), origin);
    }
    if (info->type == FileType::directory) {
      if (dir_) {
        out_.notes.push_back({origin, path, _("directory include inside a directory include, ignored (config(5))")});
        return true;
      }
      out_.notes.push_back({origin, path, _("directory included")});
      dir_ = path;
      dir_names_ = conf_files_in(fs_, path);
      dir_index_ = 0;
      stack_.push_back(std::move(cur_));
      // get_next_file() found nothing: the including file simply goes on.
      dir_origin_ = origin;
      if (!advance_into_dir()) {
        cur_ = std::move(stack_.back());
        stack_.pop_back();
      }
      return true;
    }
    if (info->type != FileType::regular) {
      throw LimitError(tr("include {0} is a {1}, not a regular file: not read", path, _(to_string(info->type).data())),
                       origin);
    }
    auto text_of = read_optional(path, origin);
    if (!text_of) return true;
    stack_.push_back(std::move(cur_));
    cur_ = open_source(path, std::move(*text_of), false);
    return true;
  }

  bool advance_into_dir() {
    while (dir_index_ < dir_names_.size()) {
      const std::string path = *dir_ + "/" + dir_names_[dir_index_++];
      if (auto text = read_optional(path, dir_origin_)) {
        cur_ = open_source(path, std::move(*text), false);
        return true;
      }
    }
    dir_.reset();
    return false;
  }

  void emit(const std::string& line, const Origin& origin) {
    // Only the very first line of the top-level file may lose a BOM in NCONF.
    if (out_.text.empty() && line.starts_with("\xEF\xBB\xBF")) {
      out_.text += '\n';
      out_.origins.push_back(origin);
    }
    auto bytes = reemit(line);
    if (!bytes) {
      throw LimitError(tr("line {0} of {1} cannot be reproduced for OpenSSL's parser (a carriage return before a line "
                          "continuation)",
                          origin.line, origin.file),
                       origin);
    }
    out_.text += *bytes;
    out_.origins.push_back(origin);
    if (out_.text.size() > limits_.max_total_bytes) {
      throw LimitError(tr("configuration larger than {0} bytes", limits_.max_total_bytes), origin);
    }
  }

  const RootFs& fs_;
  const LoadLimits& limits_;
  LoadedConfig& out_;
  PragmaState pragmas_;
  std::unique_ptr<Source> cur_;
  std::vector<std::unique_ptr<Source>> stack_;
  std::optional<std::string> dir_;
  std::vector<std::string> dir_names_;
  std::size_t dir_index_ = 0;
  Origin dir_origin_;
  std::size_t opened_ = 0;
  int probes_ = 0;
};

}  // namespace

namespace {
// `conf_first`: the configuration library's errors when there are any
// (others may be left over on this thread, see nconf_load), else every error.
std::string take_errors(bool conf_first) {
  std::string message, conf_message;
  const char* data = nullptr;
  int flags = 0;
  while (unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    const std::string reason = i18n::reason_text(code);
    std::string item = !reason.empty() ? reason : ("error " + std::to_string(code));
    if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0' &&
        std::string_view(data).find("line ") != 0) {
      item += " (" + std::string(data) + ")";
    }
    if (message.find(item) == std::string::npos) message += (message.empty() ? "" : "; ") + item;
    if (ERR_GET_LIB(code) == ERR_LIB_CONF && conf_message.find(item) == std::string::npos) {
      conf_message += (conf_message.empty() ? "" : "; ") + item;
    }
  }
  if (conf_first && !conf_message.empty()) return conf_message;
  return message.empty() ? "unknown OpenSSL error" : message;
}

std::string take_conf_errors() { return take_errors(true); }
}  // namespace

std::string take_openssl_errors() { return take_errors(false); }

std::optional<Origin> LoadedConfig::origin_of(std::string_view section, std::string_view name) const {
  for (auto it = assignments.rbegin(); it != assignments.rend(); ++it) {
    if (it->section == section && it->name == name) return it->origin;
  }
  return std::nullopt;
}

LoadedConfig load_config(const RootFs& fs, std::string_view path, const LoadLimits& limits,
                         const std::optional<ProbeCacheSettings>& cache) {
  LoadedConfig out;
  out.path = std::string(path);
  auto info = fs.stat(path);
  if (!info) return out;  // OPENSSL_init_ssl ignores a missing configuration file
  out.exists = true;
  std::string top = fs.read_file(path, limits.max_file_bytes);
  // Evidence names the file a technician edits: /usr/lib/ssl/openssl.cnf is
  // a link to /etc/ssl/openssl.cnf on Debian.
  out.resolved_path = fs.resolve(path);
  Flattener(fs, limits, out).run(std::move(top));
  if (out.error) return out;
  ConfCache remembered(cache, out.text);
  out.conf = remembered.find();
  if (!out.conf) {
    long eline = 0;
    const ConfPtr conf = nconf_load(out.text, &eline);
    if (!conf) {
      const auto index = static_cast<std::size_t>(eline > 0 ? eline - 1 : 0);
      out.error =
          LoadError{take_conf_errors(), index < out.origins.size() ? out.origins[index] : Origin{out.resolved_path, 0}};
    } else {
      out.conf = snapshot_conf(conf.get());
      remembered.store(*out.conf);
    }
  }
  out.conf_cache = remembered.outcome();
  return out;
}

}  // namespace clinic_audit::openssl
