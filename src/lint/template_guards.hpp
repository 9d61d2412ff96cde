#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "engine/jsonnet_lexer.hpp"

// How a template guards a lookup, read from its text, and what an identity schema says of a
// trait path: what template lint decides "unguarded" and "optional" by.
namespace core {

using Json = nlohmann::ordered_json;

// The source without blanks, for finding guards by their text, and the same for one
// expression of it.
std::string without_blanks(std::string_view s);

bool is_token(const JsonnetToken& t, TokenKind kind, std::string_view text);

// Whether the lookup of `field` on `object` (an expression without blanks) at source offset
// `lookup` is guarded: a presence test of the same field on the same expression comes before
// it in the same expression (`if 'f' in OBJ then OBJ.f`, `std.objectHas(OBJ, 'f') && OBJ.f`).
bool guarded(std::string_view source, const std::vector<JsonnetToken>& t, std::size_t lookup,
             const std::string& object, const std::string& field);

// "WHY: use std.get(OBJECT, 'FIELD', null), or test 'FIELD' in OBJECT first".
std::string std_get_hint(const std::string& object, const std::string& field,
                         const std::string& why);

// The schema of identity traits at `path` (from traits down), and whether the last
// component is required by its parent. nullopt when the schema cannot say (no properties
// there: anything may be).
struct TraitInSchema {
  bool exists = true;
  bool required = false;
  bool known = true;  // the schema describes this level
  // The schema's type of a trait on the path that has no fields (not "object"), and how
  // many components lead to it: a lookup below it fails whenever it is there.
  std::string scalar_type;
  std::size_t scalar_depth = 0;
};

TraitInSchema trait_in_schema(const Json& schema, const std::vector<std::string>& path,
                              bool stop_at_optional = true);

}  // namespace core
