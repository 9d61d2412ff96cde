#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace io {

using Json = nlohmann::ordered_json;

enum class DocumentFormat { json, yaml };

// Limits that keep hostile input (YAML alias bombs, deep nesting) cheap to refuse.
constexpr std::size_t k_max_document_nodes = 1'000'000;
constexpr int k_max_document_depth = 256;

// Parses JSON (when the text starts with '{' or '[') or YAML into JSON values, the
// way Go's YAML loaders see them (YAML 1.2 core schema for plain scalars). Errors
// read "NAME:LINE:COL: ...". Key order is kept.
bool parse_document(std::string_view text, const std::string& name, Json* out,
                    DocumentFormat* format, std::string* err);

// JSON only, with parse_document's limits and errors, which never quote the text; with an
// empty `name` they start "line L, column C: invalid JSON: ...".
bool parse_json_text(std::string_view text, const std::string& name, Json* out, std::string* err);

// Where the value at a JSON `pointer` starts in `text` (a JSON or YAML document that
// parse_document accepted): 1-based line and column. A pointer that leaves the document
// (or goes through a merge key) gives the deepest value on its way; nullopt when the text
// does not parse.
struct TextPosition {
  std::size_t line = 1;
  std::size_t column = 1;
};
std::optional<TextPosition> pointer_position(std::string_view text, const std::string& pointer);

// The same for many pointers into one text: parsed once, so each look-up costs a walk down
// the tree, not a parse (lint's SARIF output places every finding).
class PositionIndex {
 public:
  explicit PositionIndex(std::string_view text);
  ~PositionIndex();
  PositionIndex(const PositionIndex&) = delete;
  PositionIndex& operator=(const PositionIndex&) = delete;
  std::optional<TextPosition> at(const std::string& pointer) const;

 private:
  struct Tree;
  std::unique_ptr<Tree> m_tree;  // null when the text does not parse
};

// Block-style YAML, strings quoted wherever a plain scalar would change type.
std::string to_yaml(const Json& value);

// JSON with 2-space indent and a trailing newline.
std::string to_pretty_json(const Json& value);

}  // namespace io
