#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support.hpp"

using test::run_tool;

namespace {

const std::string k_quickstart_schema = test::source_path("examples/identity.schema.json");

// A schema with name.first and name.last (as Kratos's quickstart), first required, other
// traits whose names map onto Segment's reserved traits or not.
const char* const k_names_schema = R"({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {"traits": {
    "type": "object",
    "properties": {
      "email": {"type": "string", "format": "email",
                "ory.sh/kratos": {"credentials": {"password": {"identifier": true}}}},
      "name": {"type": "object",
               "properties": {"first": {"type": "string", "title": "First Name"},
                              "last": {"type": "string"},
                              "middle": {"type": "string"}},
               "required": ["first"]},
      "user_name": {"type": "string"},
      "company-name": {"type": "string"},
      "newsletter": {"type": "boolean"}
    },
    "required": ["email", "name"],
    "additionalProperties": false
  }}
})";

// Only a phone number, the SMS-code identifier.
const char* const k_phone_schema = R"({
  "type": "object",
  "properties": {"traits": {
    "type": "object",
    "properties": {
      "phone": {"type": "string", "format": "tel",
                "ory.sh/kratos": {"credentials": {"code": {"identifier": true, "via": "sms"}}}}
    },
    "required": ["phone"]
  }}
})";

// What the template sends for a sample identity of `shape`, as test-identify reports it.
nlohmann::json sent(const std::string& t, const std::string& schema, const std::string& shape,
                    const std::string& call) {
  const auto r = run_tool({"test-identify", "--jsonnet", t, "--schema", schema, "--sample", shape,
                           "--call", call, "--dry-run", "--format", "json"});
  CAPTURE(shape, r.out, r.err);
  CHECK(r.status == 0);  // Kratos would run it, and Segment would accept what it sends
  const auto report = nlohmann::json::parse(r.out);
  CHECK(report["verdict"] == "dry-run");
  CHECK(report["findings"].empty());
  return nlohmann::json::parse(report["body"].get<std::string>());
}

}  // namespace

TEST_CASE("cli init: three schemas, each template passes lint and test-identify") {
  test::TempDir dir;
  struct Case {
    const char* what;
    std::string schema;
    // fields of the traits a full sample sends, and those a minimal one sends
    std::vector<std::string> full, minimal;
  };
  const std::vector<Case> cases = {
      {"the quickstart's (email, name, consent)",
       k_quickstart_schema,
       {"email", "name", "consent", "createdAt"},
       {"email", "createdAt"}},
      {"name.first and name.last",
       dir.write("names.json", k_names_schema),
       {"email", "firstName", "lastName", "middle", "username", "company-name", "newsletter",
        "createdAt"},
       {"email", "firstName", "createdAt"}},
      {"only a phone",
       dir.write("phone.json", k_phone_schema),
       {"phone", "createdAt"},
       {"phone", "createdAt"}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    const std::string t = dir.path() + "/t.jsonnet";
    const auto init = run_tool({"init", "--schema", c.schema, "-o", t});
    CAPTURE(init.err);
    REQUIRE(init.status == 0);
    const auto lint = run_tool({"lint", "--jsonnet", t, "--schema", c.schema});
    CAPTURE(lint.out);
    CHECK(lint.status == 0);
    CHECK(lint.out.find(": 0 errors, 0 warnings, 0 notes\n") != std::string::npos);
    for (const auto& [shape, fields] : {std::make_pair(std::string("full"), c.full),
                                        std::make_pair(std::string("minimal"), c.minimal)}) {
      const auto message = sent(t, c.schema, shape, "identify");
      CAPTURE(shape, message.dump());
      CHECK(message["userId"].is_string());
      CHECK(message["messageId"].get<std::string>().rfind("ory-identify-", 0) == 0);
      std::vector<std::string> keys, expected = fields;
      for (const auto& [key, value] : message["traits"].items()) keys.push_back(key);
      std::sort(keys.begin(), keys.end());
      std::sort(expected.begin(), expected.end());
      CHECK(keys == expected);
    }
    std::remove((t + ".bak").c_str());

    // track: the event and the traits as properties.
    const auto track = run_tool({"init", "--schema", c.schema, "--call", "track", "-o", t});
    REQUIRE(track.status == 0);
    const auto lint_track =
        run_tool({"lint", "--jsonnet", t, "--schema", c.schema, "--call", "track"});
    CAPTURE(lint_track.out);
    CHECK(lint_track.out.find(": 0 errors, 0 warnings, 0 notes\n") != std::string::npos);
    const auto event = sent(t, c.schema, "minimal", "track");
    CHECK(event["event"] == "Signed Up");
    CHECK(event["properties"].contains("createdAt"));
    std::remove(t.c_str());
    std::remove((t + ".bak").c_str());
  }
}

TEST_CASE("cli init: how traits are read and mapped") {
  test::TempDir dir;
  const std::string schema = dir.write("names.json", k_names_schema);
  const auto r = run_tool({"init", "--schema", schema});
  REQUIRE(r.status == 0);
  // required: lookups; optional: a field sent only when each optional level is there
  CHECK(r.out.find("  local traits = ctx.identity.traits;\n") != std::string::npos);
  CHECK(r.out.find("      email: traits.email,\n") != std::string::npos);
  CHECK(r.out.find("      firstName: traits.name.first,\n") != std::string::npos);
  CHECK(r.out.find("      [if 'last' in traits.name then 'lastName']: traits.name.last,\n") !=
        std::string::npos);
  CHECK(r.out.find("      [if 'user_name' in traits then 'username']: traits.user_name,\n") !=
        std::string::npos);
  CHECK(r.out.find("      [if 'company-name' in traits then 'company-name']: "
                   "traits['company-name'],\n") != std::string::npos);
  CHECK(r.out.find("    messageId: 'ory-identify-' + ctx.flow.id,\n") != std::string::npos);
  CHECK(r.out.find("std.prune") == std::string::npos);
  CHECK(r.err.find("note: traits.user_name -> username") != std::string::npos);
  // first_name / last_name, an optional name object, a trait that may be null
  const std::string flat = dir.write("flat.json", R"({"properties": {"traits": {"properties": {
      "first_name": {"type": "string"}, "last_name": {"type": "string"},
      "nick": {"type": ["string", "null"]},
      "name": {"type": "object", "properties": {"given": {"type": "string"}}}}}}})");
  const auto f = run_tool(
      {"init", "--schema", flat, "--call", "track", "--event", "Joined", "--hook", "login.after"});
  REQUIRE(f.status == 0);
  CHECK(f.out.find("      [if 'first_name' in traits then 'firstName']: traits.first_name,\n") !=
        std::string::npos);
  CHECK(f.out.find("      [if 'last_name' in traits then 'lastName']: traits.last_name,\n") !=
        std::string::npos);
  CHECK(f.out.find("      [if 'nick' in traits && traits.nick != null then 'nick']: "
                   "traits.nick,\n") != std::string::npos);
  // firstName is taken: the second one keeps a name of its own
  CHECK(f.out.find("      [if 'name' in traits && 'given' in traits.name then 'name_given']: "
                   "traits.name.given,\n") != std::string::npos);
  CHECK(f.out.find("    event: 'Joined',\n") != std::string::npos);
  CHECK(f.out.find("at login.after") != std::string::npos);
  // What it sends: only what the identity has, never null, and the hook does not fail
  const std::string t = dir.write("t.jsonnet", f.out);
  const std::string identity =
      dir.write("identity.json", R"({"id": "9c9b6b8e-0000-4000-8000-000000000001",
      "traits": {"first_name": "Ada", "nick": null, "name": {}},
      "created_at": "2026-01-01T00:00:00Z"})");
  const auto run = run_tool({"test-identify", "--jsonnet", t, "--identity", identity, "--call",
                             "track", "--hook", "login.after", "--dry-run", "--format", "json"});
  CAPTURE(run.out, run.err);
  REQUIRE(run.status == 0);
  const auto body =
      nlohmann::json::parse(nlohmann::json::parse(run.out)["body"].get<std::string>());
  CHECK(body["properties"] ==
        nlohmann::json{{"firstName", "Ada"}, {"createdAt", "2026-01-01T00:00:00Z"}});
}

TEST_CASE("cli init: bad input exits 2, nothing of the user's is lost") {
  test::TempDir dir;
  CHECK(run_tool({"init"}).status == 2);
  CHECK(run_tool({"init", "--schema", k_quickstart_schema, "--call", "page"}).status == 2);
  CHECK(run_tool({"init", "--schema", k_quickstart_schema, "--event", "X"}).status == 2);
  const auto before = run_tool({"init", "--schema", k_quickstart_schema, "--hook", "login.before"});
  CHECK(before.status == 2);
  CHECK(before.err.find("no identity") != std::string::npos);
  const auto no_traits =
      run_tool({"init", "--schema", dir.write("s.json", R"({"type": "object"})")});
  CHECK(no_traits.status == 2);
  CHECK(no_traits.err.find("no traits") != std::string::npos);
  CHECK(run_tool({"init", "--schema", "/nonexistent/schema.json"}).status == 2);
  // -o onto the schema itself is refused; an existing template is kept as .bak
  const std::string schema = dir.write("schema.json", k_phone_schema);
  CHECK(run_tool({"init", "--schema", schema, "-o", schema}).status == 2);
  CHECK(test::read_file(schema) == k_phone_schema);
  const std::string mine = dir.write("t.jsonnet", "function(ctx) { mine: true }\n");
  REQUIRE(run_tool({"init", "--schema", schema, "-o", mine}).status == 0);
  CHECK(test::read_file(mine + ".bak") == "function(ctx) { mine: true }\n");
}
