#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace util {

// Offset of the first byte that is not part of well-formed UTF-8, if any.
std::optional<std::size_t> find_invalid_utf8(std::string_view text);

struct LineCol {
  std::size_t line = 1;    // 1-based
  std::size_t column = 1;  // 1-based, in bytes
};
LineCol line_col_at(std::string_view text, std::size_t offset);

std::string_view trim(std::string_view s);
// The number of code points in UTF-8 text (bytes that do not continue a sequence).
std::size_t code_points(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
std::string to_lower(std::string_view s);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// The parts of `s` between `sep`s, each trimmed of blanks (empty ones kept: "a,,b" has 3).
std::vector<std::string> split_trimmed(std::string_view s, char sep);
// `s` with each character that has an entry in `replacements` replaced by its text.
using CharReplacement = std::pair<char, std::string_view>;
std::string replace_chars(std::string_view s, std::initializer_list<CharReplacement> replacements);

// "1,234,567": thousands separated by commas.
std::string format_count(long n);

// "1 request", "2 requests", "1 retry", "3 retries": format_count(n) and the noun, plural
// when n is not 1 (a noun ending in a consonant and y takes -ies).
std::string counted(long n, const std::string& noun);

// `s` safe to print on a terminal: every control character (line breaks and ESC included) as
// \n, \r, \t or \xNN (C1 controls as \u0080-\u009f), so text from an input cannot forge lines or
// send escape sequences. `keep_tabs`: a tab is left as it is (diagnostics indent with it).
std::string escape_controls(std::string_view s, bool keep_tabs = false);

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a likely typo.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

}  // namespace util
