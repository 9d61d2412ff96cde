// The hook points the tool knows against Kratos's own config schemas (master and v26.2.0,
// from ../shared/ref): the same flows and the same method lists, but for Ory Network's saml.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "kratos/hook_points.hpp"
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

}  // namespace

TEST_CASE("hook_points: the method lists of Kratos master's config schema") {
  REQUIRE_REFERENCE(schema, "ref/kratos-config.schema.json");
  check_against(schema);
}

TEST_CASE("hook_points: the method lists of Kratos v26.2.0's config schema") {
  REQUIRE_REFERENCE(schema, "ref/kratos-config.v26.2.0.schema.json");
  check_against(schema);
}
