#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "fake_segment.hpp"
#include "support.hpp"
#include "util/base64.hpp"

using test::run_tool;

namespace {

const std::string k_example = test::source_path("examples/segment_identify.jsonnet");
const std::string k_identity = test::source_path("examples/identity.json");
const std::string k_key = "wk_TEST_5ecr3t";

test::RunOptions with_key() { return {std::nullopt, {{"SEGMENT_WRITE_KEY", k_key}}, {}}; }

const std::string k_expected_body =
    "{\n"
    "   \"traits\": {\n"
    "      \"email\": \"ada@example.com\",\n"
    "      \"name\": \"Ada Lovelace\",\n"
    "      \"newsletterConsent\": true\n"
    "   },\n"
    "   \"userId\": \"9f425a8d-7efc-4768-8f23-7647a74fdf13\"\n"
    "}\n";

}  // namespace

TEST_CASE("cli test-identify: --dry-run prints the exact body Kratos would send") {
  const auto r = run_tool({"test-identify", "--jsonnet", k_example, "--identity", k_identity,
                           "--dry-run", "--format", "json"});
  REQUIRE(r.status == 0);
  const auto report = nlohmann::json::parse(r.out);
  CHECK(report["body"] == k_expected_body);
  CHECK(report["verdict"] == "dry-run");
  CHECK(report["findings"] == nlohmann::json::array());
  CHECK(report["context"]["identity"]["id"] == "9f425a8d-7efc-4768-8f23-7647a74fdf13");
  CHECK(report["request"]["headers"]["Authorization"] == "<redacted>");
}

TEST_CASE("cli test-identify: sends exactly what Kratos sends to a local endpoint") {
  test::FakeSegment segment;
  const auto r = run_tool({"test-identify", "--jsonnet", k_example, "--identity", k_identity,
                           "--url", segment.url("/v1/identify")},
                          with_key());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("attempt 1: 200 in ") != std::string::npos);
  CHECK(r.out.find("verdict: accepted") != std::string::npos);
  CHECK(r.out.find(k_key) == std::string::npos);
  CHECK(r.err.find(k_key) == std::string::npos);
  const auto requests = segment.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].path == "/v1/identify");
  CHECK(requests[0].body == k_expected_body);
  CHECK(requests[0].header("Content-Type") == "application/json");
  CHECK(requests[0].headers.count("Content-Type") == 1);
  CHECK(requests[0].header("Authorization") == "Basic " + util::base64_encode(k_key + ":"));
  // What Go's client adds to every request Kratos makes.
  CHECK(requests[0].header("User-Agent") == "Go-http-client/1.1");
  CHECK(requests[0].header("Accept-Encoding") == "gzip");
  // libcurl's default Accept: */* is not sent: Go sends no Accept.
  CHECK(requests[0].headers.count("Accept") == 0);
  // Kratos's ids for the hook run and the attempt (emit_analytics_event defaults to true).
  const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  CHECK(std::regex_match(requests[0].header("Ory-Webhook-Request-ID"), uuid));
  CHECK(std::regex_match(requests[0].header("Ory-Webhook-Trigger-ID"), uuid));
}

TEST_CASE("cli test-identify: a new Ory-Webhook-Request-ID per attempt, one Trigger-ID per run") {
  // selfservice/hook/web_hook.go InstrumentHTTPClientForEvents (RequestLogHook), set when
  // emit_analytics_event is not false.
  test::FakeSegment segment;
  segment.script({test::FakeSegment::Reply(503, "{}", "0"), test::FakeSegment::Reply()});
  auto r = run_tool({"test-identify", "--jsonnet", k_example, "--identity", k_identity, "--url",
                     segment.url("/v1/identify")},
                    with_key());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  auto requests = segment.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].header("Ory-Webhook-Request-ID") !=
        requests[1].header("Ory-Webhook-Request-ID"));
  CHECK(requests[0].header("Ory-Webhook-Trigger-ID") ==
        requests[1].header("Ory-Webhook-Trigger-ID"));

  test::FakeSegment quiet;
  test::TempDir dir;
  const std::string action =
      dir.write("action.json",
                R"({"hook": "web_hook", "config": {"url": ")" + quiet.url("/v1/identify") +
                    R"(", "method": "POST", "emit_analytics_event": false, "body": "base64://)" +
                    util::base64_encode("function(ctx) { userId: ctx.identity.id }") + R"("}})");
  r = run_tool({"test-identify", "--action", action, "--identity", k_identity});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  requests = quiet.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].headers.count("Ory-Webhook-Request-ID") == 0);
  CHECK(requests[0].headers.count("Ory-Webhook-Trigger-ID") == 0);
}

TEST_CASE("cli test-identify: the action's Content-Type, as Kratos's request builder reads it") {
  test::FakeSegment segment;
  test::TempDir dir;
  const auto action = [&](const std::string& headers) {
    const std::string body = "base64://" + util::base64_encode(
                                               "function(ctx) { userId: ctx.identity.id, "
                                               "event: 'Signed Up' }");
    return dir.write(
        "action.json",
        R"({"hook": "web_hook", "config": {"url": ")" + segment.url("/v1/track") +
            R"(", "method": "POST", "body": ")" + body + R"(", "headers": )" + headers +
            R"(, "auth": {"type": "basic_auth", "config": {"user": "k", "password": ""}}}})");
  };
  SECTION("a Content-Type with parameters fails the hook before the template runs") {
    const auto r = run_tool({"test-identify", "--action",
                             action(R"({"Content-Type": "application/json; charset=utf-8"})"),
                             "--identity", k_identity});
    CHECK(r.status == 1);
    CHECK(r.err.find("invalid config - incorrect Content-Type for request with body") !=
          std::string::npos);
    CHECK(r.out.find("verdict: hook-failed") != std::string::npos);
    CHECK(segment.requests().empty());
  }
  SECTION("a lower-case content-type is one header, not two") {
    const auto r =
        run_tool({"test-identify", "--action", action(R"({"content-type": "application/json"})"),
                  "--identity", k_identity});
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    REQUIRE(segment.requests().size() == 1);
    CHECK(segment.requests()[0].headers.count("Content-Type") == 1);
  }
  SECTION("a form Content-Type: the body is URL-encoded, and Segment would answer 400") {
    const auto r = run_tool({"test-identify", "--action",
                             action(R"({"Content-Type": "application/x-www-form-urlencoded"})"),
                             "--identity", k_identity});
    CHECK(r.status == 1);
    CHECK(r.out.find("event=Signed+Up&userId=9f425a8d-7efc-4768-8f23-7647a74fdf13") !=
          std::string::npos);
    CHECK(r.err.find("Segment would answer 400") != std::string::npos);
    CHECK(segment.requests().empty());
  }
}

TEST_CASE("cli test-identify: redirects are followed as Kratos's Go client follows them") {
  test::FakeSegment segment;
  SECTION("a 301 turns the POST into a bodiless GET; the 200 after it is Kratos's success") {
    segment.script({{301, "", "", "/v1/moved"}, {200, "{}", ""}});
    const auto r = run_tool({"test-identify", "--jsonnet", k_example, "--identity", k_identity,
                             "--url", segment.url("/v1/identify")},
                            with_key());
    INFO(r.out << r.err);
    CHECK(r.status == 0);
    const auto requests = segment.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[1].method == "GET");
    CHECK(requests[1].path == "/v1/moved");
    CHECK(requests[1].body.empty());
    CHECK(r.out.find("attempt 1: 301, followed as GET " + segment.url("/v1/moved") +
                     " without the body; 200") != std::string::npos);
    CHECK(r.err.find("the message was not delivered") != std::string::npos);
  }
  SECTION("a 308 keeps the POST and its body") {
    segment.script({{308, "", "", "/v1/identify2"}, {200, "{}", ""}});
    const auto r = run_tool({"test-identify", "--jsonnet", k_example, "--identity", k_identity,
                             "--url", segment.url("/v1/identify")},
                            with_key());
    CHECK(r.status == 0);
    const auto requests = segment.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[1].method == "POST");
    CHECK(requests[1].body == k_expected_body);
    CHECK(requests[1].header("Authorization") == "Basic " + util::base64_encode(k_key + ":"));
  }
  SECTION("a 301 without Location: Kratos stops there and calls it a success; we warn") {
    segment.script({{301, "", ""}});
    const auto r = run_tool({"test-identify", "--jsonnet", k_example, "--identity", k_identity,
                             "--url", segment.url("/v1/identify")},
                            with_key());
    CHECK(r.status == 0);
    CHECK(r.err.find("301 without a Location") != std::string::npos);
  }
}

TEST_CASE("cli test-identify: --action takes URL, auth and headers from the action") {
  test::FakeSegment segment;
  test::TempDir dir;
  const std::string action = dir.file("action.yml");
  auto built =
      run_tool({"build-action", "--jsonnet", k_example, "--url", segment.url("/v1/identify"),
                "--header", "X-Source=ory", "--ignore-response", "--format", "yaml", "-o", action},
               with_key());
  REQUIRE(built.status == 0);
  const auto r = run_tool({"test-identify", "--action", action, "--identity", k_identity});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto requests = segment.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].body == k_expected_body);
  CHECK(requests[0].header("X-Source") == "ory");
  CHECK(requests[0].header("Authorization") == "Basic " + util::base64_encode(k_key + ":"));
  CHECK(r.out.find("response.ignore is set") != std::string::npos);
}

TEST_CASE("cli test-identify: retries like Kratos against a real endpoint") {
  test::FakeSegment segment;
  SECTION("400 is not retried and exits 1") {
    segment.script({{400, "{\"error\":\"bad\"}", ""}});
    const auto r = run_tool({"test-identify", "--jsonnet", k_example, "--identity", k_identity,
                             "--url", segment.url("/v1/identify")},
                            with_key());
    CHECK(r.status == 1);
    CHECK(segment.requests().size() == 1);
    CHECK(r.err.find("rejected the message (Kratos fails the hook with 502: webhook failed "
                     "with status code 400)") != std::string::npos);
  }
  SECTION("a 503 then 200, with Retry-After: 0") {
    segment.script({{503, "{}", "0"}, {200, "{\"success\":true}", ""}});
    const auto r = run_tool({"test-identify", "--jsonnet", k_example, "--identity", k_identity,
                             "--url", segment.url("/v1/identify")},
                            with_key());
    CHECK(r.status == 0);
    CHECK(segment.requests().size() == 2);
    CHECK(r.out.find("attempt 1: 503") != std::string::npos);
    CHECK(r.out.find("attempt 2: 200") != std::string::npos);
  }
  SECTION("503 three times: Kratos's client gives up and the hook fails with 500") {
    segment.script({{503, "{}", "0"}, {503, "{}", "0"}, {503, "{}", "0"}});
    const auto r = run_tool({"test-identify", "--jsonnet", k_example, "--identity", k_identity,
                             "--url", segment.url("/v1/identify"), "--format", "json"},
                            with_key());
    CHECK(r.status == 1);
    const auto report = nlohmann::json::parse(r.out);
    CHECK(report["kratos_status"] == 500);
    CHECK(report["kratos_error"] ==
          "POST " + segment.url("/v1/identify") + " giving up after 3 attempt(s)");
  }
}

TEST_CASE("cli test-identify: nothing listening exits 3") {
  int port = 0;
  {
    test::FakeSegment probe;  // learn a free port, then close it
    const std::string url = probe.url("");
    port = std::stoi(url.substr(url.rfind(':') + 1));
  }
  const auto r =
      run_tool({"test-identify", "--jsonnet", k_example, "--identity", k_identity, "--url",
                "http://127.0.0.1:" + std::to_string(port) + "/v1/identify", "--timeout", "1"},
               with_key());
  CHECK(r.status == 3);
  CHECK(r.out.find("attempt 3") != std::string::npos);
}

TEST_CASE("cli test-identify: failures of the template and of the message") {
  test::TempDir dir;
  SECTION("a missing optional trait fails with its line and a fix") {
    const auto r = run_tool({"test-identify", "--jsonnet", k_example, "--schema",
                             test::source_path("examples/identity.schema.json"), "--sample",
                             "minimal", "--dry-run"});
    CHECK(r.status == 1);
    CHECK(r.err ==
          "ory-segment: error: " + k_example +
              ":5:11: field does not exist: name\n"
              "ory-segment: note: 'name' may be missing (an optional trait left empty at sign-up): "
              "use std.get(ctx.identity.traits, 'name', null), or test 'name' in "
              "ctx.identity.traits first\n");
  }
  SECTION("no userId: Segment would drop it") {
    const auto t =
        dir.write("t.jsonnet", "function(ctx) { traits: { email: ctx.identity.traits.email } }\n");
    const auto r = run_tool({"test-identify", "--jsonnet", t, "--dry-run"});
    CHECK(r.status == 1);
    CHECK(r.err ==
          "ory-segment: error: Segment would accept this with 200 and drop it: neither "
          "'userId' nor 'anonymousId' is set: every message needs one\n");
  }
  SECTION("cancel exits 0 and sends nothing") {
    const auto t = dir.write("c.jsonnet", "function(ctx) error 'cancel: no consent'\n");
    const auto r = run_tool({"test-identify", "--jsonnet", t, "--dry-run"});
    CHECK(r.status == 0);
    CHECK(r.out.rfind("hook cancelled: Ory sends nothing", 0) == 0);
  }
  SECTION("std.sha256 and std.trim work as in go-jsonnet") {
    const auto t =
        dir.write("h.jsonnet",
                  "function(ctx) { userId: std.sha256(ctx.identity.traits.email), "
                  "traits: { name: std.trim('  ' + ctx.identity.traits.name + '\\u00a0') } }\n");
    const auto r = run_tool({"test-identify", "--jsonnet", t, "--identity", k_identity, "--dry-run",
                             "--format", "json"});
    REQUIRE(r.status == 0);
    const auto body =
        nlohmann::json::parse(nlohmann::json::parse(r.out)["body"].get<std::string>());
    CHECK(body["userId"] == "b5fc85e55755f9e0d030a10ab4429b6b2944855f9a0d60077fe832becbc41d72");
    CHECK(body["traits"]["name"] == "Ada Lovelace");
  }
}

TEST_CASE("cli test-identify: bad input exits 2") {
  test::TempDir dir;
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"test-identify", "--dry-run"}, "give exactly one of --jsonnet FILE or --action FILE"},
      {{"test-identify", "--jsonnet", k_example, "--hook", "logout.after", "--dry-run"},
       "--hook hook point 'logout.after': Kratos runs no hooks in the logout flow (flows with "
       "hooks: login, registration, settings, recovery, verification)"},
      {{"test-identify", "--jsonnet", k_example, "--hook", "registraton.after", "--dry-run"},
       "--hook hook point 'registraton.after': unknown flow 'registraton'; did you mean "
       "'registration'? (valid: login, registration, settings, recovery, verification)"},
      {{"test-identify", "--jsonnet", k_example, "--hook", "registration.after.totp", "--dry-run"},
       "--hook hook point 'registration.after.totp': registration has no method 'totp' (valid: "
       "password, webauthn, passkey, oidc, code, saml)"},
      {{"test-identify", "--jsonnet", k_example, "--identity",
        dir.write("bad.json", "{\"id\": 1,\n  \"traits\": }"), "--dry-run"},
       dir.file("bad.json") +
           ":2:13: invalid JSON: syntax error while parsing value - unexpected '}'; "
           "expected '[', '{', or a literal"},
      {{"test-identify", "--jsonnet", k_example, "--header-allowlist", "Accept,a b", "--dry-run"},
       "--header-allowlist: 'a b' is not a header name"},
      {{"test-identify", "--jsonnet", k_example, "--url", "http://segment.example.com/v1/identify"},
       "url 'http://segment.example.com/v1/identify' uses plain http to a host that is not "
       "loopback: the write key would travel in clear; use https:// or pass --allow-insecure-url"},
  };
  for (const auto& [args, expected] : cases) {
    CAPTURE(args);
    const auto r = run_tool(args, with_key());
    CHECK(r.status == 2);
    CHECK(r.err == "ory-segment: error: " + expected + "\n");
  }
}

TEST_CASE("cli test-identify: the ctx at the hook point, as Kratos's flow handlers build it") {
  SECTION("--parse-response: a registration hook before the save sees the nil id") {
    const auto r = run_tool({"test-identify", "--jsonnet", k_example, "--identity", k_identity,
                             "--parse-response", "--dry-run", "--format", "json"});
    REQUIRE(r.status == 0);
    const auto report = nlohmann::json::parse(r.out);
    CHECK(report["context"]["identity"]["id"] == "00000000-0000-0000-0000-000000000000");
    CHECK(report["context"]["identity"]["created_at"] == "0001-01-01T00:00:00Z");
  }
  SECTION("a transient payload Kratos drops is warned about") {
    test::TempDir dir;
    const auto r =
        run_tool({"test-identify", "--jsonnet", k_example, "--identity", k_identity, "--hook",
                  "settings.after.password", "--transient-payload",
                  dir.write("tp.json", R"({"utm": "x"})"), "--dry-run", "--format", "json"});
    REQUIRE(r.status == 0);
    CHECK(r.err.find("Kratos does not pass it to settings.after.password") != std::string::npos);
    const auto report = nlohmann::json::parse(r.out);
    CHECK_FALSE(report["context"]["flow"].contains("transient_payload"));
  }
}

TEST_CASE("cli test-identify: a huge answer is read as Kratos reads it and shown in part") {
  test::FakeSegment segment;
  segment.script({{200, std::string(std::size_t{12} << 20, 'x'), ""}});  // 12 MB
  const auto r = run_tool({"test-identify", "--jsonnet", k_example, "--identity", k_identity,
                           "--url", segment.url("/v1/identify")},
                          with_key());
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("[12582912 bytes in all; the first 65536 shown, the first 5 MB read, as "
                   "Kratos reads them]") != std::string::npos);
  CHECK(r.out.size() < (std::size_t{1} << 20));
}

TEST_CASE("cli test-identify: each run that sends has a flow of its own, so its messageId is new") {
  // Kratos creates a flow (a UUIDv4) each time; Segment drops a messageId it has seen.
  test::TempDir dir;
  const std::string t = dir.write("t.jsonnet",
                                  "function(ctx) { userId: ctx.identity.id, messageId: "
                                  "'ory-identify-' + ctx.flow.id }\n");
  test::FakeSegment segment;
  const auto send = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"test-identify",
                                     "--jsonnet",
                                     t,
                                     "--identity",
                                     k_identity,
                                     "--url",
                                     segment.url("/v1/identify"),
                                     "--format",
                                     "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_tool(args, with_key());
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    return nlohmann::json::parse(r.out)["message_id"].get<std::string>();
  };
  const std::string first = send({}), second = send({});
  CHECK(first != second);
  const auto bodies = segment.requests();
  REQUIRE(bodies.size() == 2);
  CHECK(nlohmann::json::parse(bodies[0].body)["messageId"] == first);
  CHECK(nlohmann::json::parse(bodies[1].body)["messageId"] == second);
  // --flow-id pins it; a dry run is stable.
  const std::string pinned = "6F1C2D3E-4A5B-4C6D-8E7F-9A0B1C2D3E4F";
  CHECK(send({"--flow-id", pinned}) == "ory-identify-6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f");
  CHECK(send({"--dry-run"}) == send({"--dry-run"}));
  const auto bad = run_tool({"test-identify", "--jsonnet", t, "--flow-id", "x", "--dry-run"});
  CHECK(bad.status == 2);
  CHECK(bad.err.find("--flow-id: 'x' is not a UUID") != std::string::npos);
}

TEST_CASE(
    "cli test-identify --action: the deployed action, sent to listen, its body under --body-root") {
  test::TempDir dir;
  // The action as deployed: Segment's URL, a body the Kratos container reads at its own path.
  const std::string root = dir.path() + "/container";
  test::run_program({"/bin/mkdir", "-p", root + "/etc/config/kratos"});
  dir.write("container/etc/config/kratos/segment.jsonnet", test::read_file(k_example));
  const std::string act = dir.file("action.json");
  REQUIRE(run_tool({"build-action", "--body", "file:///etc/config/kratos/segment.jsonnet",
                    "--ignore-response", "-o", act},
                   with_key())
              .status == 0);
  // Without --body-root the host has no such file.
  auto r = run_tool({"test-identify", "--action", act, "--identity", k_identity, "--dry-run"});
  CHECK(r.status == 2);
  CHECK(r.err.find("/etc/config/kratos/segment.jsonnet") != std::string::npos);

  test::BackgroundTool listen({"listen", "--port", "0", "--max-events", "1", "--write-key", k_key});
  const std::string base = listen.listen_url();
  REQUIRE(base.rfind("http://127.0.0.1:", 0) == 0);
  r = run_tool({"test-identify", "--action", act, "--body-root", root, "--url", base, "--identity",
                k_identity});
  CAPTURE(r.out, r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("verdict: accepted") != std::string::npos);
  CHECK(r.err.find("sending to " + base +
                   "/v1/identify (--url) instead of the action's "
                   "https://api.segment.io/v1/identify") != std::string::npos);
  CHECK(r.err.find("is read from " + root + "/etc/config/kratos/segment.jsonnet") !=
        std::string::npos);
  const auto heard = listen.wait();
  CHECK(heard.status == 0);
  CHECK(heard.out.find("identify") != std::string::npos);
  CHECK(heard.out.find("1 accepted, 0 would be dropped") != std::string::npos);
  // --call and --region still come from the action; --body-root only with one.
  CHECK(run_tool({"test-identify", "--action", act, "--call", "track", "--dry-run"}).status == 2);
  r = run_tool({"test-identify", "--jsonnet", k_example, "--body-root", root, "--dry-run"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--body-root goes with --action") != std::string::npos);
}

TEST_CASE("cli test-identify --format json: the same keys, in order, whatever the verdict") {
  test::TempDir dir;
  test::FakeSegment segment;
  segment.script({test::FakeSegment::Reply(200), test::FakeSegment::Reply(400, "{}")});
  const std::string send = segment.url("/v1/identify");
  const std::string bad = dir.write("bad.jsonnet", "function(ctx) ctx.identity.nope");
  const std::string no_user = dir.write("no_user.jsonnet", "function(ctx) { traits: {} }");
  const std::vector<std::vector<std::string>> runs = {
      {"--jsonnet", k_example, "--identity", k_identity, "--dry-run"},    // dry-run
      {"--jsonnet", bad, "--identity", k_identity, "--dry-run"},          // template-failed
      {"--jsonnet", no_user, "--identity", k_identity, "--dry-run"},      // Segment would refuse
      {"--jsonnet", k_example, "--identity", k_identity, "--url", send},  // sent, 200
      {"--jsonnet", k_example, "--identity", k_identity, "--url", send},  // sent, 400
  };
  std::set<std::string> verdicts;
  for (const auto& args : runs) {
    std::vector<std::string> argv = {"test-identify", "--format", "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = run_tool(argv, with_key());
    CAPTURE(args, r.out, r.err);
    const auto report = nlohmann::ordered_json::parse(r.out);
    std::vector<std::string> keys;
    for (const auto& [key, value] : report.items()) keys.push_back(key);
    CHECK(keys == std::vector<std::string>{"verdict", "summary", "error", "hint", "identity",
                                           "call", "context", "body", "encoding", "message_id",
                                           "findings", "response_ignored", "request", "attempts",
                                           "answer", "kratos_status", "kratos_error"});
    verdicts.insert(report["verdict"].get<std::string>());
  }
  CHECK(verdicts.size() == runs.size());  // five runs, five verdicts
}
