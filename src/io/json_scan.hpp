#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace io {

// Structural scans of JSON text that build no values: linear, with no recursion, so text
// from any source (a 70,000-level record) is measured before anything deep is built.

// Whether a byte-by-byte scan of JSON text is inside a string.
struct JsonStrings {
  bool in_string = false;
  bool escaped = false;
  // Feeds the next byte; true when it belongs to a string (its quotes included).
  bool inside(int c) {
    if (!in_string) {
      in_string = c == '"';
      return in_string;
    }
    if (escaped) {
      escaped = false;
    } else if (c == '\\') {
      escaped = true;
    } else if (c == '"') {
      in_string = false;
    }
    return true;
  }
};

// The deepest nesting of arrays and objects in `text` (0 for a scalar), counted only up to
// `limit + 1`: whether the text nests deeper than `limit` is `json_depth(text, limit) > limit`.
int json_depth(std::string_view text, int limit);

// The texts of the elements of the JSON array `text` (white space around it allowed), each
// as written. False with `err` when `text` is not one array; the elements themselves are
// split structurally, not validated (a parser reads each).
constexpr const char* k_not_an_array = "not a JSON array";  // its `err` for a non-array
bool split_json_array(std::string_view text, std::vector<std::string>* elements, std::string* err);

// The text of the member `key` of the JSON object `text` (its top level only; the key as
// written, without escapes), or nullopt when `text` is not an object or has no such member.
std::optional<std::string_view> json_member(std::string_view text, std::string_view key);

// `text` as compact JSON (nlohmann's dump) when it parses and nests no deeper than
// k_max_document_depth; otherwise left as it is, for whoever reads it to refuse.
void compact_json(std::string* text);

}  // namespace io
