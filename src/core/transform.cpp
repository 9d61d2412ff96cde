#include "core/transform.hpp"

#include <cctype>

#include "core/jsonnet_vm.hpp"
#include "util/text.hpp"

namespace core {
namespace {

constexpr const char* k_template_key = "ory-segment:template";
constexpr const char* k_probe_marker = "ory-segment probe: ctx was read";

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Skips a Jsonnet string or comment starting at `i`; returns false when `i` starts neither.
bool skip_literal(std::string_view s, std::size_t* i) {
  const std::size_t n = s.size();
  std::size_t p = *i;
  const char c = s[p];
  if (c == '#' || (c == '/' && p + 1 < n && s[p + 1] == '/')) {
    while (p < n && s[p] != '\n') ++p;
  } else if (c == '/' && p + 1 < n && s[p + 1] == '*') {
    const auto end = s.find("*/", p + 2);
    p = end == std::string_view::npos ? n : end + 2;
  } else if (c == '|' && s.substr(p, 3) == "|||") {
    // Text block: ends at a line whose first non-blank characters are `|||`.
    p = s.find('\n', p);
    while (p != std::string_view::npos && p < n) {
      std::size_t q = p + 1;
      while (q < n && (s[q] == ' ' || s[q] == '\t')) ++q;
      if (s.substr(q, 3) == "|||") {
        p = q + 3;
        break;
      }
      p = s.find('\n', q);
    }
    if (p == std::string_view::npos) p = n;
  } else if (c == '@' && p + 1 < n && (s[p + 1] == '\'' || s[p + 1] == '"')) {
    const char quote = s[p + 1];
    p += 2;
    while (p < n) {
      if (s[p] == quote) {
        if (p + 1 < n && s[p + 1] == quote) {
          p += 2;
          continue;
        }
        ++p;
        break;
      }
      ++p;
    }
  } else if (c == '\'' || c == '"') {
    ++p;
    while (p < n && s[p] != c) p += s[p] == '\\' ? 2 : 1;
    p = p < n ? p + 1 : n;
  } else {
    return false;
  }
  *i = p;
  return true;
}

std::string location(const std::string& name, std::string_view source, std::size_t offset) {
  const auto lc = util::line_col_at(source, offset);
  return name + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

// libjsonnet reports "STATIC ERROR: f:3:14-20: msg" or "RUNTIME ERROR: msg\n\tf:3:14-20\t...".
// Turns either into a Diagnostic located at the first frame in the user's file.
Diagnostic diagnostic_from_jsonnet(const std::string& raw, const std::string& name) {
  std::string text = raw;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  const std::string first_line = text.substr(0, text.find('\n'));
  static const std::string k_static = "STATIC ERROR: ";
  static const std::string k_runtime = "RUNTIME ERROR: ";
  const auto strip_range = [](std::string loc) {
    // "f:3:14-20" or "f:(3:14)-(4:2)" -> "f:3:14"
    const auto dash = loc.rfind('-');
    const auto last_colon = loc.rfind(':');
    if (dash != std::string::npos && last_colon != std::string::npos && dash > last_colon) {
      loc.erase(dash);
    }
    std::string out;
    for (char c : loc) {
      if (c != '(' && c != ')') out += c;
    }
    if (loc.find(":(") != std::string::npos) out = out.substr(0, out.find('-'));
    return out;
  };
  if (util::starts_with(first_line, k_static)) {
    const std::string rest = first_line.substr(k_static.size());
    const std::string prefix = name + ":";
    if (util::starts_with(rest, prefix)) {
      const auto sep = rest.find(": ", prefix.size());
      if (sep != std::string::npos) {
        return Diagnostic{strip_range(rest.substr(0, sep)), rest.substr(sep + 2)};
      }
    }
    return Diagnostic{name, rest};
  }
  std::string message =
      util::starts_with(first_line, k_runtime) ? first_line.substr(k_runtime.size()) : first_line;
  std::size_t pos = text.find('\n');
  while (pos != std::string::npos) {
    const std::size_t start = pos + 1;
    pos = text.find('\n', start);
    std::string frame =
        text.substr(start, pos == std::string::npos ? std::string::npos : pos - start);
    frame = std::string(util::trim(frame));
    if (util::starts_with(frame, name + ":")) {
      return Diagnostic{strip_range(frame.substr(0, frame.find('\t'))), message};
    }
  }
  return Diagnostic{name, message};
}

std::string import_expression() { return std::string("(import \"") + k_template_key + "\")"; }

}  // namespace

std::string to_string(const Diagnostic& d) { return d.location + ": " + d.message; }

std::vector<Diagnostic> find_imports(std::string_view source, const std::string& name) {
  std::vector<Diagnostic> found;
  std::size_t i = 0;
  while (i < source.size()) {
    if (skip_literal(source, &i)) continue;
    if (is_ident_start(source[i]) && (i == 0 || !is_ident_char(source[i - 1]))) {
      std::size_t end = i;
      while (end < source.size() && is_ident_char(source[end])) ++end;
      const std::string_view word = source.substr(i, end - i);
      if (word == "import" || word == "importstr" || word == "importbin") {
        found.push_back(Diagnostic{location(name, source, i),
                                   "'" + std::string(word) +
                                       "' is not allowed: Kratos evaluates templates with "
                                       "imports disabled; inline the code instead"});
      }
      i = end;
      continue;
    }
    ++i;
  }
  return found;
}

TemplateCheck check_template(std::string_view source, const std::string& name) {
  TemplateCheck check;
  if (auto imports = find_imports(source, name); !imports.empty()) {
    check.error = imports.front();
    return check;
  }
  JsonnetVm vm;
  vm.max_stack(500);
  vm.serve(k_template_key, name, std::string(source));
  std::string out, err;
  // Forcing only the top-level value parses and statically checks the whole file
  // without evaluating the body.
  if (!vm.evaluate("<ory-segment>", "std.type(" + import_expression() + ")", &out, &err)) {
    Diagnostic d = diagnostic_from_jsonnet(err, name);
    // `error "cancel"` at top level is a valid template: Kratos skips the hook.
    if (d.message.find("cancel") == std::string::npos) check.error = d;
    return check;
  }
  if (out.find("\"function\"") == std::string::npos) return check;
  const std::string probe =
      "std.type(" + import_expression() + "(ctx=error \"" + k_probe_marker + "\"))";
  if (vm.evaluate("<ory-segment>", probe, &out, &err)) return check;
  if (err.find("has no parameter ctx") != std::string::npos) {
    check.warnings.push_back(
        Diagnostic{name,
                   "the template is a function without a parameter named 'ctx': Kratos passes "
                   "the context as the top-level argument 'ctx', so the call fails; write "
                   "function(ctx) ..."});
  } else if (err.find("not bound in call") != std::string::npos) {
    const auto start = err.find("parameter ");
    const auto end = err.find(" not bound");
    const std::string param =
        start == std::string::npos ? "?" : err.substr(start + 10, end - start - 10);
    check.warnings.push_back(Diagnostic{
        name, "the template function's parameter '" + param +
                  "' has no default: Kratos passes only 'ctx', so the call fails; give it a "
                  "default or remove it"});
  }
  return check;
}

}  // namespace core
