#include "kratos/identity_schema.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "kratos/schema_reader.hpp"

namespace core {
namespace {

constexpr const char* k_identity_id = "7c4a1a9e-1f0b-4b8e-9d3a-5a4cb5f0c0de";
constexpr const char* k_created_at = "2026-11-02T09:14:51.426375Z";

class Sampler {
 public:
  explicit Sampler(SampleShape shape) : m_shape(shape) {}

  Json sample(const Json& s, const std::string& key, int depth) {
    if (depth > 64) throw std::runtime_error("the schema nests deeper than 64 levels");
    if (!s.is_object()) return nullptr;
    if (s.contains("const")) return s["const"];
    if (s.contains("default")) return s["default"];
    if (s.contains("enum") && s["enum"].is_array() && !s["enum"].empty()) return s["enum"][0];
    if (s.contains("examples") && s["examples"].is_array() && !s["examples"].empty()) {
      return s["examples"][0];
    }
    for (const char* combinator : {"oneOf", "anyOf", "allOf"}) {
      if (s.contains(combinator) && s[combinator].is_array() && !s[combinator].empty()) {
        return sample(s[combinator][0], key, depth + 1);
      }
    }
    std::string type = "object";
    if (s.contains("type")) {
      const Json& t = s["type"];
      if (t.is_string()) type = t.get<std::string>();
      if (t.is_array() && !t.empty() && t[0].is_string()) type = t[0].get<std::string>();
    } else if (!s.contains("properties")) {
      type = "string";
    }
    if (type == "object") return object(s, depth);
    if (type == "array") {
      Json arr = Json::array();
      const std::size_t n = std::max<std::size_t>(1, s.value("minItems", std::size_t{1}));
      for (std::size_t i = 0; i < n && s.contains("items"); ++i) {
        arr.push_back(sample(s["items"], key, depth + 1));
      }
      return arr;
    }
    if (type == "integer") return s.value("minimum", 1);
    if (type == "number") return s.value("minimum", 42.5);
    if (type == "boolean") return true;
    if (type == "null") return nullptr;
    return string(s, key);
  }

 private:
  Json object(const Json& s, int depth) {
    Json obj = Json::object();
    if (!s.contains("properties") || !s["properties"].is_object()) return obj;
    const Json required = s.value("required", Json::array());
    for (const auto& [name, prop] : s["properties"].items()) {
      const bool is_required =
          std::find(required.begin(), required.end(), Json(name)) != required.end();
      if (m_shape == SampleShape::minimal && !is_required) continue;
      obj[name] = sample(prop, name, depth + 1);
    }
    return obj;
  }

  static Json string(const Json& s, const std::string& key) {
    const std::string format = s.value("format", "");
    if (format == "email") return "ada.lovelace@example.com";
    if (format == "uri" || format == "url") return "https://example.com/ada";
    if (format == "date-time") return k_created_at;
    if (format == "date") return "1815-12-10";
    if (format == "time") return "09:14:51Z";
    if (format == "uuid") return k_identity_id;
    if (format == "tel") return "+15555550123";
    if (format == "ipv4") return "203.0.113.7";
    if (format == "ipv6") return "2001:db8::7";
    std::string lower = key;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    std::string value = lower.find("first") != std::string::npos   ? "Ada"
                        : lower.find("last") != std::string::npos  ? "Lovelace"
                        : lower.find("name") != std::string::npos  ? "Ada Lovelace"
                        : lower.find("phone") != std::string::npos ? "+15555550123"
                                                                   : "example " + key;
    const std::size_t min = s.value("minLength", std::size_t{0});
    while (value.size() < min) value += "x";
    const std::size_t max = s.value("maxLength", std::size_t{0});
    if (max > 0 && value.size() > max) value.resize(max);
    return value;
  }

  SampleShape m_shape;
};

// Addresses Kratos derives from traits marked for verification or recovery.
void add_addresses(const Json& schema, const Json& traits, Json* identity) {
  Json verifiable = Json::array(), recovery = Json::array();
  const Json props = schema.value("/properties/traits/properties"_json_pointer, Json::object());
  for (const auto& [name, prop] : props.items()) {
    if (!traits.contains(name) || !traits[name].is_string() || !prop.is_object()) continue;
    const Json ext = prop.value("ory.sh/kratos", Json::object());
    const std::string value = traits[name].get<std::string>();
    if (ext.contains("verification")) {
      verifiable.push_back({{"id", "0d5a5b58-3a3c-4f3b-9a7a-1b5dbe1f2c11"},
                            {"value", value},
                            {"verified", false},
                            {"via", ext["verification"].value("via", "email")},
                            {"status", "sent"},
                            {"created_at", k_created_at},
                            {"updated_at", k_created_at}});
    }
    if (ext.contains("recovery")) {
      recovery.push_back({{"id", "5c2b1e6f-65a0-4c43-8f62-0f8a1f4bb1a2"},
                          {"value", value},
                          {"via", ext["recovery"].value("via", "email")},
                          {"created_at", k_created_at},
                          {"updated_at", k_created_at}});
    }
  }
  (*identity)["verifiable_addresses"] = verifiable;
  (*identity)["recovery_addresses"] = recovery;
}

Json envelope(const Json& traits) {
  Json identity = Json::object();
  identity["id"] = k_identity_id;
  identity["schema_id"] = "default";
  identity["schema_url"] = "https://playground.projects.oryapis.com/schemas/ZGVmYXVsdA";
  identity["state"] = "active";
  identity["state_changed_at"] = k_created_at;
  identity["traits"] = traits;
  return identity;
}

}  // namespace

bool sample_identity(const Json& raw_schema, SampleShape shape, Json* identity, std::string* err) {
  if (!raw_schema.is_object()) {
    *err = "the identity schema must be a JSON object";
    return false;
  }
  Json schema;
  std::vector<std::string> notes;
  if (!read_identity_schema(raw_schema, &schema, &notes, err)) return false;
  const Json* traits_schema = nullptr;
  try {
    traits_schema = &schema.at("/properties/traits"_json_pointer);
  } catch (const Json::exception&) {
    *err =
        "the identity schema has no properties.traits: Kratos identity schemas describe the "
        "traits under properties.traits";
    return false;
  }
  try {
    Sampler sampler(shape);
    const Json traits = sampler.sample(*traits_schema, "traits", 0);
    *identity = envelope(traits);
    add_addresses(schema, traits, identity);
    (*identity)["metadata_public"] = nullptr;
    (*identity)["created_at"] = k_created_at;
    (*identity)["updated_at"] = k_created_at;
    (*identity)["organization_id"] = nullptr;
    return true;
  } catch (const std::exception& e) {
    *err = e.what();
    return false;
  }
}

Json builtin_sample_identity(SampleShape shape) {
  Json traits = {{"email", "ada.lovelace@example.com"}};
  if (shape == SampleShape::full) {
    traits["name"] = "Ada Lovelace";
    traits["consent"] = {{"newsletter", true}};
  }
  Json identity = envelope(traits);
  identity["verifiable_addresses"] = Json::array();
  identity["recovery_addresses"] = Json::array();
  identity["metadata_public"] = nullptr;
  identity["created_at"] = k_created_at;
  identity["updated_at"] = k_created_at;
  identity["organization_id"] = nullptr;
  return identity;
}

}  // namespace core
