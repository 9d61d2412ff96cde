#include "lint/suppressions.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "engine/jsonnet_lexer.hpp"
#include "engine/transform.hpp"
#include "lint/lint_rules.hpp"
#include "util/text.hpp"

namespace core {
namespace {

constexpr std::string_view k_directive = "ory-segment:";
constexpr long k_whole_file = 0;

struct Disable {
  long line;  // k_whole_file, or the line (1-based) it covers
  std::string rule;
};

long line_of(std::string_view source, std::size_t offset) {
  return 1 + static_cast<long>(std::count(source.begin(), source.begin() + offset, '\n'));
}

// The rule ids after "disable=" at `at`, up to a blank or the end of a block comment.
std::vector<std::string> rule_ids(std::string_view gap, std::size_t at) {
  std::size_t end = at;
  while (end < gap.size() && !std::isspace(static_cast<unsigned char>(gap[end])) &&
         gap.compare(end, 2, "*/") != 0) {
    ++end;
  }
  return util::split_trimmed(gap.substr(at, end - at), ',');
}

// The directives in the comments of the gap [from, to) between two tokens.
void scan_gap(std::string_view source, std::size_t from, std::size_t to, bool first_gap,
              std::size_t next_token, const std::string& name, std::vector<Disable>* out,
              std::vector<Finding>* unknown) {
  const std::string_view gap = source.substr(from, to - from);
  for (std::size_t at = gap.find(k_directive); at != std::string_view::npos;
       at = gap.find(k_directive, at + 1)) {
    std::size_t value = at + k_directive.size();
    while (value < gap.size() && gap[value] == ' ') ++value;
    if (gap.compare(value, 8, "disable=") != 0) continue;
    const std::size_t offset = from + at;
    const long line = line_of(source, offset);
    long covers = k_whole_file;
    if (!first_gap) {
      // After code on its line: that line; else the next line with code.
      const bool trailing = from > 0 && line_of(source, from) == line;
      covers = trailing ? line : line_of(source, std::min(next_token, source.size()));
    }
    for (const std::string& id : rule_ids(gap, value + 8)) {
      if (id.empty()) continue;
      if (find_lint_rule(id)) {
        out->push_back({covers, id});
        continue;
      }
      const auto guess = util::closest_match(id, lint_rule_ids());
      unknown->push_back(
          Finding{Severity::warning, source_location(name, source, offset),
                  "'" + id + "' is not a rule of lint: this comment turns nothing off",
                  guess ? "did you mean '" + *guess + "'? (ory-segment lint --help lists the rules)"
                        : "the rules are in ory-segment lint --help and docs/lint.md",
                  "lint-disable"});
    }
  }
}

// The line of a finding located in `name`; 0 for one without a line; -1 for one elsewhere.
long finding_line(const Finding& f, const std::string& name) {
  if (f.location == name) return 0;
  if (f.location.rfind(name + ":", 0) != 0) return -1;
  long line = -1;
  std::sscanf(f.location.c_str() + name.size() + 1, "%ld", &line);
  return line;
}

}  // namespace

std::vector<Finding> apply_inline_disables(std::string_view source, const std::string& name,
                                           std::vector<Finding> findings) {
  if (source.find(k_directive) == std::string_view::npos) return findings;
  const LexedTemplate lexed = lex_jsonnet(source);
  std::vector<Disable> disables;
  std::vector<Finding> unknown;
  std::size_t from = 0;
  for (std::size_t i = 0; i <= lexed.tokens.size(); ++i) {
    const std::size_t to = i < lexed.tokens.size() ? lexed.tokens[i].begin : source.size();
    if (to > from) scan_gap(source, from, to, i == 0, to, name, &disables, &unknown);
    if (i < lexed.tokens.size()) from = lexed.tokens[i].end;
    if (i == lexed.tokens.size()) break;
  }
  std::vector<Finding> kept;
  for (Finding& f : findings) {
    const long line = finding_line(f, name);
    const bool off = line >= 0 && std::any_of(disables.begin(), disables.end(), [&](const auto& d) {
                       return d.rule == f.rule && (d.line == k_whole_file || d.line == line);
                     });
    if (!off) kept.push_back(std::move(f));
  }
  kept.insert(kept.end(), unknown.begin(), unknown.end());
  return kept;
}

}  // namespace core
