#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace core {

using Json = nlohmann::ordered_json;

// Where an identity schema is: what --schema takes and what identity.schemas[].url holds.
// Kratos reads that URL as a file (file://PATH), inline (base64://), or over HTTP(S); Ory
// Network adds its presets (preset://email, preset://username).

// The schema text a location names, and a name for messages. A location without a scheme
// is a path ("-": standard input, read by the caller).
struct SchemaText {
  std::string text;
  std::string name;
};

// Reads `location`: file://PATH and a plain path from disk, base64:// decoded, preset://
// from the built-in presets. http(s):// is refused (Kratos fetches it; the tool does not
// reach the network for a schema), as is an unknown scheme. `where` names the location in
// messages ("--schema", "identity.schemas[0].url").
bool read_schema_location(const std::string& location, const std::string& where, SchemaText* out,
                          std::string* err);

// The preset schemas the tool knows, by URL.
std::vector<std::string> preset_schema_urls();

// The config's default identity schema: the entry of identity.schemas whose id is
// identity.default_schema_id ("default" when unset, the config schema's default), as
// Kratos's Config.DefaultIdentityTraitsSchemaURL finds it.
struct ConfigSchema {
  std::string id;
  std::string url;
  std::string pointer;  // "/identity/schemas/0/url"
};
// False, with `why`, when the config names no schema or its default id is not in the list.
bool default_schema_of(const Json& config, ConfigSchema* out, std::string* why);

// The file a location reads from disk (file://PATH or a plain path), or "".
std::string schema_file(const std::string& location);

}  // namespace core
