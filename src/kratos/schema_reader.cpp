#include "kratos/schema_reader.hpp"

#include <algorithm>
#include <stdexcept>

namespace core {
namespace {

constexpr int k_max_depth = 64;

class Reader {
 public:
  Reader(const Json& root, std::vector<std::string>* notes) : m_root(root), m_notes(notes) {}

  // `node` at JSON pointer `where`, refs inlined and allOf merged.
  Json read(const Json& node, const std::string& where, int depth) {
    if (depth > k_max_depth) {
      throw std::runtime_error(where + ": the schema nests deeper than " +
                               std::to_string(k_max_depth) + " levels");
    }
    if (!node.is_object()) return node;
    if (node.contains("$ref") && node["$ref"].is_string()) return ref(node, where, depth);
    Json out = node;
    // definitions and $defs are read where a $ref reaches them, not on their own.
    for (const char* key : {"properties", "patternProperties"}) {
      if (!out.contains(key) || !out[key].is_object()) continue;
      for (auto& [name, value] : out[key].items()) {
        value = read(value, where + "/" + key + "/" + escaped(name), depth + 1);
      }
    }
    for (const char* key : {"items", "additionalProperties", "not"}) {
      if (out.contains(key) && out[key].is_object()) {
        out[key] = read(out[key], where + "/" + key, depth + 1);
      }
    }
    for (const char* key : {"oneOf", "anyOf", "allOf"}) {
      if (!out.contains(key) || !out[key].is_array()) continue;
      for (std::size_t i = 0; i < out[key].size(); ++i) {
        out[key][i] = read(out[key][i], where + "/" + key + "/" + std::to_string(i), depth + 1);
      }
    }
    if (out.contains("allOf") && out["allOf"].is_array()) {
      const Json parts = out["allOf"];
      out.erase("allOf");
      for (const Json& part : parts) merge(part, &out);
    }
    return out;
  }

 private:
  static std::string escaped(const std::string& name) {
    std::string out;
    for (const char c : name) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    return out;
  }

  Json ref(const Json& node, const std::string& where, int depth) {
    const std::string target = node["$ref"].get<std::string>();
    if (target != "#" && target.rfind("#/", 0) != 0) {
      m_notes->push_back(where + ": the $ref to " + target +
                         " is not followed (another document): what it describes is not checked");
      return node;
    }
    if (std::find(m_chain.begin(), m_chain.end(), target) != m_chain.end()) {
      std::string chain;
      for (const auto& r : m_chain) chain += r + " -> ";
      throw std::runtime_error(where + ": a $ref cycle: " + chain + target);
    }
    const Json* pointed = nullptr;
    try {
      pointed = &m_root.at(Json::json_pointer(target.substr(1)));
    } catch (const Json::exception&) {
      throw std::runtime_error(where + ": $ref " + target + " points nowhere in the schema");
    }
    m_chain.push_back(target);
    Json out = read(*pointed, target, depth + 1);
    m_chain.pop_back();
    if (out.is_object()) {
      for (const auto& [key, value] : node.items()) {
        if (key != "$ref") out[key] = read(value, where + "/" + escaped(key), depth + 1);
      }
    }
    return out;
  }

  // allOf: each part's properties and required names join `into`'s; other keywords it lacks
  // are taken from the part.
  static void merge(const Json& part, Json* into) {
    if (!part.is_object()) return;
    for (const auto& [key, value] : part.items()) {
      if (key == "properties" && value.is_object()) {
        Json& props = (*into)["properties"];
        if (!props.is_object()) props = Json::object();
        for (const auto& [name, schema] : value.items()) {
          if (!props.contains(name)) props[name] = schema;
        }
      } else if (key == "required" && value.is_array()) {
        Json& required = (*into)["required"];
        if (!required.is_array()) required = Json::array();
        for (const auto& name : value) {
          if (std::find(required.begin(), required.end(), name) == required.end()) {
            required.push_back(name);
          }
        }
      } else if (!into->contains(key)) {
        (*into)[key] = value;
      }
    }
  }

  const Json& m_root;
  std::vector<std::string>* m_notes;
  std::vector<std::string> m_chain;  // the local $refs being followed, outermost first
};

}  // namespace

bool read_identity_schema(const Json& schema, Json* out, std::vector<std::string>* notes,
                          std::string* err) {
  try {
    Reader reader(schema, notes);
    *out = reader.read(schema, "#", 0);
    return true;
  } catch (const std::exception& e) {
    *err = e.what();
    return false;
  }
}

}  // namespace core
