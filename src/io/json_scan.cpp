// Structural scans of JSON text (io/json_scan.hpp).
#include "io/json_scan.hpp"

#include <cctype>

#include "io/document.hpp"

namespace io {

int json_depth(std::string_view text, int limit) {
  JsonStrings strings;
  int depth = 0;
  int deepest = 0;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (strings.inside(c)) continue;
    if (c == '[' || c == '{') {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

bool split_json_array(std::string_view text, std::vector<std::string>* elements, std::string* err) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  std::size_t i = 0;
  while (i < text.size() && space(text[i])) ++i;
  if (i == text.size() || text[i] != '[') {
    *err = k_not_an_array;
    return false;
  }
  JsonStrings strings;
  int depth = 0;
  std::size_t start = i + 1;
  for (++i; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (strings.inside(c)) continue;
    if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (depth == 0 && (c == ',' || c == ']')) {
      std::string_view element = text.substr(start, i - start);
      while (!element.empty() && space(element.front())) element.remove_prefix(1);
      while (!element.empty() && space(element.back())) element.remove_suffix(1);
      if (element.empty() && (c == ',' || !elements->empty())) {
        *err = "an empty element in the array";
        return false;
      }
      if (!element.empty()) elements->emplace_back(element);
      start = i + 1;
      if (c == ']') break;
    }
  }
  if (i == text.size() || strings.in_string) {
    *err = "the array ends early (truncated?)";
    return false;
  }
  for (++i; i < text.size(); ++i) {
    if (!space(text[i])) {
      *err = "text after the array";
      return false;
    }
  }
  return true;
}

std::optional<std::string_view> json_member(std::string_view text, std::string_view key) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  std::size_t i = 0;
  while (i < text.size() && space(text[i])) ++i;
  if (i == text.size() || text[i] != '{') return std::nullopt;
  JsonStrings strings;
  int depth = 0;
  std::size_t key_start = std::string_view::npos;  // of the current top-level key
  std::size_t value_start = std::string_view::npos;
  bool matched = false;
  for (++i; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool was_in_string = strings.in_string;
    if (strings.inside(c)) {
      if (depth == 0 && value_start == std::string_view::npos) {
        if (!was_in_string) key_start = i + 1;
        if (!strings.in_string) matched = text.substr(key_start, i - key_start) == key;
      }
      continue;
    }
    if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (depth == 0 && c == ':') {
      value_start = i + 1;
    } else if (depth == 0 && (c == ',' || c == '}')) {
      if (matched && value_start != std::string_view::npos) {
        std::string_view value = text.substr(value_start, i - value_start);
        while (!value.empty() && space(value.front())) value.remove_prefix(1);
        while (!value.empty() && space(value.back())) value.remove_suffix(1);
        return value;
      }
      matched = false;
      value_start = std::string_view::npos;
      if (c == '}') break;
    }
  }
  return std::nullopt;
}

void compact_json(std::string* text) {
  if (json_depth(*text, k_max_document_depth) > k_max_document_depth) return;
  const Json value = Json::parse(*text, nullptr, false);
  if (!value.is_discarded()) *text = value.dump();
}

}  // namespace io
