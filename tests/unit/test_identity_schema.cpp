#include <catch2/catch.hpp>

#include "kratos/identity_schema.hpp"

TEST_CASE("identity_schema: sample identities from a schema") {
  const auto schema = core::Json::parse(R"({
    "definitions": {"tier": {"type": "string", "enum": ["free", "pro"]}},
    "properties": {"traits": {"type": "object", "required": ["email"], "properties": {
      "email": {"type": "string", "format": "email",
                "ory.sh/kratos": {"verification": {"via": "email"}, "recovery": {"via": "email"}}},
      "name": {"type": "object", "properties": {"first": {"type": "string"}, "last": {"type": "string"}}},
      "website": {"type": "string", "format": "uri"},
      "birthday": {"type": "string", "format": "date"},
      "tier": {"$ref": "#/definitions/tier"},
      "age": {"type": "integer", "minimum": 18},
      "newsletter": {"type": "boolean", "default": false},
      "code": {"type": "string", "minLength": 12}
    }}}})");
  core::Json identity;
  std::string err;
  REQUIRE(core::sample_identity(schema, core::SampleShape::full, &identity, &err));
  const core::Json& t = identity["traits"];
  CHECK(t["email"] == "ada.lovelace@example.com");
  CHECK(t["name"] == core::Json{{"first", "Ada"}, {"last", "Lovelace"}});
  CHECK(t["website"] == "https://example.com/ada");
  CHECK(t["birthday"] == "1815-12-10");
  CHECK(t["tier"] == "free");
  CHECK(t["age"] == 18);
  CHECK(t["newsletter"] == false);
  CHECK(t["code"].get<std::string>().size() == 12);
  CHECK(identity["verifiable_addresses"][0]["value"] == "ada.lovelace@example.com");
  CHECK(identity["recovery_addresses"][0]["via"] == "email");

  core::Json again;
  REQUIRE(core::sample_identity(schema, core::SampleShape::full, &again, &err));
  CHECK(again == identity);  // deterministic

  REQUIRE(core::sample_identity(schema, core::SampleShape::minimal, &identity, &err));
  CHECK(identity["traits"] == core::Json{{"email", "ada.lovelace@example.com"}});
}

TEST_CASE("identity_schema: unusable schemas are refused with a reason") {
  core::Json identity;
  std::string err;
  CHECK_FALSE(core::sample_identity(core::Json::parse(R"({"type": "object"})"),
                                    core::SampleShape::full, &identity, &err));
  CHECK(err.rfind("the identity schema has no properties.traits", 0) == 0);
  CHECK_FALSE(core::sample_identity(
      core::Json::parse(R"({"properties": {"traits": {"$ref": "#/definitions/missing"}}})"),
      core::SampleShape::full, &identity, &err));
  CHECK(err == "#/properties/traits: $ref #/definitions/missing points nowhere in the schema");
  CHECK_FALSE(
      core::sample_identity(core::Json::parse(R"({"definitions": {"a": {"$ref": "#/definitions/a"}},
                            "properties": {"traits": {"$ref": "#/definitions/a"}}})"),
                            core::SampleShape::full, &identity, &err));
  CHECK(err == "#/definitions/a: a $ref cycle: #/definitions/a -> #/definitions/a");
}
