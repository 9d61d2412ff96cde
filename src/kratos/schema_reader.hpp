#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace core {

using Json = nlohmann::ordered_json;

// The one reader of identity JSON schemas: the schema with every local `$ref` replaced by
// what it points to (keywords beside the `$ref` kept) and every `allOf` merged into the
// object that holds it (properties and required lists joined), so lint, init, test-identify's
// samples and backfill see the traits a schema describes however it is written.
// A `$ref` to another document (a URL, a file) is left as it is, with a note: the tool does
// not fetch it, and what it describes is not checked. False, with `err` naming the place, for
// a `$ref` that points nowhere in the schema, a cycle of them (naming the chain), or nesting
// deeper than 64 levels.
bool read_identity_schema(const Json& schema, Json* out, std::vector<std::string>* notes,
                          std::string* err);

}  // namespace core
