// What an attacker or an unlucky operator tries: each case names the defect it holds shut.
// Beside tests/cli/test_bad_input.cpp's table of plain bad input.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "backfill_support.hpp"
#include "fake_kratos.hpp"
#include "fake_segment.hpp"
#include "support.hpp"
#include "util/base64.hpp"

using nlohmann::json;
using test::run_tool;

namespace {

// Every native function the tool registers in libjsonnet, its own and go-jsonnet's
// polyfills': none may be reachable from a user's template (Kratos registers none).
const char* const k_natives[] = {"ory_prune",
                                 "ory_digest_base64",
                                 "ory_strip_chars",
                                 "ory_atan2",
                                 "ory_hypot",
                                 "ory_round",
                                 "ory_equals_fold",
                                 "ory_trim_space",
                                 "ory_split_limit_r",
                                 "ory_sha1",
                                 "ory_sha256",
                                 "ory_sha512",
                                 "ory_sha3_512",
                                 "ory_parse_int",
                                 "ory_split_limit",
                                 "ory_format_pieces",
                                 "ory_format_join",
                                 "ory_manifest_json_ex",
                                 "ory_manifest_yaml_doc",
                                 "ory_segment_started",
                                 "ory_segment_loaded",
                                 "ory_segment_result",
                                 "ory_segment_next",
                                 "ory_segment_item",
                                 "ory_segment_emit",
                                 "ory_segment_done",
                                 "ory_segment_cancel",
                                 "ory_segment_absent",
                                 "ory_segment_absent_ids",
                                 "ory_segment_has_absent"};

struct Case {
  const char* defect;  // the issue's item
  std::vector<std::string> args;
  int status;
  std::string says;  // on stderr
};

}  // namespace

TEST_CASE("adversarial: inputs that once lost data or lied, each refused with a reason") {
  test::TempDir dir;
  const std::string t = dir.write("t.jsonnet", "function(ctx) { userId: ctx.identity.id }\n");
  const std::string ids = dir.write("ids.jsonl", "{\"id\":\"a\",\"traits\":{}}\n");
  const std::vector<Case> cases = {
      {"5: --failed '' wrote failures nowhere while the state marked them done",
       {"backfill", "--jsonnet", t, "--identities", ids, "--url", "http://127.0.0.1:9",
        "--write-key", "wk", "--failed", ""},
       2,
       "--failed needs a file"},
      {"21: --client-timeout 0 was refused with a range that includes it",
       {"listen", "--port", "0", "--client-timeout", "0"},
       2,
       "--client-timeout must be above 0 and at most 3600 seconds"},
      {"12: an --event that is not UTF-8 went into the template",
       {"init", "--schema", test::source_path("examples/identity.schema.json"), "--call", "track",
        "--event", "Signed \xff Up", "-o", dir.file("out.jsonnet")},
       2,
       "--event is not UTF-8"},
  };
  const std::string not_utf8 = dir.write(
      "action.json",
      R"({"hook":"web_hook","config":{"url":"http://127.0.0.1:9/v1/identify","method":"POST",)"
      R"("body":"base64://ZnVuY3Rpb24oY3R4KSB7IGE6ICL/IiB9",)"  // function(ctx) { a: "\xff" }
      R"("auth":{"type":"basic_auth","config":{"user":"wk","password":""}}}})");
  const std::vector<Case> more = {
      {"18: backfill --action with a body that is not UTF-8 aborted (SIGABRT)",
       {"backfill", "--action", not_utf8, "--identities", ids, "--dry-run"},
       2,
       "(body): the base64:// body's template is not UTF-8 (byte 20 of it)"},
      {"18: decode --format json of it said 'internal error'",
       {"decode", not_utf8, "--format", "json"},
       2,
       "the base64:// body's template is not UTF-8"},
  };
  std::vector<Case> all = cases;
  all.insert(all.end(), more.begin(), more.end());
  for (const auto& c : all) {
    CAPTURE(c.defect);
    const auto r = run_tool(c.args);
    CHECK(r.status == c.status);
    CHECK(r.err.find(c.says) != std::string::npos);
  }
  CHECK_FALSE(test::file_exists(dir.file("out.jsonnet")));
  // 18: a YAML float beyond a double (1e309) said "internal error: stod"; Go's YAML keeps it
  // a string, and so does every verb.
  const std::string config = dir.write("config.yml", "a: 1e309\nselfservice: {}\n");
  for (const std::vector<std::string>& args : {std::vector<std::string>{"lint", "--config", config},
                                               std::vector<std::string>{"decode", config}}) {
    const auto r = run_tool(args);
    CAPTURE(args);
    CHECK(r.err.find("internal error") == std::string::npos);
    CHECK(r.status != 134);
  }
}

TEST_CASE("adversarial: no native function of the tool is reachable from a template (13)") {
  test::TempDir dir;
  std::string names = "[";
  for (const char* n : k_natives) names += std::string(names.size() > 1 ? "," : "") + "'" + n + "'";
  names += "]";
  // go-jsonnet's std.native gives null for a name nobody registered, as in Kratos.
  const std::string probe =
      dir.write("probe.jsonnet",
                "function(ctx) { userId: ctx.identity.id, traits: { reachable: [n for n in " +
                    names + " if std.native(n) != null] } }\n");
  const std::string identity = test::source_path("examples/identity.json");
  const auto tested = run_tool({"test-identify", "--jsonnet", probe, "--identity", identity,
                                "--dry-run", "--format", "json"});
  INFO(tested.out << tested.err);
  REQUIRE(tested.status == 0);
  CHECK(json::parse(json::parse(tested.out)["body"].get<std::string>())["traits"]["reachable"] ==
        json::array());
  // Through backfill's helper processes, which register more.
  const auto backfilled =
      run_tool({"backfill", "--jsonnet", probe, "--identities",
                dir.write("ids.jsonl", "{\"id\":\"a\",\"traits\":{}}\n"), "--dry-run"});
  INFO(backfilled.err);
  REQUIRE(backfilled.status == 0);
  CHECK(json::parse(backfilled.out)["traits"]["reachable"] == json::array());
  // A template cannot forge the tool's result: calling the null fails the hook, as in Kratos.
  const std::string forge = dir.write(
      "forge.jsonnet", "function(ctx) std.native('ory_segment_result')('{\"userId\":\"x\"}')\n");
  const auto forged = run_tool({"test-identify", "--jsonnet", forge, "--identity", identity,
                                "--dry-run", "--format", "json"});
  CHECK(forged.status == 1);
  CHECK(json::parse(forged.out)["verdict"] == "template-failed");
  CHECK(run_tool({"test-identify", "--jsonnet",
                  dir.write("num.jsonnet", "function(ctx) { userId: std.native(1) }\n"),
                  "--identity", identity, "--dry-run"})
            .err.find("Unexpected type number, expected string") != std::string::npos);
}

TEST_CASE("adversarial: a schema's property names cannot write code into init's template (12)") {
  test::TempDir dir;
  // A name that would end the string, or the comment line, and cancel every call.
  const std::string hostile = "x'\n  error 'cancel' //\r\u0000\u001b[2J";
  json schema = {
      {"$id", "https://example.com/s.json"},
      {"type", "object"},
      {"properties",
       {{"traits",
         {{"type", "object"},
          {"properties",
           {{"email", {{"type", "string"}, {"format", "email"}}}, {hostile, {{"type", "string"}}}}},
          {"required", {"email"}}}}}}};
  const std::string schema_path = dir.write("schema.json", schema.dump());
  const std::string out = dir.file("t.jsonnet");
  const auto written = run_tool({"init", "--schema", schema_path, "-o", out});
  INFO(written.err);
  REQUIRE(written.status == 0);
  const std::string source = test::read_file(out);
  // The name stays inside its strings (escaped) and its comment line (control characters
  // blanked): no line of code starts with it.
  CHECK(source.find("\n  error") == std::string::npos);
  CHECK(source.find('\r') == std::string::npos);
  CHECK(source.find('\x1b') == std::string::npos);
  // The name goes through as data: the identity that has it sends it, nothing is cancelled.
  json identity = {{"id", "9f425a8d-7efc-4768-8f23-7647a74fdf13"},
                   {"created_at", "2026-01-01T00:00:00Z"},
                   {"traits", {{"email", "a@example.com"}, {hostile, "v"}}}};
  const auto tested =
      run_tool({"test-identify", "--jsonnet", out, "--identity",
                dir.write("identity.json", identity.dump()), "--dry-run", "--format", "json"});
  INFO(tested.out << tested.err);
  REQUIRE(tested.status == 0);
  CHECK(json::parse(json::parse(tested.out)["body"].get<std::string>())["traits"][hostile] == "v");
  CHECK(run_tool({"lint", "--jsonnet", out, "--schema", schema_path}).status == 0);
}

TEST_CASE("adversarial: bash completes a file name with spaces as one word (21)") {
  test::TempDir dir;
  dir.write("my identities.json", "[]");
  const std::string script = dir.write("c.bash", run_tool({"completion", "bash"}).out);
  const auto r = test::run_program(
      {"/bin/bash", "-c",
       "source " + script + "; cd " + dir.file("") +
           " && COMP_WORDS=(ory-segment backfill --identities my); COMP_CWORD=3; _ory_segment; "
           "printf '%s\\n' \"${#COMPREPLY[@]}\" \"${COMPREPLY[@]}\""});
  INFO(r.out << r.err);
  CHECK(r.out == "1\nmy identities.json\n");
}

TEST_CASE(
    "adversarial: lint's text never passes a config's control characters to the terminal "
    "(14)") {
  test::TempDir dir;
  const json config = {{"selfservice",
                        {{"flows",
                          {{"registration",
                            {{"after",
                              {{"hooks",
                                {{{"hook", "web_hook"},
                                  {"config",
                                   {{"url", "https://example.com/\x1b[2J\nforged: line"},
                                    {"method", "POST"},
                                    {"body", "base64://ZnVuY3Rpb24oY3R4KSB7fQ=="}}}}}}}}}}}}}}};
  const auto r =
      run_tool({"lint", "--config", dir.write("config.json", config.dump()), "--format", "text"});
  INFO(r.out << r.err);
  CHECK(r.out.find('\x1b') == std::string::npos);
  CHECK(r.out.find("\nforged: line") == std::string::npos);
}

TEST_CASE(
    "adversarial: an admin API whose pages cycle is stopped before anyone is sent twice (7)") {
  test::FakeKratosAdmin kratos(30, "", 10);
  kratos.cycle_after(2);  // page 2's next page is the first again
  test::FakeSegment segment;
  test::TempDir dir;
  const auto r =
      run_tool({"backfill", "--jsonnet", test::source_path("examples/segment_identify.jsonnet"),
                "--from-admin-api", kratos.base(), "--page-size", "10", "--url", segment.url(""),
                "--write-key", "wk", "--failed", dir.file("failed.jsonl"), "--progress", "never"});
  INFO(r.err);
  CHECK(r.status == 2);
  CHECK(r.err.find("was already read in this run: the pages cycle") != std::string::npos);
  CHECK(kratos.requests().size() == 2);
  std::vector<std::string> users;
  for (const auto& request : segment.requests()) {
    const json body = json::parse(request.body);  // kept: the loop reads into it
    for (const auto& m : body["batch"]) users.push_back(m["userId"]);
  }
  CHECK(users.size() <= 20);  // of the two pages read
  CHECK(std::set<std::string>(users.begin(), users.end()).size() == users.size());  // once each
}

TEST_CASE("adversarial: a state that cannot be saved stops the run before anything is sent (3)") {
  test::TempDir dir;
  test::FakeSegment segment;
  const std::string ids = dir.write("ids.jsonl", "{\"id\":\"a\",\"traits\":{}}\n");
  ::symlink(dir.file("no/such/dir/state.json").c_str(), dir.file("dangling").c_str());
  for (const std::string& state : {dir.file("no/such/dir/state.json"), dir.file("dangling")}) {
    CAPTURE(state);
    const auto r =
        run_tool({"backfill", "--jsonnet", test::source_path("examples/segment_identify.jsonnet"),
                  "--identities", ids, "--url", segment.url(""), "--write-key", "wk", "--failed",
                  dir.file("failed.jsonl"), "--state", state});
    CHECK(r.status == 2);
    CHECK(r.err.find("cannot save the state: ") != std::string::npos);
    CHECK(r.err.find("nothing was sent") != std::string::npos);
  }
  CHECK(segment.requests().empty());
}

TEST_CASE("adversarial: listen --jsonl that cannot be written ends non-zero (9)") {
  test::BackgroundTool listen(
      {"listen", "--port", "0", "--exit-after", "60", "--jsonl", "/dev/full"});
  const std::string url = listen.listen_url();
  const auto sent = run_tool({"test-identify", "--jsonnet",
                              test::source_path("examples/segment_identify.jsonnet"), "--identity",
                              test::source_path("examples/identity.json"), "--url",
                              url + "/v1/identify", "--timeout", "5"});
  CHECK(sent.status == 1);  // 503: the message was not recorded, so not acknowledged
  listen.signal(SIGTERM);
  const auto r = listen.wait();
  INFO(r.out << r.err);
  CHECK(r.status == 143);  // stopped by SIGTERM
  CHECK(r.err.find("/dev/full: some messages could not be recorded (answered 503)") !=
        std::string::npos);
}

TEST_CASE("adversarial: a server that echoes the request never gets a secret printed (10)") {
  test::TempDir dir;
  const std::string key = "wk_live_8f3a2c91d4";
  // test-identify against an endpoint that echoes the headers it got.
  test::FakeSegment echo;
  const std::string basic = "Basic " + util::base64_encode(key + ":");
  for (const char* format : {"text", "json"}) {
    echo.script({{400, "{\"error\":\"bad request\",\"headers\":{\"authorization\":\"" + basic +
                           "\",\"raw\":\"" + util::base64_encode(key) + "\"}}"}});
    const auto r = run_tool(
        {"test-identify", "--jsonnet", test::source_path("examples/segment_identify.jsonnet"),
         "--identity", test::source_path("examples/identity.json"), "--url",
         echo.url("/v1/identify"), "--format", format},
        {std::nullopt, {{"SEGMENT_WRITE_KEY", key}}, {}});
    CAPTURE(format);
    INFO(r.out << r.err);
    CHECK(r.status == 1);
    CHECK(r.out.find("bad request") != std::string::npos);  // the body is shown
    for (const std::string& secret :
         {key, util::base64_encode(key + ":"), util::base64_encode(key)}) {
      CHECK(r.out.find(secret) == std::string::npos);
      CHECK(r.err.find(secret) == std::string::npos);
    }
  }
  // backfill --from-admin-api against an admin API that echoes the Bearer key in its 401.
  const std::string api_key = "ory_pat_5ecr3t_9c1e";
  test::FakeKratosAdmin kratos(5, api_key);
  kratos.fail({{401, "", true}});
  const auto r = run_tool(
      {"backfill", "--jsonnet", test::source_path("examples/segment_identify.jsonnet"),
       "--from-admin-api", kratos.base(), "--api-key-file", dir.write("ory-key", api_key + "\n"),
       "--url", echo.url(""), "--write-key", "wk", "--failed", dir.file("failed.jsonl")});
  INFO(r.err);
  CHECK(r.status == 2);
  CHECK(r.err.find("cannot authorize Bearer <redacted>") != std::string::npos);
  CHECK(r.err.find(api_key) == std::string::npos);
}

TEST_CASE("adversarial: two backfills cannot share a state or a failed file (1, 2)") {
  test::TempDir dir;
  test::FakeSegment segment;
  segment.hold();  // the first run's first batch stays in flight
  const std::string ids = dir.write("ids.jsonl", "{\"id\":\"a\",\"traits\":{}}\n");
  const std::string t = dir.write("t.jsonnet", "function(ctx) { userId: ctx.identity.id }\n");
  const auto command = [&](const std::string& state, const std::string& failed) {
    return test::backfill_with_state(t, ids, segment.url(""), state, failed);
  };
  test::BackgroundTool first(command(dir.file("state.json"), dir.file("failed.jsonl")));
  REQUIRE(segment.wait_for_requests(1));
  const auto same_state = run_tool(command(dir.file("state.json"), dir.file("other.jsonl")));
  CHECK(same_state.status == 2);
  CHECK(same_state.err.find("another backfill (pid ") != std::string::npos);
  CHECK(same_state.err.find("is running on " + dir.file("state.json")) != std::string::npos);
  const auto same_failed = run_tool(command(dir.file("state2.json"), dir.file("failed.jsonl")));
  CHECK(same_failed.status == 2);
  CHECK(same_failed.err.find("another backfill is writing its failures there") !=
        std::string::npos);
  segment.release();
  CHECK(first.wait().status == 0);
  CHECK(segment.requests().size() == 1);  // nothing sent twice
  // Once it is done, the state is free again.
  CHECK(run_tool(command(dir.file("state.json"), dir.file("failed.jsonl"))).status == 0);
}

TEST_CASE("adversarial: SIGTERM ends a run blocked on a stalled server at once (15)") {
  test::TempDir dir;
  const std::string t = test::source_path("examples/segment_identify.jsonnet");
  const auto stop_and_time = [](test::BackgroundTool& run) {
    const auto t0 = std::chrono::steady_clock::now();
    run.signal(SIGTERM);
    const auto r = run.wait(60000);
    return std::make_pair(r, std::chrono::steady_clock::now() - t0);
  };
  SECTION("Segment holds its answer") {
    test::FakeSegment segment;
    segment.hold();
    test::BackgroundTool run({"backfill", "--jsonnet", t, "--identities",
                              test::source_path("examples/identities.jsonl"), "--url",
                              segment.url(""), "--write-key", "wk", "--failed",
                              dir.file("failed.jsonl"), "--state", dir.file("state.json")});
    REQUIRE(segment.wait_for_requests(1));
    const auto [r, took] = stop_and_time(run);
    INFO(r.err);
    CHECK(r.status == 143);
    CHECK(took < std::chrono::seconds(5));  // about one second: libcurl's progress tick
    CHECK(test::file_exists(dir.file("state.json")));
    segment.release();
  }
  SECTION("the admin API takes a minute to answer") {
    test::FakeKratosAdmin kratos(5);
    kratos.delay(std::chrono::seconds(60));
    test::FakeSegment segment;
    test::BackgroundTool run({"backfill", "--jsonnet", t, "--from-admin-api", kratos.base(),
                              "--url", segment.url(""), "--write-key", "wk", "--failed",
                              dir.file("failed.jsonl")});
    for (int i = 0; i < 600 && kratos.requests().empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE_FALSE(kratos.requests().empty());
    const auto [r, took] = stop_and_time(run);
    INFO(r.err);
    CHECK(r.status == 143);
    CHECK(took < std::chrono::seconds(5));
  }
}

TEST_CASE("adversarial: a proxy in the environment never sees a request to this machine (11)") {
  // http_proxy would have sent the admin API's key, in clear, to the proxy host, even for
  // Kratos's admin port on 127.0.0.1.
  test::FakeKratosAdmin kratos(5, "ory_pat_k3y");
  test::FakeSegment segment, proxy;
  test::TempDir dir;
  const auto r = run_tool(
      {"backfill", "--jsonnet", test::source_path("examples/segment_identify.jsonnet"),
       "--from-admin-api", kratos.base(), "--api-key-file", dir.write("key", "ory_pat_k3y\n"),
       "--url", segment.url(""), "--write-key", "wk", "--failed", dir.file("failed.jsonl")},
      {std::nullopt,
       {{"http_proxy", proxy.url("")},
        {"https_proxy", proxy.url("")},
        {"ALL_PROXY", proxy.url("")}},
       {}});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(proxy.requests().empty());
  CHECK(kratos.requests().size() == 1);
  CHECK(segment.requests().size() == 1);
}

TEST_CASE("adversarial: --help, --version and help --man that cannot be written fail (20)") {
  const std::string bin = ORY_SEGMENT_BINARY;
  for (const char* args :
       {"--help", "--version", "help --man", "help backfill", "backfill --help"}) {
    CAPTURE(args);
    const auto r = test::run_program({"/bin/sh", "-c", bin + " " + args + " > /dev/full"});
    CHECK(r.status == 2);
    CHECK(r.err.find("cannot write to standard output") != std::string::npos);
  }
}

TEST_CASE("adversarial: backfill --format json gives its summary when the first page fails (20)") {
  test::TempDir dir;
  std::string nobody;
  {
    test::FakeKratosAdmin gone(1);
    nobody = gone.base();
  }
  const auto r =
      run_tool({"backfill", "--jsonnet", test::source_path("examples/segment_identify.jsonnet"),
                "--from-admin-api", nobody, "--url", "http://127.0.0.1:9", "--write-key", "wk",
                "--max-retries", "0", "--format", "json", "--failed", dir.file("failed.jsonl")});
  INFO(r.err);
  CHECK(r.status == 3);
  // The summary is standard output, one line.
  REQUIRE(std::count(r.out.begin(), r.out.end(), '\n') == 1);
  const json summary = json::parse(r.out);
  CHECK(summary["sent"] == 0);
  CHECK(summary["error"].get<std::string>().find("no answer") != std::string::npos);
}

TEST_CASE("adversarial: a line cut short at the end of the failed file is removed first (4)") {
  test::TempDir dir;
  // A run died while writing this line, before any state recorded the file's size.
  const std::string failed = dir.write(
      "failed.jsonl", "{\"id\":\"x\",\"record\":0,\"stage\":\"transform\"}\n{\"id\":\"y\",\"rec");
  const std::string ids = dir.write("ids.jsonl", "{\"id\":\"a\"}\n");  // fails: no traits
  const auto r =
      run_tool({"backfill", "--jsonnet", test::source_path("examples/segment_identify.jsonnet"),
                "--identities", ids, "--url", "http://127.0.0.1:9", "--write-key", "wk", "--failed",
                failed});
  INFO(r.err);
  CHECK(r.status == 1);
  CHECK(r.err.find("removed a line cut short at its end (14 bytes") != std::string::npos);
  std::istringstream lines(test::read_file(failed));
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    CHECK_FALSE(json::parse(line, nullptr, false).is_discarded());
  }
  CHECK(n == 2);
}
