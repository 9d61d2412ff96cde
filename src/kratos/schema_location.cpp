#include "kratos/schema_location.hpp"

#include <array>
#include <utility>

#include "io/file_io.hpp"
#include "kratos/action_body.hpp"
#include "util/base64.hpp"
#include "util/text.hpp"

namespace core {
namespace {

constexpr std::string_view k_file_scheme = "file://";
constexpr std::string_view k_preset_scheme = "preset://";

// Ory Network's presets, as far as a sample identity needs them: the traits, their types
// and which are required. preset://email is the schema Kratos's Ory Network quickstart
// installs under that id (contrib/quickstart/kratos/cloud/kratos.yml, identity.schema.json:
// email required, name.first and name.last optional); preset://username holds one required
// username, the trait it is named after.
struct Preset {
  std::string_view url;
  std::string_view traits;    // properties.traits.properties
  std::string_view required;  // properties.traits.required
};
constexpr std::array<Preset, 2> k_presets = {{
    {"preset://email", R"({
        "email": {"type": "string", "format": "email", "ory.sh/kratos": {
          "credentials": {"password": {"identifier": true}},
          "verification": {"via": "email"}, "recovery": {"via": "email"}}},
        "name": {"type": "object",
                 "properties": {"first": {"type": "string"}, "last": {"type": "string"}}}})",
     R"(["email"])"},
    {"preset://username", R"({
        "username": {"type": "string",
                     "ory.sh/kratos": {"credentials": {"password": {"identifier": true}}}}})",
     R"(["username"])"},
}};

std::string preset_text(const Preset& p) {
  std::string text = "{\n  \"$id\": \"";
  text.append(p.url).append("\",\n  \"title\": \"Person\",\n  \"type\": \"object\",\n");
  text.append("  \"properties\": {\"traits\": {\"type\": \"object\", \"properties\": ");
  text.append(p.traits).append(",\n    \"required\": ").append(p.required);
  text.append(", \"additionalProperties\": false}}\n}\n");
  return text;
}

std::string scheme_of(const std::string& location) {
  const auto colon = location.find("://");
  if (colon == std::string::npos || colon == 0) return "";
  std::string scheme = location.substr(0, colon);
  if (scheme.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789+-.") != std::string::npos) {
    return "";
  }
  return scheme;
}

}  // namespace

std::vector<std::string> preset_schema_urls() {
  std::vector<std::string> urls;
  urls.reserve(k_presets.size());
  for (const Preset& preset : k_presets) urls.emplace_back(preset.url);
  return urls;
}

std::string schema_file(const std::string& location) {
  if (util::starts_with(location, k_file_scheme)) return location.substr(k_file_scheme.size());
  return scheme_of(location).empty() ? location : "";
}

bool read_schema_location(const std::string& location, const std::string& where, SchemaText* out,
                          std::string* err) {
  if (location.empty()) {
    *err = where + ": empty";
    return false;
  }
  if (const std::string path = schema_file(location); !path.empty()) {
    out->name = io::display_name(path);
    return io::read_text_input(path, &out->text, err);
  }
  if (util::starts_with(location, k_base64_scheme)) {
    out->name = where + " (base64://)";
    return decode_base64_body(location, where, &out->text, err);
  }
  if (util::starts_with(location, k_preset_scheme)) {
    for (const Preset& preset : k_presets) {
      if (location != preset.url) continue;
      out->name = location;
      out->text = preset_text(preset);
      return true;
    }
    *err = where + ": " + location + " is not a preset this tool knows (" +
           util::join(preset_schema_urls(), ", ") +
           "); fetch it from the project's /schemas endpoint and pass the file";
    return false;
  }
  const std::string scheme = scheme_of(location);
  if (scheme == "http" || scheme == "https") {
    *err = where + ": " + location +
           " is fetched by Kratos; this tool does not fetch schemas: download it (curl -o "
           "identity.schema.json URL) and pass --schema identity.schema.json";
  } else {
    *err = where + ": " + scheme +
           ":// is not a schema location (file://, base64://, preset://, a path or -)";
  }
  return false;
}

bool default_schema_of(const Json& config, ConfigSchema* out, std::string* why) {
  const Json* identity =
      config.is_object() && config.contains("identity") ? &config["identity"] : nullptr;
  if (!identity || !identity->is_object() || !identity->contains("schemas") ||
      !(*identity)["schemas"].is_array() || (*identity)["schemas"].empty()) {
    *why = "the config has no identity.schemas";
    return false;
  }
  std::string id = "default";
  if (const auto it = identity->find("default_schema_id");
      it != identity->end() && it->is_string()) {
    id = it->get<std::string>();
  }
  const Json& schemas = (*identity)["schemas"];
  for (std::size_t i = 0; i < schemas.size(); ++i) {
    const Json& s = schemas[i];
    if (!s.is_object() || s.value("id", Json()) != id) continue;
    if (!s.contains("url") || !s["url"].is_string()) break;
    out->id = id;
    out->url = s["url"].get<std::string>();
    out->pointer = "/identity/schemas/" + std::to_string(i) + "/url";
    return true;
  }
  *why = "identity.default_schema_id '" + id + "' names no entry of identity.schemas with a url";
  return false;
}

}  // namespace core
