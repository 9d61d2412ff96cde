// What an attacker or an unlucky operator sends as input: outputs aimed at inputs, records
// nested 70,000 levels deep, pages of 150 MB, servers that stall, redirect, or ask for a day's
// wait. Beside tests/cli/test_adversarial.cpp; each case names the issue item it holds shut.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "backfill_support.hpp"
#include "fake_kratos.hpp"
#include "fake_segment.hpp"
#include "io/http_client.hpp"
#include "support.hpp"
#include "util/base64.hpp"

using nlohmann::json;
using test::run_tool;

namespace {

const std::string k_template = "function(ctx) { userId: ctx.identity.id }\n";

std::string deep_value(int levels) {
  return std::string(static_cast<std::size_t>(levels), '[') +
         std::string(static_cast<std::size_t>(levels), ']');
}

std::string identity_line(const std::string& id, const std::string& traits = "{}") {
  return "{\"id\":\"" + id + "\",\"traits\":" + traits + "}";
}

}  // namespace

TEST_CASE("adversarial: no output lands on any input, appended or replaced (6)") {
  test::TempDir dir;
  const std::string t = dir.write("t.jsonnet", k_template);
  const std::string ids = dir.write("ids.jsonl", identity_line("a") + "\n");
  const std::string key = dir.write("key.txt", "wk_0123\n");
  const std::string api_key = dir.write("api-key.txt", "ory_pat_0123\n");
  const std::string when = dir.write("when.txt", "2026-01-01T00:00:00Z\n");
  const std::string answer = dir.write("answer.json", "{}\n");
  const std::string action =
      dir.write("action.json",
                R"({"hook":"web_hook","config":{"url":"http://127.0.0.1:9/v1/identify",)"
                R"("method":"POST","body":"file://)" +
                    t + R"(","auth":{"type":"basic_auth","config":{"user":"wk","password":""}}}})");
  const std::vector<std::string> send = {"--url", "http://127.0.0.1:9", "--write-key", "wk"};
  struct Aim {
    std::vector<std::string> args;
    std::string onto;  // the input the output names
    std::string says;
  };
  const auto backfill = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"backfill", "--identities", ids};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  std::vector<Aim> aims = {
      {backfill(
           {"--jsonnet", t, "--failed", t, "--url", "http://127.0.0.1:9", "--write-key", "wk"}),
       t, "--failed " + t + " is also an input of this command (--jsonnet)"},
      {backfill({"--jsonnet", t, "--write-key-file", key, "--failed", key, "--url",
                 "http://127.0.0.1:9"}),
       key, "(--write-key-file)"},
      {backfill({"--action", action, "--failed", t}), t, "(--action's body)"},
      {backfill({"--action", action, "--failed", action}), action, "(--action)"},
      {backfill({"--jsonnet", t, "--created-before", "@" + when, "--failed", when, "--url",
                 "http://127.0.0.1:9", "--write-key", "wk"}),
       when, "(--created-before)"},
      {backfill({"--jsonnet", t, "--state", t, "--failed", dir.file("f.jsonl"), "--url",
                 "http://127.0.0.1:9", "--write-key", "wk"}),
       t, "--state " + t + " is also an input of this command (--jsonnet)"},
      {backfill(
           {"--jsonnet", t, "--failed", ids, "--url", "http://127.0.0.1:9", "--write-key", "wk"}),
       ids, "(--identities)"},
      {{"listen", "--port", "0", "--write-key-file", key, "--jsonl", key},
       key,
       "--jsonl " + key + " is also an input of this command (--write-key-file)"},
      {{"listen", "--port", "0", "--respond", "200:" + answer, "--jsonl", answer},
       answer,
       "(--respond)"},
  };
  // --api-key-file goes with the admin API: refused before any request is made.
  std::vector<std::string> admin = {
      "backfill", "--jsonnet", t,      "--from-admin-api", "http://127.0.0.1:9", "--api-key-file",
      api_key,    "--failed",  api_key};
  admin.insert(admin.end(), send.begin(), send.end());
  aims.push_back({admin, api_key, "(--api-key-file)"});
  for (const Aim& aim : aims) {
    CAPTURE(aim.args);
    const std::string before = test::read_file(aim.onto);
    const auto r = run_tool(aim.args);
    CHECK(r.status == 2);
    CHECK(r.err.find(aim.says) != std::string::npos);
    CHECK(test::read_file(aim.onto) == before);
  }
}

TEST_CASE("adversarial: a record nested 70,000 levels deep is refused alone, no crash (16)") {
  test::TempDir dir;
  const std::string t = dir.write("t.jsonnet", k_template);
  const std::string deep = identity_line("deep", "{\"x\":" + deep_value(70000) + "}");
  const std::string good = identity_line("good");
  const std::string lines = dir.write("lines.jsonl", deep + "\n" + good + "\n");
  const std::string page = dir.write(
      "page.json", "{\"identities\":[" + deep + "," + good + "],\"next_page_token\":\"\"}\n");
  test::FakeKratosAdmin kratos(0);
  kratos.answer_next({"[" + deep + "," + good + "]", 0, false, ""});
  for (const std::vector<std::string>& input :
       {std::vector<std::string>{"--identities", lines},
        std::vector<std::string>{"--identities", page},
        std::vector<std::string>{"--from-admin-api", kratos.base()}}) {
    CAPTURE(input);
    std::vector<std::string> args = {"backfill", "--jsonnet", t, "--dry-run"};
    args.insert(args.end(), input.begin(), input.end());
    const auto r = run_tool(args);
    INFO(r.err);
    CHECK(r.status == 1);  // one failed
    CHECK(r.err.find("record 0: parse: nests deeper than 256 levels") != std::string::npos);
    CHECK(r.out.find("\"userId\":\"good\"") != std::string::npos);
  }
  // listen: a 140 KB body of brackets is answered 400, and it goes on listening.
  test::BackgroundTool listen({"listen", "--port", "0", "--max-events", "1", "--quiet"});
  const std::string base = listen.listen_url();
  auto client = io::make_curl_client({});
  io::HttpRequest req;
  req.url = base + "/v1/batch";
  req.headers = {{"Content-Type", "application/json"}};
  req.body = "{\"batch\":" + deep_value(70000) + "}";
  CHECK(client->send(req).status == 400);
  req.url = base + "/v1/identify";
  req.body = R"({"userId":"u1"})";
  CHECK(client->send(req).status == 200);
  CHECK(listen.wait().status == 0);
}

TEST_CASE("adversarial: a 150 MB admin API page is refused with memory bounded (17)") {
  test::TempDir dir;
  test::FakeKratosAdmin kratos(0);
  kratos.answer_next({"", std::size_t{150} << 20, false, ""});
  const auto r = run_tool({"backfill", "--jsonnet", dir.write("t.jsonnet", k_template),
                           "--from-admin-api", kratos.base(), "--dry-run"});
  INFO(r.err);
  CHECK(r.status == 2);
  CHECK(r.err.find("over the 32 MB this reads; pass a smaller --page-size") != std::string::npos);
#if defined(__SANITIZE_ADDRESS__)
  const long bound_kb = 1L << 20;  // ASan's shadow memory and quarantine come on top
#else
  const long bound_kb = 200L << 10;
#endif
  CHECK(r.peak_rss_kb > 0);
  CHECK(r.peak_rss_kb < bound_kb);
  // A page just under the limit, of ~100,000 small identities (parsed whole, it cost some
  // 20 times its size), is read one identity at a time; --created-before skips them all.
  kratos.answer_next({"", std::size_t{30} << 20, false, ""});
  const auto whole =
      run_tool({"backfill", "--jsonnet", dir.file("t.jsonnet"), "--from-admin-api", kratos.base(),
                "--dry-run", "--created-before", "2020-01-01T00:00:00Z", "--format", "json"});
  INFO(whole.err);
  CHECK(whole.status == 0);
  CHECK(whole.err.find("\"read\":1") != std::string::npos);  // 100,000 and more
  CHECK(whole.peak_rss_kb < bound_kb);
}

TEST_CASE("adversarial: a page that stops mid-body ends at SIGTERM within 2 s (15, fake mode)") {
  test::TempDir dir;
  test::FakeKratosAdmin kratos(0);
  kratos.answer_next({"", 0, true, ""});
  test::BackgroundTool run({"backfill", "--jsonnet", dir.write("t.jsonnet", k_template),
                            "--from-admin-api", kratos.base(), "--dry-run"});
  for (int i = 0; i < 600 && kratos.requests().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE_FALSE(kratos.requests().empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // into the body
  const auto t0 = std::chrono::steady_clock::now();
  run.signal(SIGTERM);
  const auto r = run.wait(60000);
  INFO(r.err);
  CHECK(r.status == 143);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
}

TEST_CASE("adversarial: the Bearer key never follows a redirect to another origin") {
  test::TempDir dir;
  const std::string secret = "ory_pat_r3d1rect";
  test::FakeKratosAdmin kratos(3, secret);
  test::FakeKratosAdmin elsewhere(3);
  kratos.answer_next({"", 0, false, elsewhere.base() + "/admin/identities?page_size=500"});
  const auto r =
      run_tool({"backfill", "--jsonnet", dir.write("t.jsonnet", k_template), "--from-admin-api",
                kratos.base(), "--api-key-file", dir.write("key", secret + "\n"), "--dry-run"});
  INFO(r.err);
  CHECK(r.status == 2);
  CHECK(r.err.find("HTTP 302") != std::string::npos);
  CHECK(elsewhere.requests().empty());
  CHECK(r.err.find(secret) == std::string::npos);
}

TEST_CASE("adversarial: a server asking for a day's wait ends the run at once, resumable") {
  test::TempDir dir;
  const std::string t = dir.write("t.jsonnet", k_template);
  const std::string ids = dir.write("ids.jsonl", identity_line("a") + "\n");
  SECTION("Segment: 429 with Retry-After: 86400") {
    test::FakeSegment segment;
    segment.script({{429, "{}", "86400"}});
    const auto r = run_tool({"backfill", "--jsonnet", t, "--identities", ids, "--url",
                             segment.url(""), "--write-key", "wk", "--failed",
                             dir.file("failed.jsonl"), "--state", dir.file("state.json")});
    INFO(r.err);
    CHECK(r.status == 3);
    CHECK(r.err.find("asks for a wait of 86400 s") != std::string::npos);
    CHECK(segment.requests().size() == 1);
    // Nothing was given up: the same command sends it.
    const auto again = run_tool({"backfill", "--jsonnet", t, "--identities", ids, "--url",
                                 segment.url(""), "--write-key", "wk", "--failed",
                                 dir.file("failed.jsonl"), "--state", dir.file("state.json")});
    CHECK(again.status == 0);
    CHECK(segment.requests().size() == 2);
  }
  SECTION("the admin API: 503 with Retry-After: 86400") {
    test::FakeKratosAdmin kratos(3);
    kratos.fail({{503, "86400"}});
    const auto r =
        run_tool({"backfill", "--jsonnet", t, "--from-admin-api", kratos.base(), "--dry-run"});
    INFO(r.err);
    CHECK(r.status == 3);
    CHECK(r.err.find("asks for a wait of 86400 s") != std::string::npos);
    CHECK(kratos.requests().size() == 1);
  }
}

TEST_CASE("adversarial: text from the network or a file cannot drive the terminal (14)") {
  // listen prints a line per message: its keys and values are escaped.
  test::BackgroundTool listen({"listen", "--port", "0", "--max-events", "1"});
  const std::string base = listen.listen_url();
  auto client = io::make_curl_client({});
  io::HttpRequest req;
  req.url = base + "/v1/identify";
  req.headers = {{"Content-Type", "application/json"}};
  req.body = json{{"userId", "u\x1b]0;owned\x07"},
                  {"traits", {{"\x1b[2Jkey", "line\nory-segment: error: forged"}}}}
                 .dump();
  CHECK(client->send(req).status == 200);
  const auto r = listen.wait();
  INFO(r.out);
  CHECK(r.out.find('\x1b') == std::string::npos);
  CHECK(r.out.find("\\x1b[2Jkey=line\\nory-segment") != std::string::npos);
  // A diagnostic quoting a file name: no escape sequence, no line of its own.
  test::TempDir dir;
  const auto bad = run_tool({"encode", dir.file("x\n\x1b[31mory-segment: error: forged")});
  CHECK(bad.status == 2);
  CHECK(bad.err.find('\x1b') == std::string::npos);
  CHECK(bad.err.find("\nory-segment: error: forged") == std::string::npos);
}

TEST_CASE("adversarial: the proxy a request goes through is named (11)") {
  test::TempDir dir;
  // The proxy (port 9 on this machine) refuses: no request leaves it.
  const auto named = run_tool({"backfill", "--jsonnet", dir.write("t2.jsonnet", k_template),
                               "--from-admin-api", "https://kratos.invalid", "--api-key-file",
                               dir.write("key2", "ory_pat_x\n"), "--dry-run", "--max-retries", "0"},
                              {std::nullopt, {{"https_proxy", "http://user:pw@127.0.0.1:9"}}, {}});
  INFO(named.err);
  CHECK(named.err.find("requests to kratos.invalid go through the proxy http://user:") !=
        std::string::npos);
  CHECK(named.err.find(":pw@") == std::string::npos);
  CHECK(named.err.find("(https_proxy)") != std::string::npos);
}

TEST_CASE("adversarial: a resume refuses a failed file another run wrote into since (1)") {
  test::TempDir dir;
  test::FakeSegment segment;
  segment.hold();  // the first run is stopped with its batch in flight
  const std::string t = dir.write("t.jsonnet", k_template);
  const auto command = [&](const std::string& ids, const std::string& state) {
    return test::backfill_with_state(t, ids, segment.url(""), state, dir.file("failed.jsonl"));
  };
  const std::string ids =
      dir.write("ids.jsonl", identity_line("a") + "\n" + identity_line("b") + "\n");
  const auto first = command(ids, dir.file("a.json"));
  {
    test::BackgroundTool run(first);
    REQUIRE(segment.wait_for_requests(1));
    run.signal(SIGTERM);
    CHECK(run.wait(60000).status == 143);
  }
  segment.release();
  // Another run, on other input, writes its failure for record 0 into the same file.
  const auto other = run_tool(command(dir.write("other.jsonl", "not json\n"), dir.file("b.json")));
  CHECK(other.status == 1);
  const std::size_t requests = segment.requests().size();
  // Resumed, the first run would have taken that line for its own record 0 ("a") and never
  // sent it; it refuses instead.
  const auto resumed = run_tool(first);
  INFO(resumed.err);
  CHECK(resumed.status == 2);
  CHECK(resumed.err.find(dir.file("failed.jsonl") + " holds failures of another run (") !=
        std::string::npos);
  CHECK(segment.requests().size() == requests);
  // With the other run's lines moved elsewhere, it sends both.
  CHECK(test::read_file(dir.file("failed.jsonl")).find("\"record\":0") != std::string::npos);
  dir.write("failed.jsonl", "");
  const auto again = run_tool(first);
  INFO(again.err);
  CHECK(again.status == 0);
  REQUIRE(segment.requests().size() == requests + 1);
  const std::string body = segment.requests().back().body;
  CHECK(body.find("\"userId\":\"a\"") != std::string::npos);
  CHECK(body.find("\"userId\":\"b\"") != std::string::npos);
}

TEST_CASE("adversarial: lint of 800 hooks lints each template once and places every finding (19)") {
  // Text took 0.05 s and SARIF 50 s (each finding's place parsed the config again); hooks that
  // differ only in their URL's query were each linted again (70 ms apiece).
  test::TempDir dir;
  std::string config =
      "selfservice:\n  flows:\n    registration:\n      after:\n        password:\n"
      "          hooks:\n";
  const int hooks = 800;
  for (int i = 0; i < hooks; ++i) {
    config +=
        "            - hook: web_hook\n              config:\n"
        "                url: https://api.segment.io/v1/identify?n=" +
        std::to_string(i) + "\n                method: POST\n                body: base64://" +
        util::base64_encode(k_template) + "\n";
  }
  const std::string path = dir.write("kratos.yml", config);
  const auto text = run_tool({"lint", "--config", path, "--format", "json"});
  const json report = json::parse(text.out);
  int repeated = 0;
  for (const auto& f : report["findings"]) repeated += f["rule"] == "body-repeated" ? 1 : 0;
  CHECK(repeated == hooks - 1);  // linted once, the others pointing at it
  const auto sarif = run_tool({"lint", "--config", path, "--format", "sarif"});
  const json log = json::parse(sarif.out);
  std::set<long> repeated_lines;
  for (const auto& result : log["runs"][0]["results"]) {
    if (result["ruleId"] != "body-repeated") continue;
    repeated_lines.insert(
        result["locations"][0]["physicalLocation"]["region"]["startLine"].get<long>());
  }
  // Each at its own hook's body line: 7 + 5 * i + 4 for hook i.
  CHECK(repeated_lines.size() == static_cast<std::size_t>(hooks - 1));
  CHECK(*repeated_lines.begin() == 7 + 5 * 1 + 4);
  CHECK(*repeated_lines.rbegin() == 7 + 5 * (hooks - 1) + 4);
}

TEST_CASE("adversarial: patch --apply leaves what it does not touch as written (8)") {
  test::TempDir dir;
  const std::string action = dir.write(
      "action.json",
      R"({"hook":"web_hook","config":{"url":"https://api.segment.io/v1/identify","method":"POST",)"
      R"("body":"base64://)" +
          util::base64_encode(k_template) +
          R"(","auth":{"type":"basic_auth","config":{"user":"wk","password":""}},)"
          R"("response":{"ignore":true}}})");
  const std::string untouched =
      "# Kratos, as deployed\n"
      "version: v1.0.0  # pinned\n"
      "limits: &limits\n"
      "  ratio: .inf\n"
      "  nothing: .nan\n"
      "  big: 123456789012345678901234567890\n"
      "  exact: 9007199254740993\n"
      "  blob: !!binary aGVsbG8=\n"
      "  quoted: 'yes'\n"
      "copy: *limits\n";
  const std::string hooks =
      "selfservice:\n"
      "  flows:\n"
      "    registration:\n"
      "      after:\n"
      "        password:\n"
      "          hooks:\n"
      "            - hook: session  # keeps the session\n";
  const std::string config = dir.write("kratos.yml", untouched + hooks);
  const auto r = run_tool(
      {"patch", "--action", action, "--config", config, "--method", "password", "--apply"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  const std::string written = test::read_file(config);
  CHECK(written.rfind(untouched + hooks.substr(0, hooks.rfind("            - hook: session")) +
                          "            - hook: web_hook\n",
                      0) == 0);
  CHECK(written.find("            - hook: session  # keeps the session\n") != std::string::npos);
  CHECK(test::read_file(config + ".bak") == untouched + hooks);

  // A repeated key (Go's YAML refuses it, so Kratos does not start) is refused by every verb.
  const std::string dup = dir.write("dup.yml", "selfservice: {}\nversion: v1\nversion: v2\n");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"lint", "--config", dup}, std::vector<std::string>{"decode", dup},
        std::vector<std::string>{"patch", "--action", action, "--config", dup, "--apply"}}) {
    CAPTURE(args);
    const auto refused = run_tool(args);
    CHECK(refused.status == 2);
    CHECK(refused.err.find(dup + ":3:1: mapping key \"version\" already defined at line 2") !=
          std::string::npos);
  }
  CHECK(test::read_file(dup) == "selfservice: {}\nversion: v1\nversion: v2\n");
}

TEST_CASE("adversarial: an admin API record that is not JSON fails alone, its cause named") {
  // Invalid UTF-8 and a number no double holds: each record fails with what is wrong and where,
  // never quoting the record (it may hold a secret), never the JSON library's own codes.
  test::TempDir dir;
  const std::string bad_utf8 = identity_line("u", "{\"name\":\"\xff\"}");
  const std::string huge = identity_line("n", "{\"age\":1e999}");
  const std::string good = identity_line("good");
  test::FakeKratosAdmin kratos(0);
  kratos.answer_next({"[" + bad_utf8 + "," + huge + "," + good + "]", 0, false, ""});
  const auto r = run_tool({"backfill", "--jsonnet", dir.write("t.jsonnet", k_template),
                           "--from-admin-api", kratos.base(), "--dry-run"});
  CAPTURE(r.err);
  CHECK(r.status == 1);
  CHECK(r.err.find("record 0: parse: line 1, column 29: invalid JSON: syntax error while parsing "
                   "value - invalid string: ill-formed UTF-8 byte") != std::string::npos);
  CHECK(r.err.find("record 1: parse: invalid JSON: number overflow parsing '1e999'") !=
        std::string::npos);
  CHECK(r.err.find("json.exception") == std::string::npos);
  CHECK(r.err.find("last read") == std::string::npos);
  CHECK(r.out.find("\"userId\":\"good\"") != std::string::npos);
}
