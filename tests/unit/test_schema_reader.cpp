#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "kratos/schema_reader.hpp"
#include "lint/template_lint.hpp"
#include "support.hpp"

namespace {

using core::Json;

Json read(const Json& schema, std::vector<std::string>* notes = nullptr) {
  std::vector<std::string> ignored;
  Json out;
  std::string err;
  INFO(err);
  REQUIRE(core::read_identity_schema(schema, &out, notes ? notes : &ignored, &err));
  return out;
}

std::string refused(const Json& schema) {
  std::vector<std::string> notes;
  Json out;
  std::string err;
  CHECK_FALSE(core::read_identity_schema(schema, &out, &notes, &err));
  return err;
}

}  // namespace

TEST_CASE("schema_reader: local $refs are followed, in chains, with the keywords beside them") {
  const Json schema = Json::parse(R"({
    "properties": {"traits": {"$ref": "#/definitions/traits", "title": "T"}},
    "definitions": {
      "traits": {"type": "object", "required": ["email"],
                 "properties": {"email": {"$ref": "#/definitions/email"}}},
      "email": {"$ref": "#/definitions/string"},
      "string": {"type": "string", "format": "email"}
    }})");
  const Json traits = read(schema)["properties"]["traits"];
  CHECK(traits["title"] == "T");
  CHECK(traits["required"] == Json::array({"email"}));
  CHECK(traits["properties"]["email"] == Json({{"type", "string"}, {"format", "email"}}));
}

TEST_CASE("schema_reader: allOf parts join their properties and required lists") {
  const Json schema = Json::parse(R"({"properties": {"traits": {
    "type": "object",
    "allOf": [
      {"properties": {"email": {"type": "string"}}, "required": ["email"]},
      {"$ref": "#/definitions/named"}
    ]}},
    "definitions": {"named": {"properties": {"name": {"type": "string"}}, "required": ["name"]}}
  })");
  const Json traits = read(schema)["properties"]["traits"];
  CHECK_FALSE(traits.contains("allOf"));
  CHECK(traits["properties"].size() == 2);
  CHECK(traits["properties"].contains("name"));
  CHECK(traits["required"] == Json::array({"email", "name"}));
}

TEST_CASE("schema_reader: cycles and $refs that point nowhere are refused, by name") {
  CHECK(refused(Json::parse(R"({"properties": {"traits": {"$ref": "#/definitions/a"}},
      "definitions": {"a": {"properties": {"x": {"$ref": "#/definitions/b"}}},
                      "b": {"$ref": "#/definitions/a"}}})")) ==
        "#/definitions/b: a $ref cycle: #/definitions/a -> #/definitions/b -> #/definitions/a");
  CHECK(
      refused(Json::parse(
          R"({"properties": {"traits": {"properties": {"e": {"$ref": "#/definitions/no"}}}}})")) ==
      "#/properties/traits/properties/e: $ref #/definitions/no points nowhere in the schema");
}

TEST_CASE("schema_reader: a $ref to another document is left as it is, with a note") {
  std::vector<std::string> notes;
  const Json schema = Json::parse(
      R"({"properties": {"traits": {"properties": {"a": {"$ref": "https://example.com/a.json"}}}}})");
  CHECK(read(schema, &notes) == schema);
  CHECK(notes == std::vector<std::string>{
                     "#/properties/traits/properties/a: the $ref to https://example.com/a.json is "
                     "not followed (another document): what it describes is not checked"});
}

TEST_CASE("schema_reader: lint finds the same with the traits behind a $ref as without") {
  const Json plain =
      Json::parse(test::read_file(test::source_path("examples/identity.schema.json")));
  Json behind = plain;
  behind["definitions"]["traits"] = plain["properties"]["traits"];
  behind["properties"]["traits"] = {{"$ref", "#/definitions/traits"}};
  const std::string source =
      "function(ctx) {\n  userId: ctx.identity.id,\n  messageId: ctx.flow.id,\n"
      "  traits: { phone: ctx.identity.traits.phone, n: ctx.identity.traits.name },\n}\n";
  const auto lines = [&](const Json& schema) {
    core::TemplateLintOptions options;
    options.schema = &schema;
    std::vector<std::string> out;
    for (const auto& f : core::lint_template(source, "t.jsonnet", options)) {
      out.push_back(core::to_line(f));
    }
    return out;
  };
  const auto want = lines(plain);
  CHECK(want.size() == 2);  // phone is not in the schema; name is optional
  CHECK(lines(behind) == want);
}
