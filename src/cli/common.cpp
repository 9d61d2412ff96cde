#include "cli/common.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "cli/diagnostics.hpp"
#include "cli/exit_status.hpp"
#include "cli/flags.hpp"
#include "engine/transform.hpp"
#include "io/file_io.hpp"
#include "io/http_client.hpp"
#include "kratos/webhook_action.hpp"
#include "lint/lint_rules.hpp"
#include "segment/segment_api.hpp"
#include "util/text.hpp"
#include "util/url.hpp"

namespace cli {

std::string read_text_or_throw(const std::string& path) {
  if (path == "-" && ::isatty(STDIN_FILENO)) {
    throw bad_input("standard input is a terminal; give a FILE or pipe the input in");
  }
  std::string text, err;
  if (!io::read_text_input(path, &text, &err)) throw bad_input(err);
  return text;
}

io::Json read_document_or_throw(const std::string& path, io::DocumentFormat* format,
                                std::string* text) {
  std::string bytes = read_text_or_throw(path);
  io::Json doc;
  std::string err;
  if (!io::parse_document(bytes, io::display_name(path), &doc, format, &err)) {
    throw bad_input(err);
  }
  if (text) *text = std::move(bytes);
  return doc;
}

void refuse_output_onto_inputs(const std::string& option, const std::string& output,
                               const std::vector<NamedInput>& inputs) {
  if (output.empty() || output == "-") return;
  for (const NamedInput& input : inputs) {
    if (input.path.empty() || input.path == "-" || !io::same_file(input.path, output)) continue;
    std::string message = option;
    message.append(" ").append(output).append(" is also an input of this command (");
    message.append(input.option).append("); write it to another file");
    throw bad_input(message);
  }
}

std::vector<std::string> hook_point_names() {
  std::vector<std::string> names;
  for (const auto& point : core::all_hook_points()) names.push_back(point.name());
  return names;
}

io::Json finding_json(const util::Finding& f) {
  return {{"rule", f.rule},
          {"severity", util::severity_name(f.severity)},
          {"location", f.location},
          {"message", f.message},
          {"fix", f.hint}};
}

void note_proxy(const std::string& url) {
  std::string variable;
  const std::string proxy = io::proxy_for(url, &variable);
  std::string why;
  const auto u = util::parse_url(url, &why);
  if (proxy.empty() || !u) return;
  note("requests to " + u->host + " go through the proxy " + proxy + " (" + variable + ")");
}

void write_output_or_throw(const std::string& path, const std::string& content,
                           const io::WriteOptions& opts) {
  // `-o json` names a file; the format is --format. Said when no such file exists yet.
  static const char* const k_format_names[] = {"json",       "yaml",    "text",           "sarif",
                                               "json-patch", "ory-cli", "ory-project-api"};
  for (const char* format : k_format_names) {
    if (path == format && !io::path_exists(path)) {
      warning("writing to a file named '" + path +
              "': -o/--output names a file (an output format is --format)");
    }
  }
  std::string err;
  if (!io::write_output(path, content, opts, &err)) throw bad_input(err);
}

std::string read_checked_template(const std::string& path) {
  std::string source = read_text_or_throw(path);
  const core::TemplateCheck check = core::check_template(source, io::display_name(path));
  if (check.error) throw bad_input(core::to_string(*check.error));
  for (const auto& w : check.warnings) warning(core::to_string(w));
  // Kratos cannot call it: every hook would fail. Nothing is written.
  if (check.call_error) throw Error(ExitStatus::check_failed, core::to_string(*check.call_error));
  return source;
}

void add_write_key_options(CLI::App& cmd, WriteKeyOptions* opts) {
  add_flags(cmd, {{"--write-key-file", "FILE",
                   "file holding the Segment write key (first line, surrounding white space "
                   "trimmed); the safest source",
                   &opts->key_file},
                  {"--write-key", "KEY",
                   "the Segment write key itself (visible in process lists: prefer "
                   "--write-key-file or SEGMENT_WRITE_KEY)",
                   &opts->key}});
}

std::string read_key_file(const std::string& path, const std::string& what) {
  std::string text, err;
  if (!io::read_input(path, &text, &err, std::size_t{64} << 10)) throw bad_input(err);
  std::string key(util::trim(text));
  if (key.empty()) throw bad_input(path + ": the " + what + " file is empty");
  if (util::find_invalid_utf8(key) || std::any_of(key.begin(), key.end(), [](char c) {
        return c != '\n' && c != '\r' && static_cast<unsigned char>(c) < 0x20;
      })) {
    throw bad_input(path + ": the " + what + " file is not plain text (a key is printable)");
  }
  if (key.find('\n') != std::string::npos) {
    throw bad_input(path + ": the " + what + " file has more than one line");
  }
  return key;
}

bool write_key_given(const WriteKeyOptions& opts) {
  const char* env = std::getenv("SEGMENT_WRITE_KEY");
  return !opts.key_file.empty() || !opts.key.empty() || (env && *env);
}

std::string placeholder_key_reason(const std::string& key) {
  const std::string lower = util::to_lower(key);
  const char* const marks[] = {"$", "<", ">", "{", "}", "...", "\xe2\x80\xa6", " "};
  for (const char* mark : marks) {
    if (key.find(mark) != std::string::npos) {
      return std::string("it holds '") + mark + "', as the docs' placeholders do";
    }
  }
  const char* const words[] = {"write_key",         "write-key", "writekey", "segment_write_key",
                               "segment-write-key", "changeme",  "xxx",      "xxxx",
                               "xxxxxxxx"};
  for (const char* word : words) {
    if (lower == word) return std::string("'") + word + "' is what the docs write for one";
  }
  if (util::starts_with(lower, "your"))
    return "it starts with 'your', as the docs' placeholders do";
  return "";
}

void refuse_placeholder_key(const std::string& key, const std::string& where) {
  const std::string why = placeholder_key_reason(key);
  if (why.empty()) return;
  throw bad_input(where + " is a placeholder, not a write key (" + why +
                  "): give the source's write key (Segment: Connections > Sources > the "
                  "source > Settings > API Keys)");
}

std::string resolve_write_key(const WriteKeyOptions& opts) {
  if (!opts.key_file.empty()) {
    if (!opts.key.empty()) {
      throw bad_input("--write-key-file and --write-key both given; use one");
    }
    std::string key = read_key_file(opts.key_file, "write key");
    refuse_placeholder_key(key, "the write key in " + opts.key_file);
    return key;
  }
  if (const char* env = std::getenv("SEGMENT_WRITE_KEY"); env && *env) {
    if (!opts.key.empty()) {
      warning("--write-key ignored: SEGMENT_WRITE_KEY is set and takes precedence");
    }
    std::string key(util::trim(env));
    if (key.empty()) throw bad_input("SEGMENT_WRITE_KEY holds only white space");
    refuse_placeholder_key(key, "SEGMENT_WRITE_KEY");
    return key;
  }
  if (!opts.key.empty()) {
    refuse_placeholder_key(opts.key, "--write-key");
    warning(
        "--write-key shows the key in process lists and shell history; prefer "
        "--write-key-file FILE or SEGMENT_WRITE_KEY");
    return opts.key;
  }
  throw bad_input(
      "no Segment write key: give --write-key-file FILE, set SEGMENT_WRITE_KEY, or pass "
      "--write-key KEY");
}

}  // namespace cli

namespace cli {

void add_segment_target_options(CLI::App& cmd, SegmentTargetOptions* opts) {
  add_flags(cmd,
            {{"--call", "CALL",
              "Segment call: identify, track, page, screen, group or alias (default: what "
              "--url's path names, else what the template sends: an event makes it track; "
              "else identify)",
              &opts->call, core::segment_call_names()},
             {"--region", "REGION",
              "us (api.segment.io) or eu (events.eu1.segmentapis.com); data sent to the "
              "wrong region is dropped without an error (default us)",
              &opts->region, core::segment_region_names()},
             {"--url", "URL",
              "an API base (https://api.segment.io, a proxy's prefix kept) or one of its /v1/... "
              "endpoints, instead of --region's",
              &opts->url}});
}

void require_one_of(const std::string& flag, const std::string& value,
                    const std::vector<std::string>& allowed) {
  for (const auto& a : allowed) {
    if (a == value) return;
  }
  std::string message = flag + ": unknown value '" + value + "'";
  if (const auto guess = util::closest_match(value, allowed)) {
    message += "; did you mean '" + *guess + "'?";
  }
  message += " (valid: " + util::join(allowed, ", ") + ")";
  throw bad_input(message);
}

std::vector<std::pair<std::string, std::string>> header_specs_or_throw(
    const std::vector<std::string>& specs) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& spec : specs) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw bad_input("--header '" + spec + "': expected NAME=VALUE");
    }
    std::string name = spec.substr(0, eq);
    if (!core::is_valid_header_name(name)) {
      throw bad_input("--header '" + name + "': not a valid header name (RFC 7230 token)");
    }
    out.emplace_back(std::move(name), spec.substr(eq + 1));
  }
  return out;
}

const core::KratosProfile& kratos_profile_or_throw(const std::string& name) {
  if (name.empty()) return core::default_kratos_profile();
  require_one_of("--kratos", name, core::kratos_profile_names());
  return *core::find_kratos_profile(name);
}

void require_hook_point_in(const core::HookPoint& point, const core::KratosProfile& kratos,
                           const std::string& flag) {
  if (!core::ory_network_only(point)) return;
  if (!kratos.saml) {
    throw bad_input(flag + ": Kratos " + kratos.kratos + " (" + kratos.runs_as +
                    ") has no saml method; it is Ory Network's (--kratos network)");
  }
  note(core::k_ory_network_only_note);
}

namespace {

// --url split at its /v1/: the API base before it, and what follows ("" for a base).
std::pair<std::string, std::string> split_api_url(const std::string& url) {
  std::string why;
  const auto u = util::parse_url(url, &why);
  if (!u) throw bad_input("--url '" + url + "' " + why);
  std::string path = url.substr(0, url.find_first_of("?#"));
  const auto authority = path.find("://");
  const auto path_start = path.find('/', authority == std::string::npos ? 0 : authority + 3);
  if (path_start == std::string::npos) return {path, ""};
  const auto v1 = path.find("/v1/", path_start);
  if (v1 != std::string::npos) return {path.substr(0, v1), path.substr(v1 + 4)};
  if (util::ends_with(path, "/v1")) path.resize(path.size() - 3);
  while (util::ends_with(path, "/")) path.pop_back();
  return {path, ""};
}

}  // namespace

std::string segment_api_base(const std::string& url) { return split_api_url(url).first; }

SegmentTarget resolve_segment_target(const SegmentTargetOptions& opts) {
  if (!opts.call.empty()) require_one_of("--call", opts.call, core::segment_call_names());
  require_one_of("--region", opts.region, core::segment_region_names());
  SegmentTarget t;
  std::optional<core::SegmentCall> url_call;
  if (opts.url.empty()) {
    const std::string any =
        core::segment_url(*core::parse_segment_region(opts.region), core::SegmentCall::identify);
    t.base = any.substr(0, any.rfind("/v1/"));
  } else {
    auto [base, endpoint] = split_api_url(opts.url);
    t.base = base;
    url_call = core::parse_segment_call(endpoint);
    if (!url_call && !endpoint.empty() && endpoint != "batch" && endpoint != "import") {
      throw bad_input("--url " + opts.url + ": /v1/" + endpoint +
                      " is not an endpoint of Segment's API (a base such as "
                      "https://api.segment.io, or /v1/identify, /v1/track, ... /v1/batch)");
    }
  }
  const auto given = core::parse_segment_call(opts.call);
  if (given && url_call && *given != *url_call) {
    throw bad_input("--call " + opts.call + ", but --url " + opts.url + " is the " +
                    core::to_string(*url_call) + " endpoint: give one of them, or both the same");
  }
  if (given) {
    t.call = *given;
    t.call_source = "--call " + opts.call;
  } else if (url_call) {
    t.call = *url_call;
    t.call_source = "--url's /v1/" + core::to_string(*url_call);
  }
  t.url = url_call ? opts.url : t.base + "/v1/" + core::to_string(t.call);
  return t;
}

void settle_call(SegmentTarget* t, const core::Json& output, const std::string& subject) {
  const auto named = core::call_from_message(output);
  if (!named || *named == t->call) return;
  const std::string field = core::call_field(output);
  const std::string call = core::to_string(*named);
  if (t->call_source.empty() && !t->base.empty()) {
    t->call = *named;
    t->url = t->base + "/v1/" + call;
    note(subject + " sends '" + field + "': a " + call + " call, to " + t->url + " (--call " +
         call + " says so)");
    return;
  }
  if (t->call_source.empty()) {  // a URL that names no call: not Segment's
    t->call = *named;
    return;
  }
  throw bad_input(subject + " sends '" + field + "', a " + call + " call, but " + t->call_source +
                  " makes it " + core::to_string(t->call) +
                  ": Segment would drop or misfile it; make them agree");
}

core::HeaderAllowlist header_allowlist_or_throw(const std::string& list) {
  if (list.empty()) return std::nullopt;
  std::vector<std::string> out = util::split_trimmed(list, ',');
  for (const std::string& name : out) {
    if (name.empty() || !core::is_valid_header_name(name)) {
      throw bad_input("--header-allowlist: '" + name + "' is not a header name");
    }
  }
  return out;
}

}  // namespace cli

// cli/diagnostics.hpp: what every verb says on stderr.
namespace cli {
namespace {

bool g_quiet = false;
std::string g_color = "auto";

bool coloured(int fd) {
  if (g_color != "auto") return g_color == "always";
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  if ((no_color && *no_color) || (term && std::string(term) == "dumb")) return false;
  return isatty(fd) == 1;
}

std::string paint(util::Severity s, const std::string& text, int fd) {
  if (!coloured(fd)) return text;
  const char* code = s == util::Severity::error     ? "\x1b[1;31m"
                     : s == util::Severity::warning ? "\x1b[1;33m"
                                                    : "\x1b[1;36m";
  return code + text + "\x1b[0m";
}

void emit(util::Severity severity, const std::string& message) {
  // A URL a user gave may carry a password (user:password@host): never shown. Text from an
  // input cannot send escape sequences or forge a line: controls are escaped, and a line
  // after the first starts with white space.
  const std::string shown = util::redact_url_passwords(message);
  std::string text =
      "ory-segment: " + paint(severity, util::severity_name(severity), STDERR_FILENO) + ": ";
  for (std::size_t start = 0; start <= shown.size();) {
    std::size_t end = shown.find('\n', start);
    if (end == std::string::npos) end = shown.size();
    const std::string_view line = std::string_view(shown).substr(start, end - start);
    if (start > 0 && (line.empty() || (line[0] != ' ' && line[0] != '\t'))) text += "  ";
    text += util::escape_controls(line, /*keep_tabs=*/true) + '\n';
    start = end + 1;
  }
  std::cerr << text;
}

}  // namespace

void error(const std::string& message) { emit(util::Severity::error, message); }
void warning(const std::string& message) { emit(util::Severity::warning, message); }
void note(const std::string& message) {
  if (!g_quiet) emit(util::Severity::note, message);
}

void report_findings(const std::vector<util::Finding>& findings) {
  for (const auto& f : findings) {
    if (f.severity == util::Severity::note && g_quiet) continue;
    std::string text = util::to_string(f);
    if (!f.rule.empty()) text += " [" + f.rule + "]";
    if (!f.hint.empty()) text += "\n  fix: " + f.hint;
    emit(f.severity, text);
  }
}

void report_rule_findings(const std::vector<util::Finding>& findings, const std::string& what,
                          const std::string& lint_command) {
  std::vector<util::Finding> errors;
  std::vector<std::string> rules;
  long warnings = 0;
  for (const auto& f : findings) {
    if (f.severity == util::Severity::error) errors.push_back(f);
    if (f.severity != util::Severity::warning) continue;
    ++warnings;
    if (std::find(rules.begin(), rules.end(), f.rule) == rules.end()) rules.push_back(f.rule);
  }
  if (!errors.empty()) {
    report_findings(errors);
    throw Error(ExitStatus::check_failed,
                "lint's rules find " + util::counted(static_cast<long>(errors.size()), "error") +
                    " in " + what +
                    " (above): the hook would fail or Segment drop what it sends, so nothing is "
                    "written");
  }
  // Where the hook is and how it is configured, in full; what its template does, counted.
  std::vector<util::Finding> placement;
  for (const auto& f : findings) {
    if (f.severity == util::Severity::warning && !core::is_template_rule(f.rule)) {
      placement.push_back(f);
    }
  }
  report_findings(placement);
  warnings -= static_cast<long>(placement.size());
  rules.erase(std::remove_if(rules.begin(), rules.end(),
                             [](const std::string& r) { return !core::is_template_rule(r); }),
              rules.end());
  if (warnings == 0) return;
  warning("lint finds " + util::counted(warnings, "warning") + " (" + util::join(rules, ", ") +
          ") in " + what + "'s template: " + lint_command + " shows them");
}

void set_quiet(bool quiet) { g_quiet = quiet; }
bool quiet() { return g_quiet; }

bool set_color(const std::string& mode) {
  if (mode != "auto" && mode != "always" && mode != "never") return false;
  g_color = mode;
  return true;
}

std::string paint_severity(util::Severity s, const std::string& text) {
  return paint(s, text, STDOUT_FILENO);
}

}  // namespace cli
