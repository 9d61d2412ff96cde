// --kratos network|v26.2.0 on the verbs that model Kratos: the profile's limits and hook
// table are the ones applied, and a profile that does not exist is refused. And the ctx both
// profiles give, as the sending verbs build it.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fake_segment.hpp"
#include "support.hpp"

namespace {

// A body of about 70,000 bytes: over v26.2.0's 65,535, under master's 262,143.
const char* const k_large =
    "function(ctx) { userId: ctx.identity.id, traits: { pad: std.join('', "
    "std.makeArray(70000, function(i) 'x')) } }\n";

}  // namespace

TEST_CASE("cli --kratos: the output limit is the profile's") {
  test::TempDir dir;
  const std::string large = dir.write("large.jsonnet", k_large);
  const std::string identities = test::source_path("examples/identity.json");
  const std::string kratos_refuses = "the output exceeds Kratos's 64 KiB limit";
  // Kratos master sends the body (which Segment then refuses, over its 32 KB per message).
  auto r = test::run_tool({"test-identify", "--jsonnet", large, "--dry-run"});
  CHECK(r.status == 1);
  CHECK(r.err.find(kratos_refuses) == std::string::npos);
  CHECK(r.err.find("over Segment's 32 KB limit") != std::string::npos);
  r = test::run_tool({"test-identify", "--jsonnet", large, "--dry-run", "--kratos", "v26.2.0"});
  CHECK(r.status == 1);
  CHECK(r.err.find(kratos_refuses) != std::string::npos);

  r = test::run_tool({"backfill", "--jsonnet", large, "--identities", identities, "--dry-run",
                      "--progress", "never"});
  CHECK(r.err.find(kratos_refuses) == std::string::npos);
  r = test::run_tool({"backfill", "--jsonnet", large, "--identities", identities, "--dry-run",
                      "--progress", "never", "--kratos", "v26.2.0"});
  CHECK(r.status == 1);
  CHECK(r.err.find(kratos_refuses) != std::string::npos);
}

TEST_CASE("cli --kratos: an unknown profile is refused with the valid ones") {
  const std::string tmpl = test::source_path("examples/segment_identify.jsonnet");
  const std::string config = test::source_path("examples/kratos.yml");
  const std::vector<std::vector<std::string>> verbs = {
      {"test-identify", "--jsonnet", tmpl, "--dry-run"},
      {"backfill", "--jsonnet", tmpl, "--identities", test::source_path("examples/identity.json"),
       "--dry-run"},
      {"lint", "--config", config},
      {"init", "--schema", test::source_path("examples/identity.schema.json")},
      {"build-action", "--jsonnet", tmpl, "--write-key", "k"},
  };
  for (auto args : verbs) {
    CAPTURE(args);
    args.insert(args.end(), {"--kratos", "v26.2"});
    const auto r = test::run_tool(args);
    CHECK(r.status == 2);
    CHECK(r.err.find("--kratos: unknown value 'v26.2'") != std::string::npos);
    CHECK(r.err.find("(valid: network, v26.2.0)") != std::string::npos);
  }
}

TEST_CASE("cli --kratos: saml is Ory Network's") {
  test::TempDir dir;
  const std::string tmpl = dir.write("id.jsonnet", "function(ctx) { userId: ctx.identity.id }\n");
  auto r = test::run_tool(
      {"test-identify", "--jsonnet", tmpl, "--dry-run", "--hook", "registration.after.saml"});
  CHECK(r.status == 0);
  r = test::run_tool({"test-identify", "--jsonnet", tmpl, "--dry-run", "--hook",
                      "registration.after.saml", "--kratos", "v26.2.0"});
  CHECK(r.status == 2);
  CHECK(r.err.find("Kratos v26.2.0 (self-hosted) has no saml method") != std::string::npos);
  // init writes a template for a hook point only where that Kratos has it.
  const std::string schema = test::source_path("examples/identity.schema.json");
  CHECK(test::run_tool({"init", "--schema", schema, "--hook", "login.after.saml"}).status == 0);
  r = test::run_tool(
      {"init", "--schema", schema, "--hook", "login.after.saml", "--kratos", "v26.2.0"});
  CHECK(r.status == 2);
  CHECK(r.out.empty());
}

TEST_CASE("cli --kratos: lint --config keeps its table rows under each profile") {
  const std::string config = test::source_path("examples/kratos.yml");
  for (const std::string kratos : {"network", "v26.2.0"}) {
    CAPTURE(kratos);
    const auto r =
        test::run_tool({"lint", "--config", config, "--kratos", kratos, "--format", "json"});
    REQUIRE((r.status == 0 || r.status == 1));
    const auto doc = nlohmann::json::parse(r.out);
    REQUIRE(doc.contains("hooks"));
    REQUIRE_FALSE(doc["hooks"].empty());
    for (const auto& row : doc["hooks"]) {
      CHECK(row.contains("point"));
      CHECK(row.contains("enabled"));
      CHECK(row.contains("global"));
      for (const auto& h : row["hooks"]) {
        CHECK(h.contains("hook"));
        CHECK(h.contains("pointer"));
        CHECK(h.contains("before_save"));
      }
    }
  }
}

TEST_CASE("cli: ctx.identity.organization_id and metadata_public are null when unset") {
  // identity/identity.go: organization_id is a uuid.NullUUID (a struct, never omitted),
  // metadata_public has no omitempty. The example identities have neither field.
  test::TempDir dir;
  const std::string tmpl = dir.write(
      "org.jsonnet",
      "function(ctx) { userId: ctx.identity.id, traits: { org: ctx.identity.organization_id, "
      "meta: ctx.identity.metadata_public } }\n");
  std::string ids = test::read_file(test::source_path("examples/identities.jsonl"));
  for (std::size_t at; (at = ids.find("\"metadata_public\": null, ")) != std::string::npos;) {
    ids.erase(at, std::string("\"metadata_public\": null, ").size());
  }
  const std::string identities = dir.write("ids.jsonl", ids);
  auto r = test::run_tool({"test-identify", "--jsonnet", tmpl, "--dry-run"});
  CHECK(r.status == 0);
  CHECK(r.out.find("\"org\": null") != std::string::npos);
  r = test::run_tool({"backfill", "--jsonnet", tmpl, "--identities", identities, "--dry-run",
                      "--progress", "never"});
  CHECK(r.status == 0);
  CHECK(r.out.find("\"traits\":{\"meta\":null,\"org\":null}") != std::string::npos);
}

TEST_CASE("cli: response.ignore with response.parse or can_interrupt fails the hook in Kratos") {
  // selfservice/hook/web_hook.go:314-316: Kratos refuses the call before sending anything.
  test::TempDir dir;
  const std::string body =
      "base64://ZnVuY3Rpb24oY3R4KSB7IHVzZXJJZDogY3R4LmlkZW50aXR5LmlkIH0=";  // userId only
  const nlohmann::json interrupting = {{"hook", "web_hook"},
                                       {"config",
                                        {{"url", "https://api.segment.io/v1/identify"},
                                         {"method", "POST"},
                                         {"body", body},
                                         {"can_interrupt", true},
                                         {"response", {{"ignore", true}}}}}};
  const std::string action = dir.write("action.json", interrupting.dump());
  const std::string kratos_says = "Kratos fails every call of this hook before sending anything";
  auto r = test::run_tool({"lint", "--action", action});
  CHECK(r.status == 1);
  CHECK(r.out.find("action.json#/config/response/ignore: response.ignore with can_interrupt") !=
        std::string::npos);
  r = test::run_tool({"test-identify", "--action", action, "--dry-run"});
  CHECK(r.status == 1);
  CHECK(r.err.find(kratos_says) != std::string::npos);
  const nlohmann::json config = {
      {"selfservice",
       {{"flows", {{"registration", {{"after", {{"password", {{"hooks", {interrupting}}}}}}}}}}}}};
  const std::string kratos_yml = dir.write("kratos.json", config.dump());
  r = test::run_tool({"lint", "--config", kratos_yml});
  CHECK(r.status == 1);
  CHECK(r.out.find("kratos.json#/selfservice/flows/registration/after/password/hooks/0/config/"
                   "response/ignore") != std::string::npos);
  CHECK(r.out.find(kratos_says) != std::string::npos);
}

TEST_CASE("cli: a body without a scheme is read as a file, as Kratos reads it") {
  // request/builder.go readTemplate: on fetcher.ErrUnknownScheme, "file://" + body.
  test::TempDir dir;
  const std::string tmpl = dir.write("body.jsonnet", "function(ctx) { userId: ctx.identity.id }\n");
  const nlohmann::json action = {{"hook", "web_hook"},
                                 {"config",
                                  {{"url", "https://api.segment.io/v1/identify"},
                                   {"method", "POST"},
                                   {"body", tmpl},
                                   {"response", {{"ignore", true}}}}}};
  const std::string path = dir.write("action.json", action.dump());
  auto r = test::run_tool({"test-identify", "--action", path, "--dry-run"});
  CHECK(r.status == 0);
  CHECK(r.out.find("\"userId\": \"") != std::string::npos);
  r = test::run_tool({"lint", "--action", path});
  CHECK(r.status == 0);
  CHECK(
      r.out.find("action.json#/config/body: a body without a scheme: Kratos reads it as file://") !=
      std::string::npos);
  const nlohmann::json config = {
      {"selfservice",
       {{"flows", {{"registration", {{"after", {{"password", {{"hooks", {action}}}}}}}}}}}}};
  r = test::run_tool({"lint", "--config", dir.write("kratos.json", config.dump())});
  CHECK(r.out.find("/hooks/0/config/body: a body without a scheme") != std::string::npos);
  CHECK(r.out.find("[body-legacy-path]\n") != std::string::npos);
}

TEST_CASE("cli: a template Kratos's worker cannot read fails test-identify, lint and backfill") {
  // About 30,000 bytes of template: with its base64:// URI and the ctx, over 65,535.
  test::TempDir dir;
  const std::string big =
      dir.write("big.jsonnet",
                "function(ctx) { userId: ctx.identity.id, messageId: ctx.flow.id, "
                "pad:: '" +
                    std::string(30000, 'x') + "' }\n");
  const std::string message = "Kratos's jsonnet worker reads at most 65,535 bytes";
  auto r = test::run_tool({"test-identify", "--jsonnet", big, "--dry-run", "--format", "json"});
  CHECK(r.status == 1);
  CHECK(nlohmann::json::parse(r.out)["verdict"] == "template-failed");
  CHECK(r.err.find(message) != std::string::npos);
  r = test::run_tool({"lint", "--jsonnet", big});
  CHECK(r.status == 1);
  CHECK(r.out.find(message) != std::string::npos);
  r = test::run_tool({"backfill", "--jsonnet", big, "--identities",
                      test::source_path("examples/identities.jsonl"), "--dry-run", "--progress",
                      "never", "--format", "json"});
  CHECK(r.status == 1);
  CHECK(r.err.find("record 0: transform: " + message) != std::string::npos);
  CHECK(r.err.find("\"failed\":5") != std::string::npos);
  // A third of it fits.
  const std::string small =
      dir.write("small.jsonnet",
                "function(ctx) { userId: ctx.identity.id, messageId: ctx.flow.id, "
                "pad:: '" +
                    std::string(10000, 'x') + "' }\n");
  CHECK(test::run_tool({"test-identify", "--jsonnet", small, "--dry-run"}).status == 0);
}

TEST_CASE("cli: test-identify reads the answer as a response.parse hook does, listen --respond") {
  test::TempDir dir;
  const std::string tmpl = test::source_path("examples/segment_identify.jsonnet");
  const std::string identity = test::source_path("examples/identity.json");
  const std::string messages = dir.write(
      "messages.json", R"({"messages": [{"instance_ptr": "#/traits/email", "messages": )"
                       R"([{"id": 4000001, "text": "this address is taken", "type": "error"}]}]})");
  const auto action_for = [&](const std::string& url) {
    const std::string path = dir.file("action.json");
    REQUIRE(test::run_tool({"build-action", "--jsonnet", tmpl, "--write-key", "k", "--url", url,
                            "--parse-response", "-o", path, "--quiet"})
                .status == 0);
    return path;
  };
  const auto run = [&](const std::string& action) {
    const auto r = test::run_tool(
        {"test-identify", "--action", action, "--identity", identity, "--format", "json"});
    CAPTURE(r.out, r.err);
    return std::make_pair(r, nlohmann::json::parse(r.out));
  };
  {
    // A Segment-compatible endpoint that answers the text OK: the hook fails.
    test::FakeSegment segment;
    segment.script({test::FakeSegment::Reply(200, "OK")});
    const auto [r, report] = run(action_for(segment.url("/v1/identify")));
    CHECK(r.status == 1);
    CHECK(report["verdict"] == "hook-failed");
    CHECK(r.err.find("invalid character 'O' looking for beginning of value") != std::string::npos);
    // Segment's own answer, JSON without an identity: the flow goes on.
    segment.script({test::FakeSegment::Reply(200, R"({"success":true})")});
    CHECK(run(action_for(segment.url("/v1/identify"))).first.status == 0);
  }
  // listen --respond 400:FILE: the flow shows the endpoint's messages and does not complete.
  test::BackgroundTool listen(
      {"listen", "--port", "0", "--max-events", "1", "--respond", "400:" + messages});
  const auto [r, report] = run(action_for(listen.listen_url() + "/v1/identify"));
  CHECK(r.status == 1);
  CHECK(report["verdict"] == "interrupted");
  CHECK(report["answer"]["messages"] == nlohmann::json{"#/traits/email: this address is taken"});
  CHECK(listen.wait().status == 0);
  CHECK(test::run_tool({"listen", "--respond", "99:x"}).status == 2);
}

TEST_CASE("cli: a before-hook's triggers, in lint's table and test-identify --trigger") {
  test::TempDir dir;
  // Before-hooks have no identity: an anonymous message.
  const std::string tmpl = dir.write(
      "t.jsonnet", "function(ctx) { anonymousId: ctx.flow.id, messageId: ctx.flow.id }\n");
  auto r = test::run_tool({"test-identify", "--jsonnet", tmpl, "--hook", "login.before",
                           "--trigger", "oidc-callback", "--dry-run", "--format", "json"});
  CHECK(r.status == 0);
  const auto ctx = nlohmann::json::parse(r.out)["context"];
  CHECK(ctx["request_url"].get<std::string>().find("/self-service/methods/oidc/callback/") !=
        std::string::npos);
  r = test::run_tool({"test-identify", "--jsonnet", tmpl, "--hook", "settings.before", "--trigger",
                      "oidc-callback", "--dry-run"});
  CHECK(r.status == 2);
  CHECK(r.err.find("(valid: created, save, recovery-code, recovery-link)") != std::string::npos);
  CHECK(test::run_tool({"test-identify", "--jsonnet", tmpl, "--trigger", "save", "--dry-run"})
            .status == 2);  // an after-hook
  r = test::run_tool(
      {"lint", "--config", test::source_path("examples/kratos.yml"), "--format", "json"});
  const auto doc = nlohmann::json::parse(r.out);
  bool seen = false;
  for (const auto& row : doc["hooks"]) {
    if (row["point"] != "settings.before") continue;
    seen = true;
    REQUIRE(row["triggers"].size() == 4);
    CHECK(row["triggers"][1]["method"] == "POST");
    CHECK(row["triggers"][1]["path"] == "/self-service/settings?flow={flow}");
  }
  CHECK(seen);
}

TEST_CASE("cli: test-identify --refresh is for login after-hooks") {
  const std::string tmpl = test::source_path("examples/segment_identify.jsonnet");
  const std::string identity = test::source_path("examples/identity.json");
  auto r = test::run_tool({"test-identify", "--jsonnet", tmpl, "--identity", identity, "--hook",
                           "login.after.password", "--refresh", "--dry-run", "--format", "json"});
  CHECK(r.status == 0);
  CHECK(nlohmann::json::parse(r.out)["context"]["flow"]["refresh"] == true);
  r = test::run_tool(
      {"test-identify", "--jsonnet", tmpl, "--identity", identity, "--refresh", "--dry-run"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--refresh goes with a login after-hook") != std::string::npos);
}
