#include <cstdio>
#include <optional>

#include "engine/transform.hpp"
#include "util/text.hpp"

// libjsonnet's errors as findings located in the user's file, with a hint where one is known.
namespace core {
namespace {

// A span in the user's file, as libjsonnet prints it after the file name:
// "3:14", "3:14-20" or "(3:14)-(4:2)".
struct Span {
  std::size_t line = 0, column = 0, end_line = 0, end_column = 0;
};

std::optional<Span> parse_span(std::string text, std::string_view source) {
  for (char& c : text) {
    if (c == '(' || c == ')') c = ' ';
  }
  Span s;
  unsigned long a = 0, b = 0, c = 0, d = 0;
  char sep = 0;
  const int n = std::sscanf(text.c_str(), " %lu:%lu %c %lu:%lu", &a, &b, &sep, &c, &d);
  if (n == 5) {
    s = Span{a, b, c, d};
  } else if (std::sscanf(text.c_str(), "%lu:%lu-%lu", &a, &b, &c) == 3) {
    s = Span{a, b, a, c};
  } else if (std::sscanf(text.c_str(), "%lu:%lu", &a, &b) == 2) {
    s = Span{a, b, a, b};
  } else {
    return std::nullopt;
  }
  // libjsonnet sees the std prefix on line 1; the user does not.
  const std::size_t shift = std_prefix().size();
  if (s.line == 1) s.column = s.column > shift ? s.column - shift : 1;
  if (s.end_line == 1) s.end_column = s.end_column > shift ? s.end_column - shift : 1;
  // Nor the suffix after each chomped text block (rewrite_chomped_blocks).
  s.column = user_column(source, s.line, s.column);
  s.end_column = user_column(source, s.end_line, s.end_column);
  return s;
}

std::string span_text(std::string_view source, const Span& span) {
  std::size_t line = 1, start = std::string_view::npos, end = std::string_view::npos;
  for (std::size_t i = 0, col = 1; i <= source.size(); ++i, ++col) {
    if (line == span.line && col == span.column) start = i;
    if (line == span.end_line && col == span.end_column) end = i;
    if (i < source.size() && source[i] == '\n') {
      ++line;
      col = 0;
    }
  }
  if (start == std::string_view::npos || end == std::string_view::npos || end <= start) return "";
  return std::string(source.substr(start, end - start));
}

// For "field does not exist: X" on an expression `obj.X`: read it defensively.
std::string missing_field_hint(const std::string& message, const std::string& expression) {
  static const std::string k_prefix = "field does not exist: ";
  if (!util::starts_with(message, k_prefix)) return "";
  const std::string field = message.substr(k_prefix.size());
  const auto dot = expression.rfind("." + field);
  if (dot == std::string::npos || dot + 1 + field.size() != expression.size()) return "";
  const std::string object = expression.substr(0, dot);
  const bool trait = object.find("traits") != std::string::npos;
  return "'" + field + "' may be missing" +
         (trait ? " (an optional trait left empty at sign-up)" : " (Kratos omits it at times)") +
         ": use std.get(" + object + ", '" + field + "', null), or test '" + field + "' in " +
         object + " first";
}

// libjsonnet 0.18's std.format takes the logarithm of the value for %g, so `'%g' % 0` fails
// with "overflow" where go-jsonnet prints 0: say so rather than blame the template.
std::string format_zero_hint(const std::string& message, const std::string& expression) {
  if (message != "overflow") return "";
  if (expression.find("%g") == std::string::npos && expression.find("%G") == std::string::npos &&
      expression.find("format") == std::string::npos) {
    return "";
  }
  return "if this is '%g' (or '%G') of 0: libjsonnet 0.18, which ory-segment runs, fails there, "
         "while Kratos's go-jsonnet prints 0, so Kratos would run this template (a known "
         "difference, docs/fidelity.md); format a possible 0 another way to be sure";
}

std::string hint_for(const std::string& message, const std::string& expression) {
  std::string hint = missing_field_hint(message, expression);
  return hint.empty() ? format_zero_hint(message, expression) : hint;
}

}  // namespace

// libjsonnet reports "STATIC ERROR: f:3:14-20: msg" or "RUNTIME ERROR: msg\n\tf:3:14-20\t...".
// Turns either into a Finding located at the innermost frame in the user's file.
Finding finding_from_jsonnet(const std::string& raw, const std::string& name,
                             std::string_view source) {
  std::string text = raw;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  const std::string first_line = text.substr(0, text.find('\n'));
  static const std::string k_static = "STATIC ERROR: ";
  static const std::string k_runtime = "RUNTIME ERROR: ";
  const std::string prefix = name + ":";
  const auto located = [&](const std::string& span_str, const std::string& message) {
    const auto span = parse_span(span_str, source);
    if (!span) return Finding{Severity::error, name, message, ""};
    return Finding{Severity::error,
                   name + ":" + std::to_string(span->line) + ":" + std::to_string(span->column),
                   message, hint_for(message, span_text(source, *span))};
  };
  if (util::starts_with(first_line, k_static)) {
    const std::string rest = first_line.substr(k_static.size());
    if (util::starts_with(rest, prefix)) {
      const auto sep = rest.find(": ", prefix.size());
      if (sep != std::string::npos) {
        return located(rest.substr(prefix.size(), sep - prefix.size()), rest.substr(sep + 2));
      }
    }
    return Finding{Severity::error, name, rest, ""};
  }
  const std::string message =
      util::starts_with(first_line, k_runtime) ? first_line.substr(k_runtime.size()) : first_line;
  std::size_t pos = text.find('\n');
  while (pos != std::string::npos) {
    const std::size_t start = pos + 1;
    pos = text.find('\n', start);
    const std::string frame(
        util::trim(text.substr(start, pos == std::string::npos ? std::string::npos : pos - start)));
    if (util::starts_with(frame, prefix)) {
      const std::string loc = frame.substr(prefix.size(), frame.find('\t') - prefix.size());
      return located(loc, message);
    }
  }
  return Finding{Severity::error, name, message, ""};
}

Finding finding_at(const std::string& message, const std::string& name, std::string_view source,
                   std::size_t begin, std::size_t end) {
  return Finding{Severity::error, source_location(name, source, begin), message,
                 hint_for(message, std::string(source.substr(begin, end - begin)))};
}

std::string source_location(const std::string& name, std::string_view source, std::size_t offset) {
  const auto lc = util::line_col_at(source, offset);
  return name + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

}  // namespace core
