// --schema where Ory keeps schemas (a file, -, file://, base64://, preset://) and lint's
// default schema from the config's identity.schemas.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/document.hpp"
#include "kratos/schema_location.hpp"
#include "support.hpp"
#include "util/base64.hpp"

using test::run_tool;

namespace {

const std::string k_schema_path = test::source_path("examples/identity.schema.json");

// A schema whose name trait is `required` or optional.
std::string name_schema(bool required) {
  return std::string(R"({"type": "object", "properties": {"traits": {"type": "object",
    "properties": {"email": {"type": "string", "format": "email"},
                   "name": {"type": "object", "properties": {"first": {"type": "string"}},
                            "required": ["first"]}},
    "required": ["email")") +
         (required ? ", \"name\"" : "") + "]}}}";
}

// A config with two schemas and a Segment web_hook whose template reads name.first bare.
std::string two_schema_config(const std::string& default_id, const std::string& customer_url) {
  io::Json config;
  if (!default_id.empty()) config["identity"]["default_schema_id"] = default_id;
  config["identity"]["schemas"] = {
      {{"id", "default"}, {"url", "base64://" + util::base64_encode(name_schema(true))}},
      {{"id", "customer"}, {"url", customer_url}}};
  const std::string body =
      "function(ctx) { userId: ctx.identity.id, traits: "
      "{ first: ctx.identity.traits.name.first } }";
  const io::Json hook = {{"hook", "web_hook"},
                         {"config",
                          {{"url", "https://api.segment.io/v1/identify"},
                           {"method", "POST"},
                           {"body", "base64://" + util::base64_encode(body)},
                           {"response", {{"ignore", true}}}}}};
  config["selfservice"]["flows"]["registration"]["after"]["password"]["hooks"] = {
      hook, {{"hook", "session"}}};
  return io::to_yaml(config);
}

bool unguarded_name(const test::RunResult& r) {
  return r.out.find("trait 'name' is optional in the identity schema") != std::string::npos;
}

}  // namespace

TEST_CASE("cli --schema: a file, -, file://, base64:// and a YAML file give the same sample") {
  test::TempDir dir;
  const std::string text = test::read_file(k_schema_path);
  const std::string t = dir.write("t.jsonnet",
                                  "function(ctx) { userId: ctx.identity.id, traits: "
                                  "ctx.identity.traits }");
  const auto sent = [&](const std::string& schema, const test::RunOptions& o = {}) {
    const auto r = run_tool(
        {"test-identify", "--jsonnet", t, "--schema", schema, "--dry-run", "--format", "json"}, o);
    CAPTURE(schema, r.err);
    CHECK(r.status == 0);
    return nlohmann::json::parse(r.out)["context"]["identity"]["traits"].dump();
  };
  const std::string from_file = sent(k_schema_path);
  CHECK(from_file.find("\"email\":") != std::string::npos);
  CHECK(sent("file://" + k_schema_path) == from_file);
  CHECK(sent("base64://" + util::base64_encode(text)) == from_file);
  test::RunOptions piped;
  piped.stdin_data = text;
  CHECK(sent("-", piped) == from_file);
  // The same schema as YAML ('ory get identity-schema ID --format yaml').
  CHECK(sent(dir.write("s.yaml", io::to_yaml(io::Json::parse(text)))) == from_file);
}

TEST_CASE("cli --schema preset://email and preset://username: Ory Network's presets") {
  test::TempDir dir;
  // init maps the email preset's traits; its template lints clean and runs on both samples.
  const auto init = run_tool({"init", "--schema", "preset://email", "-o", dir.file("e.jsonnet")});
  CAPTURE(init.err);
  REQUIRE(init.status == 0);
  const std::string written = test::read_file(dir.file("e.jsonnet"));
  CHECK(written.find("traits.email") != std::string::npos);
  CHECK(written.find("traits.name.first") != std::string::npos);
  const auto lint =
      run_tool({"lint", "--jsonnet", dir.file("e.jsonnet"), "--schema", "preset://email"});
  CAPTURE(lint.out, lint.err);
  CHECK(lint.status == 0);
  // A template reading the username: the username preset has it, the email preset does not.
  const std::string t = dir.write("u.jsonnet",
                                  "function(ctx) { userId: ctx.identity.id, traits: { username: "
                                  "ctx.identity.traits.username } }");
  const auto with_username = run_tool({"test-identify", "--jsonnet", t, "--schema",
                                       "preset://username", "--sample", "minimal", "--dry-run"});
  CAPTURE(with_username.out, with_username.err);
  CHECK(with_username.status == 0);
  const auto with_email =
      run_tool({"test-identify", "--jsonnet", t, "--schema", "preset://email", "--dry-run"});
  CHECK(with_email.status == 1);
  CHECK(with_email.err.find("field does not exist: username") != std::string::npos);
}

TEST_CASE("cli --schema: what it cannot read is refused with the way out, exit 2") {
  const std::string t = test::source_path("examples/segment_identify.jsonnet");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"https://example.com/identity.schema.json", "this tool does not fetch schemas: download it"},
      {"preset://phone", "not a preset this tool knows (preset://email, preset://username)"},
      {"base64://e30", "invalid base64"},
      {"ftp://example.com/s.json", "ftp:// is not a schema location"},
      {"file:///nonexistent/identity.schema.json", "/nonexistent/identity.schema.json"},
      {"base64://" + util::base64_encode("[1, 2]"), "not a JSON schema (an object)"},
  };
  for (const auto& [schema, message] : cases) {
    for (const char* verb : {"lint", "test-identify", "init"}) {
      std::vector<std::string> args = {verb, "--schema", schema};
      if (std::string(verb) != "init") args.insert(args.end(), {"--jsonnet", t});
      if (std::string(verb) == "test-identify") args.emplace_back("--dry-run");
      const auto r = run_tool(args);
      CAPTURE(verb, schema, r.err);
      CHECK(r.status == 2);
      CHECK(r.err.find(message) != std::string::npos);
    }
  }
}

TEST_CASE("cli lint --config: the default schema is the config's identity.default_schema_id") {
  test::TempDir dir;
  const std::string optional_name = "file://" + dir.write("customer.json", name_schema(false));
  // Unset: "default" (name required), so reading name.first bare is fine.
  const auto unset =
      run_tool({"lint", "--config", dir.write("a.yml", two_schema_config("", optional_name))});
  CAPTURE(unset.out, unset.err);
  CHECK(unset.status == 0);
  CHECK_FALSE(unguarded_name(unset));
  // customer: name optional, the bare read fails the hook for identities without a name.
  const std::string customer = dir.write("b.yml", two_schema_config("customer", optional_name));
  const auto chosen = run_tool({"lint", "--config", customer});
  CAPTURE(chosen.out, chosen.err);
  CHECK(chosen.status == 1);
  CHECK(unguarded_name(chosen));
  // --schema wins over the config's.
  const auto given = run_tool({"lint", "--config", customer, "--schema",
                               "base64://" + util::base64_encode(name_schema(true))});
  CHECK(given.status == 0);
  CHECK_FALSE(unguarded_name(given));
  // The container's path (not on this machine): the file of that name beside the config.
  test::TempDir other;
  other.write("customer.json", name_schema(false));
  const std::string moved = other.write(
      "kratos.yml", two_schema_config("customer", "file:///etc/config/kratos/customer.json"));
  const auto beside = run_tool({"lint", "--config", moved});
  CAPTURE(beside.out, beside.err);
  CHECK(beside.status == 1);
  CHECK(unguarded_name(beside));
  CHECK(beside.err.find("/etc/config/kratos/customer.json is not on this machine; read " +
                        other.file("customer.json")) != std::string::npos);
  // Neither there nor beside it, or a URL: a note, and lint goes on with its own sample.
  for (const std::string& url : {std::string("file:///etc/config/kratos/absent.json"),
                                 std::string("https://example.com/customer.json")}) {
    const auto r =
        run_tool({"lint", "--config", dir.write("c.yml", two_schema_config("customer", url))});
    CAPTURE(url, r.out, r.err);
    CHECK_FALSE(unguarded_name(r));  // the built-in sample: name is a string there
    CHECK(r.err.find("note: ") != std::string::npos);
    CHECK(r.err.find("the sample identity is the built-in one") != std::string::npos);
  }
}

TEST_CASE("schema_location: the default schema as Kratos finds it") {
  core::ConfigSchema found;
  std::string why;
  const auto config = [](const char* text) { return core::Json::parse(text); };
  CHECK(core::default_schema_of(
      config(
          R"({"identity": {"schemas": [{"id": "x", "url": "a"}, {"id": "default", "url": "b"}]}})"),
      &found, &why));
  CHECK(found.url == "b");
  CHECK(found.pointer == "/identity/schemas/1/url");
  CHECK(core::default_schema_of(
      config(R"({"identity": {"default_schema_id": "x", "schemas": [{"id": "x", "url": "a"}]}})"),
      &found, &why));
  CHECK(found.url == "a");
  CHECK_FALSE(core::default_schema_of(
      config(R"({"identity": {"default_schema_id": "y", "schemas": [{"id": "x", "url": "a"}]}})"),
      &found, &why));
  CHECK(why.find("'y' names no entry") != std::string::npos);
  CHECK_FALSE(core::default_schema_of(config(R"({"selfservice": {}})"), &found, &why));
  CHECK(why == "the config has no identity.schemas");
  CHECK(core::schema_file("file:///a/b.json") == "/a/b.json");
  CHECK(core::schema_file("rel/b.json") == "rel/b.json");
  CHECK(core::schema_file("preset://email").empty());
  CHECK(core::schema_file("base64://e30=").empty());
}
