#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "backfill_support.hpp"
#include "fake_segment.hpp"
#include "support.hpp"

using nlohmann::json;

namespace {

const std::string k_example = test::source_path("examples/segment_identify.jsonnet");

using test::big_template;
using test::identity;
using test::read_jsonl;
using test::received_user_ids;

}  // namespace

TEST_CASE("cli backfill: every identity is sent, skipped or in the failed file") {
  test::TempDir dir;
  json input = json::array();
  for (int i = 0; i < 250; ++i) input.push_back(identity(i));
  input[10]["traits"].erase("name");  // fails in the transform
  input[20] = {{"no", "id"}};         // not an identity
  const std::string path = dir.write("identities.json", input.dump());
  const std::string events = dir.file("events.jsonl");
  test::BackgroundTool listen({"listen", "--port", "0", "--quiet", "--exit-after", "120",
                               "--write-key", "wk", "--jsonl", events});
  const std::string url = listen.listen_url();
  const auto r = test::run_tool({"backfill", "--jsonnet", k_example, "--identities", path, "--url",
                                 url, "--write-key-file", dir.write("key", "wk\n"), "--failed",
                                 dir.file("failed.jsonl"), "--state", dir.file("state.json")});
  INFO(r.err);
  CHECK(r.status == 1);  // two records failed
  CHECK(r.err.find("250 read, 248 sent, 0 skipped (cancel), 2 failed") != std::string::npos);
  listen.signal(SIGTERM);
  listen.wait();
  const auto ids = received_user_ids(events);
  CHECK(ids.size() == 248);
  const auto failed = read_jsonl(dir.file("failed.jsonl"));
  REQUIRE(failed.size() == 2);
  std::set<std::string> stages;
  for (const auto& f : failed) stages.insert(f["stage"].get<std::string>());
  CHECK(stages == std::set<std::string>{"identity", "transform"});
  for (const auto& f : failed) {
    if (f["stage"] == "transform") {
      CHECK(f["id"] == "id-10");
      CHECK(f["reason"].get<std::string>().find(":5:11: field does not exist: name") !=
            std::string::npos);
      CHECK(f["identity"]["credentials"].is_object());  // the record as read: retryable
    }
  }
  const auto state = json::parse(test::read_file(dir.file("state.json")));
  CHECK(state["records_done"] == 250);
  // Messages carry type, a deterministic messageId and the identity's created_at.
  const auto first = read_jsonl(events).front()["message"];
  CHECK(first["type"] == "identify");
  CHECK(first["timestamp"] == "2026-01-01T00:00:00Z");
  CHECK(first["messageId"].get<std::string>().rfind("ory-segment-", 0) == 0);
}

TEST_CASE("cli backfill: JSON Lines from stdin, --dry-run, cancel") {
  test::TempDir dir;
  std::string lines;
  for (int i = 0; i < 30; ++i) lines += identity(i).dump() + "\n\n";
  const std::string t = dir.write("t.jsonnet",
                                  "function(ctx) if ctx.identity.traits.consent.newsletter then { "
                                  "userId: ctx.identity.id } else error 'cancel'\n");
  const auto r = test::run_tool(
      {"backfill", "--jsonnet", t, "--identities", "-", "--dry-run", "--progress", "never"},
      {lines, {}, {}});
  CHECK(r.status == 0);
  CHECK(r.err.find("30 read, 15 printed, 15 skipped (cancel), 0 failed") != std::string::npos);
  std::vector<json> messages;
  for (std::size_t start = 0, end; (end = r.out.find('\n', start)) != std::string::npos;
       start = end + 1) {
    messages.push_back(json::parse(r.out.substr(start, end - start)));
  }
  REQUIRE(messages.size() == 15);
  // The same run again gives the same messageIds: Segment de-duplicates resends.
  const auto again = test::run_tool(
      {"backfill", "--jsonnet", t, "--identities", "-", "--dry-run", "--progress", "never"},
      {lines, {}, {}});
  CHECK(again.out == r.out);
}

TEST_CASE("cli backfill: pages of 'ory list identities', one after another, from stdin") {
  test::TempDir dir;
  std::string pages;
  for (int page = 0; page < 3; ++page) {
    json p = {{"identities", json::array()}, {"next_page_token", page < 2 ? "t" : ""}};
    for (int i = 0; i < 250 && page * 250 + i < 600; ++i) {
      p["identities"].push_back(identity(page * 250 + i));
    }
    pages += (page == 1 ? p.dump(2) : p.dump()) + "\n";  // compact or json-pretty
  }
  const auto r = test::run_tool(
      {"backfill", "--jsonnet", k_example, "--identities", "-", "--dry-run", "--progress", "never"},
      {pages, {}, {}});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.err.find("600 read, 600 printed, 0 skipped (cancel), 0 failed") != std::string::npos);
}

TEST_CASE("cli backfill: each identity is in ctx wherever Kratos puts it at the hook point") {
  test::TempDir dir;
  std::string lines;
  for (int i = 0; i < 3; ++i) lines += identity(i).dump() + "\n";
  const std::string t =
      dir.write("t.jsonnet",
                "function(ctx) { userId: ctx.identity.id, traits: {\n"
                "  flow: std.get(std.get(ctx.flow, 'identity', {}), 'id', null),\n"
                "  session: if 'session' in ctx then ctx.session.identity.id else null,\n"
                "  secret: std.objectHas(ctx.identity, 'credentials') } }\n");
  const auto run = [&](const std::string& hook) {
    const auto r = test::run_tool({"backfill", "--jsonnet", t, "--identities", "-", "--dry-run",
                                   "--progress", "never", "--hook", hook},
                                  {lines, {}, {}});
    INFO(r.err);
    CHECK(r.status == 0);
    return json::parse(r.out.substr(0, r.out.find('\n')));
  };
  const json settings = run("settings.after.profile");
  CHECK(settings["userId"] == "id-0");
  CHECK(settings["traits"]["flow"] == "id-0");
  CHECK(settings["traits"]["session"] == "id-0");
  CHECK(settings["traits"]["secret"] == false);
  const json login = run("login.after.password");
  CHECK(login["userId"] == "id-0");
  CHECK(login["traits"]["flow"] == nullptr);
  CHECK(login["traits"]["session"] == "id-0");
  CHECK(login["traits"]["secret"] == false);
}

TEST_CASE(
    "cli backfill: retries through --fail faults, a rejected batch goes to the failed file and is "
    "retried from it") {
  test::TempDir dir;
  json input = json::array();
  for (int i = 0; i < 40; ++i) input.push_back(identity(i, 20 * 1024));  // ~24 messages per batch
  const std::string path = dir.write("identities.json", input.dump());
  const std::string events = dir.file("events.jsonl");
  test::BackgroundTool listen({"listen", "--port", "0", "--quiet", "--exit-after", "120", "--jsonl",
                               events, "--fail", "503:1", "--fail", "reset:1", "--fail", "400:1"});
  const std::string url = listen.listen_url();
  const std::string key = dir.write("key", "wk\n");
  // One sender, so the faults meet the batches in order: batch 1 gets 503, then a reset, then
  // succeeds; batch 2 gets 400 (never retried) and goes to the failed file.
  const std::string big = big_template(dir);
  auto r = test::run_tool({"backfill", "--jsonnet", big, "--identities", path, "--url",
                           url + "/v1/identify", "--write-key-file", key, "--failed",
                           dir.file("failed.jsonl"), "--concurrency", "1"});
  INFO(r.err);
  CHECK(r.status == 1);
  const auto failed = read_jsonl(dir.file("failed.jsonl"));
  CHECK_FALSE(failed.empty());
  for (const auto& f : failed) {
    CHECK(f["stage"] == "send");
    // 503 then a reset (libcurl re-sends on a fresh connection by itself) then 400.
    CHECK(f["reason"].get<std::string>().rfind("HTTP 400 after ", 0) == 0);
    CHECK(f["message"]["type"] == "identify");
  }
  const std::size_t sent_first = received_user_ids(events).size();
  CHECK(sent_first + failed.size() == 40);
  // The failed file is valid input.
  r = test::run_tool({"backfill", "--jsonnet", big, "--identities", dir.file("failed.jsonl"),
                      "--url", url, "--write-key-file", key, "--failed",
                      dir.file("failed-again.jsonl")});
  CHECK(r.status == 0);
  listen.signal(SIGTERM);
  listen.wait();
  CHECK(received_user_ids(events).size() == 40);
}

TEST_CASE("cli backfill: a state is only ever applied to its own input") {
  test::TempDir dir;
  json a = json::array(), b = json::array();
  for (int i = 0; i < 50; ++i) a.push_back(identity(i));
  for (int i = 100; i < 150; ++i) b.push_back(identity(i));
  const std::string a_path = dir.write("a.json", a.dump());
  const std::string events = dir.file("events.jsonl");
  test::BackgroundTool listen(
      {"listen", "--port", "0", "--quiet", "--exit-after", "120", "--jsonl", events});
  const std::string url = listen.listen_url();
  const std::string state = dir.file("state.json");
  const auto run = [&](const std::string& input, const std::vector<std::string>& extra = {},
                       const std::optional<std::string>& stdin_data = std::nullopt) {
    std::vector<std::string> args = {"backfill",
                                     "--jsonnet",
                                     k_example,
                                     "--identities",
                                     input,
                                     "--url",
                                     url,
                                     "--write-key",
                                     "wk",
                                     "--failed",
                                     dir.file("failed.jsonl"),
                                     "--state",
                                     state,
                                     "--progress",
                                     "never"};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_tool(args, {stdin_data, {}, ""});
  };
  REQUIRE(run(a_path).status == 0);
  const std::string mismatch = "the input is not the one the state was written for";
  // Another file.
  auto r = run(dir.write("b.json", b.dump()));
  CHECK(r.status == 2);
  CHECK(r.err.find(mismatch) != std::string::npos);
  // Records added at the front.
  json front = b;
  for (const auto& x : a) front.push_back(x);
  r = run(dir.write("front.json", front.dump()));
  CHECK(r.status == 2);
  CHECK(r.err.find(mismatch) != std::string::npos);
  // The same records from stdin, or records added at the end, resume.
  std::string lines;
  for (const auto& x : a) lines += x.dump() + "\n";
  r = run("-", {}, lines);
  CHECK(r.status == 0);
  CHECK(r.err.find("0 read, 0 sent") != std::string::npos);
  r = run("-", {}, lines + b[0].dump() + "\n");
  CHECK(r.status == 0);
  CHECK(r.err.find("1 read, 1 sent") != std::string::npos);
  r = run("-", {}, b.dump());
  CHECK(r.status == 2);
  CHECK(r.err.find("written for another input") != std::string::npos);
  // A hand-edited state.
  json edited = json::parse(test::read_file(state));
  edited["records_done"] = 999999;
  dir.write("state.json", edited.dump());
  r = run(a_path);
  CHECK(r.status == 2);
  CHECK(r.err.find("the input has 50 records, but the state says 999999 were read") !=
        std::string::npos);
  // --restart starts over.
  r = run(dir.file("b.json"), {"--restart"});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.err.find("50 read, 50 sent") != std::string::npos);
  listen.signal(SIGTERM);
  listen.wait();
  CHECK(received_user_ids(events).size() == 100);  // a, one of b at the end, then b
}

TEST_CASE("cli backfill: a failure that cannot be recorded stops the run, the state stays") {
  test::TempDir dir;
  json input = json::array();
  for (int i = 0; i < 20; ++i) input.push_back(identity(i));
  input[0]["traits"].erase("name");  // fails first
  const std::string path = dir.write("identities.json", input.dump());
  const std::string state = dir.file("state.json");
  const auto r = test::run_tool({"backfill", "--jsonnet", k_example, "--identities", path, "--url",
                                 "http://127.0.0.1:9/", "--write-key", "wk", "--failed",
                                 "/dev/full", "--state", state, "--progress", "never"});
  INFO(r.err);
  CHECK(r.status == 2);
  CHECK(r.err.find("/dev/full: cannot write a failure: No space left on device") !=
        std::string::npos);
  CHECK(r.err.find("stays at the last record whose outcome is on disk") != std::string::npos);
  if (test::file_exists(state)) {
    CHECK(json::parse(test::read_file(state))["records_done"] == 0);
  }
  // The state and the failed file as one file: refused before anything runs.
  const auto same = test::run_tool({"backfill", "--jsonnet", k_example, "--identities", path,
                                    "--write-key", "wk", "--failed", state, "--state", state});
  CHECK(same.status == 2);
  CHECK(same.err.find("--state and --failed name the same file") != std::string::npos);
  // A device that takes writes but has nothing to sync (fsync's EINVAL) is no failure.
  test::FakeSegment segment;
  input[0]["traits"]["name"] = "back";
  const auto ok = test::run_tool(
      {"backfill", "--jsonnet", k_example, "--identities", dir.write("passing.json", input.dump()),
       "--url", segment.url("/v1/batch"), "--write-key", "wk", "--failed", "/dev/null", "--state",
       dir.file("null.state"), "--progress", "never"});
  INFO(ok.err);
  CHECK(ok.status == 0);
  CHECK(json::parse(test::read_file(dir.file("null.state")))["records_done"] == 20);
}

TEST_CASE("cli backfill: bad input exits 2") {
  test::TempDir dir;
  const std::string ids = dir.write("ids.json", "[]");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"backfill", "--jsonnet", k_example},
       "give the identities: --identities FILE|- or --from-admin-api URL"},
      {{"backfill", "--identities", ids}, "give exactly one of --jsonnet FILE or --action FILE"},
      {{"backfill", "--jsonnet", k_example, "--identities", ids, "--failed", ids, "--dry-run"},
       "--failed " + ids +
           " is also an input of this command (--identities); write it to another "
           "file"},
      {{"backfill", "--jsonnet", k_example, "--identities", ids, "--hook", "registration.before",
        "--dry-run"},
       "--hook registration.before: Kratos passes no identity there; backfill needs an after-hook"},
      {{"backfill", "--jsonnet", k_example, "--identities", ids, "--concurrency", "0", "--dry-run"},
       "--concurrency must be 1-64"},
      {{"backfill", "--jsonnet", k_example, "--identities", dir.file("missing.json"), "--dry-run"},
       dir.file("missing.json") + ": no such file"},
  };
  for (const auto& [args, expected] : cases) {
    CAPTURE(args);
    const auto r = test::run_tool(args);
    CHECK(r.status == 2);
    CHECK(r.err == "ory-segment: error: " + expected + "\n");
  }
  const auto truncated = test::run_tool({"backfill", "--jsonnet", k_example, "--identities",
                                         dir.write("t.json", "[{\"id\": \"a\", \"traits\": {}"),
                                         "--dry-run", "--failed", dir.file("f.jsonl")});
  CHECK(truncated.status == 2);
  CHECK(truncated.err.find("the JSON array ends inside a record (truncated input?)") !=
        std::string::npos);
}

TEST_CASE("cli backfill: a path prefix in --url is kept (a proxy in front of Segment)") {
  test::TempDir dir;
  test::FakeSegment segment;
  const std::string ids = dir.write("ids.jsonl", identity(1).dump() + "\n");
  for (const std::string& url :
       {segment.url("/segment/v1/identify"), segment.url("/segment/v1"), segment.url("/segment")}) {
    CAPTURE(url);
    const auto r = test::run_tool({"backfill", "--jsonnet", k_example, "--identities", ids, "--url",
                                   url, "--write-key", "wk", "--failed", dir.file("failed.jsonl"),
                                   "--progress", "never"});
    CHECK(r.status == 0);
    const auto requests = segment.requests();
    REQUIRE_FALSE(requests.empty());
    CHECK(requests.back().path == "/segment/v1/batch");
  }
  const auto r = test::run_tool({"backfill", "--jsonnet", k_example, "--identities", ids, "--url",
                                 "http://127.0.0.1:0/v1/batch", "--write-key", "wk", "--dry-run"});
  CHECK(r.status == 2);
  CHECK(r.err.find("has an invalid port (0)") != std::string::npos);
}

TEST_CASE("cli backfill: --identities - with stdin closed is an error, not an empty run") {
  const auto r = test::run_program({"/bin/sh", "-c",
                                    std::string(ORY_SEGMENT_BINARY) + " backfill --jsonnet " +
                                        k_example + " --identities - --dry-run <&-"});
  CHECK(r.status == 2);
  CHECK(r.err.find("standard input is closed") != std::string::npos);
  CHECK(r.err.find("0 read") == std::string::npos);
}

TEST_CASE("cli backfill: a resume names the state's failed file, or is refused") {
  // The state records where its runs' failures are: a resume that names another --failed
  // would report them from the wrong file and lose a killed run's recovery.
  test::TempDir dir;
  test::FakeSegment segment;
  const std::string ids = dir.write(
      "ids.jsonl", "{\"id\":\"a\",\"traits\":{\"email\":\"a@x\"}}\n{\"id\":\"b\",\"traits\":{}}\n");
  const auto run = [&](const std::string& failed) {
    return test::run_tool({"backfill", "--jsonnet",
                           test::source_path("examples/segment_identify.jsonnet"), "--identities",
                           ids, "--url", segment.url(""), "--write-key", "wk", "--state",
                           dir.file("state.json"), "--failed", failed});
  };
  const auto first = run(dir.file("failed.jsonl"));
  CAPTURE(first.err);
  CHECK(first.status == 1);  // neither has a name: the docs' template fails for both
  const auto other = run(dir.file("other.jsonl"));
  CAPTURE(other.err);
  CHECK(other.status == 2);
  CHECK(other.err.find(dir.file("state.json") + " was written with its failures in " +
                       dir.file("failed.jsonl") + ", not " + dir.file("other.jsonl") +
                       ": give --failed " + dir.file("failed.jsonl")) != std::string::npos);
  CHECK_FALSE(test::file_exists(dir.file("other.jsonl")));
  const auto same = run(dir.file("failed.jsonl"));
  CAPTURE(same.err);
  CHECK(same.status == 1);
  CHECK(same.err.find("2 record(s) failed in earlier runs of this state (see " +
                      dir.file("failed.jsonl") + ")") != std::string::npos);
}
