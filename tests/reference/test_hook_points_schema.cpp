// The hook points the tool knows against Kratos's own config schemas (master and v26.2.0,
// from ../shared/ref): the same flows and the same method lists, but for Ory Network's saml.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "kratos/hook_points.hpp"
#include "kratos/runtime_profile.hpp"
#include "support.hpp"

namespace {

using nlohmann::json;

// The schema object at `node`, following a local "$ref" (#/definitions/NAME).
const json& resolve(const json& root, const json& node) {
  if (!node.contains("$ref")) return node;
  const std::string ref = node["$ref"].get<std::string>();
  REQUIRE(ref.rfind("#/definitions/", 0) == 0);
  return root["definitions"][ref.substr(14)];
}

// The method lists selfservice.flows.<flow>.after has in the schema.
std::set<std::string> schema_methods(const json& root, const std::string& flow) {
  const json& flows = root["properties"]["selfservice"]["properties"]["flows"]["properties"];
  REQUIRE(flows.contains(flow));
  const json& properties = resolve(root, flows[flow])["properties"];
  REQUIRE(properties.contains("before"));
  REQUIRE(properties.contains("after"));
  std::set<std::string> methods;
  for (const auto& [key, value] : resolve(root, properties["after"])["properties"].items()) {
    if (key != "hooks" && key != "default_browser_return_url") methods.insert(key);
  }
  return methods;
}

void check_against(const std::string& schema_path) {
  std::ifstream in(schema_path);
  const json root = json::parse(in);
  for (const auto& flow : core::hook_flows()) {
    CAPTURE(schema_path, flow);
    std::set<std::string> ours;
    for (const auto& method : core::hook_methods(flow)) {
      std::string err;
      if (!core::ory_network_only(*core::parse_hook_point(flow + ".after." + method, &err))) {
        ours.insert(method);
      }
    }
    CHECK(ours == schema_methods(root, flow));
  }
}

// Every hook name the schema allows: a "hook" property's const or enum, anywhere in it.
void collect_hook_names(const json& node, std::set<std::string>* out) {
  if (node.is_object()) {
    const auto properties = node.find("properties");
    if (properties != node.end() && properties->is_object() && properties->contains("hook")) {
      const json& hook = (*properties)["hook"];
      if (hook.contains("const")) out->insert(hook["const"].get<std::string>());
      if (hook.contains("enum")) {
        for (const auto& name : hook["enum"]) out->insert(name.get<std::string>());
      }
    }
    for (const auto& [key, value] : node.items()) collect_hook_names(value, out);
  } else if (node.is_array()) {
    for (const auto& value : node) collect_hook_names(value, out);
  }
}

void check_hooks(const std::string& schema_path, const std::string& profile) {
  std::ifstream in(schema_path);
  std::set<std::string> in_schema;
  collect_hook_names(json::parse(in), &in_schema);
  const core::KratosProfile* kratos = core::find_kratos_profile(profile);
  REQUIRE(kratos);
  const std::set<std::string> ours(kratos->schema_hooks.begin(), kratos->schema_hooks.end());
  CHECK(ours == in_schema);
}

}  // namespace

TEST_CASE("hook_points: each profile's hooks are its config schema's") {
  REQUIRE_REFERENCE(master, "ref/kratos-config.schema.json");
  REQUIRE_REFERENCE(release, "ref/kratos-config.v26.2.0.schema.json");
  check_hooks(master, "network");
  check_hooks(release, "v26.2.0");
}

TEST_CASE("hook_points: the method lists of Kratos master's config schema") {
  REQUIRE_REFERENCE(schema, "ref/kratos-config.schema.json");
  check_against(schema);
}

TEST_CASE("hook_points: the method lists of Kratos v26.2.0's config schema") {
  REQUIRE_REFERENCE(schema, "ref/kratos-config.v26.2.0.schema.json");
  check_against(schema);
}

TEST_CASE("hook_points: a web_hook's config is the same in both profiles' schemas") {
  // Why build-action takes no --kratos: what it writes is valid or not the same way in both
  // (the schemas differ there only in a description's link).
  REQUIRE_REFERENCE(master, "ref/kratos-config.schema.json");
  REQUIRE_REFERENCE(release, "ref/kratos-config.v26.2.0.schema.json");
  const auto rules = [](const std::string& path, const char* name) {
    json node = json::parse(test::read_file(path))["definitions"][name];
    REQUIRE(node.is_object());
    std::vector<json*> todo = {&node};
    while (!todo.empty()) {
      json* n = todo.back();
      todo.pop_back();
      if (n->is_object()) n->erase("description");
      if (n->is_structured()) {
        for (auto& child : *n) todo.push_back(&child);
      }
    }
    return node;
  };
  for (const char* name :
       {"selfServiceWebHook", "webHookAuthBasicAuthProperties", "webHookAuthApiKeyProperties"}) {
    CAPTURE(name);
    CHECK(rules(master, name) == rules(release, name));
  }
}
