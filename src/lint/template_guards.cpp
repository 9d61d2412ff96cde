#include "lint/template_guards.hpp"

#include <cctype>

namespace core {
namespace {

// The index past the tokens from `from` that spell `object` (an expression without blanks);
// 0 when they do not.
std::size_t spells(std::string_view source, const std::vector<JsonnetToken>& t, std::size_t from,
                   const std::string& object) {
  std::string text;
  for (std::size_t k = from; k < t.size() && text.size() < object.size(); ++k) {
    text.append(source.substr(t[k].begin, t[k].end - t[k].begin));
    if (text == object) return k + 1;
  }
  return 0;
}

// Whether tokens [from, to) stay within one expression of what comes before them: no `,` or
// `;` at their bracket depth, and not out of their brackets.
bool same_expression(const std::vector<JsonnetToken>& t, std::size_t from, std::size_t to) {
  int depth = 0;
  for (std::size_t k = from; k < to; ++k) {
    if (t[k].kind != TokenKind::symbol) continue;
    const char c = t[k].text[0];
    if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' || c == ']' || c == '}') {
      if (--depth < 0) return false;
    } else if ((c == ',' || c == ';') && depth == 0) {
      return false;
    }
  }
  return true;
}

// The index past a presence test of `field` on `object` that starts at token `i`:
// std.objectHas(OBJ, 'f'), objectHasAll, objectHasEx(OBJ, 'f', ...), or 'f' in OBJ; 0 when
// none starts there.
std::size_t presence_test(std::string_view source, const std::vector<JsonnetToken>& t,
                          std::size_t i, const std::string& object, const std::string& field) {
  const auto is_field = [&](std::size_t k) {
    return k < t.size() && t[k].kind == TokenKind::string && t[k].plain && t[k].text == field;
  };
  if (is_field(i) && i + 1 < t.size() && is_token(t[i + 1], TokenKind::ident, "in")) {
    return spells(source, t, i + 2, object);
  }
  const bool has =
      t[i].kind == TokenKind::ident &&
      (t[i].text == "objectHas" || t[i].text == "objectHasAll" || t[i].text == "objectHasEx");
  if (!has || i + 1 >= t.size() || !is_token(t[i + 1], TokenKind::symbol, "(")) return 0;
  const std::size_t comma = spells(source, t, i + 2, object);
  if (comma == 0 || comma >= t.size() || !is_token(t[comma], TokenKind::symbol, ",") ||
      !is_field(comma + 1)) {
    return 0;
  }
  int depth = 1;  // to the call's closing parenthesis
  for (std::size_t k = comma + 2; k < t.size(); ++k) {
    if (t[k].kind != TokenKind::symbol) continue;
    const char c = t[k].text[0];
    if (c == '(' || c == '[' || c == '{') ++depth;
    if ((c == ')' || c == ']' || c == '}') && --depth == 0) return c == ')' ? k + 1 : 0;
  }
  return 0;
}

}  // namespace

// The source without blanks, for finding guards by their text, and the same for one
// expression of it.
std::string without_blanks(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

bool is_token(const JsonnetToken& t, TokenKind kind, std::string_view text) {
  return t.kind == kind && t.text == text;
}

// Whether the lookup of `field` on `object` (an expression without blanks) at source offset
// `lookup` is guarded: a presence test of the same field on the same expression comes before
// it in the same expression (`if 'f' in OBJ then OBJ.f`, `std.objectHas(OBJ, 'f') && OBJ.f`).
bool guarded(std::string_view source, const std::vector<JsonnetToken>& t, std::size_t lookup,
             const std::string& object, const std::string& field) {
  std::size_t at = 0;  // the lookup's first token
  while (at < t.size() && t[at].begin < lookup) ++at;
  for (std::size_t i = 0; i < at; ++i) {
    const std::size_t end = presence_test(source, t, i, object, field);
    if (end != 0 && end <= at && same_expression(t, end, at)) return true;
  }
  return false;
}

std::string std_get_hint(const std::string& object, const std::string& field,
                         const std::string& why) {
  return why + ": use std.get(" + object + ", '" + field + "', null), or test '" + field + "' in " +
         object + " first";
}

TraitInSchema trait_in_schema(const Json& schema, const std::vector<std::string>& path,
                              bool stop_at_optional) {
  const Json* node = nullptr;
  if (schema.contains("properties") && schema["properties"].contains("traits")) {
    node = &schema["properties"]["traits"];
  }
  TraitInSchema out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (!node || !node->is_object() || !node->contains("properties") ||
        !(*node)["properties"].is_object()) {
      out.known = false;
      return out;
    }
    const Json& props = (*node)["properties"];
    const bool additional_closed =
        node->contains("additionalProperties") && (*node)["additionalProperties"] == false;
    if (!props.contains(path[i])) {
      out.exists = !additional_closed;
      out.known = additional_closed;
      out.required = false;
      return out;
    }
    bool required = false;
    if (node->contains("required") && (*node)["required"].is_array()) {
      for (const auto& r : (*node)["required"]) required = required || r == path[i];
    }
    out.required = required;
    const Json& next = props[path[i]];
    if (i + 1 < path.size() && next.is_object() && next.contains("type") &&
        next["type"].is_string() && next["type"] != "object") {
      out.scalar_type = next["type"].get<std::string>();
      out.scalar_depth = i + 1;
      return out;
    }
    // The first optional level decides whether the lookup needs a guard.
    if (i + 1 < path.size() && !required && stop_at_optional) return out;
    node = &next;
  }
  return out;
}

}  // namespace core
