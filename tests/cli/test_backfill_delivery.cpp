// What happens to a backfill's messages after Segment's 200: ids scoped to the destination,
// every page or an error, the users that the hook already sent, outages healed by a rerun.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "backfill_support.hpp"
#include "fake_segment.hpp"
#include "support.hpp"

using nlohmann::json;

namespace {

const std::string k_example = test::source_path("examples/segment_identify.jsonnet");

std::string identities_file(const test::TempDir& dir, int n) {
  json input = json::array();
  for (int i = 0; i < n; ++i) input.push_back(test::identity(i));
  return dir.write("identities.json", input.dump());
}

// The messageIds of every message the fake received, in order.
std::vector<std::string> message_ids(test::FakeSegment& segment) {
  std::vector<std::string> ids;
  for (const auto& r : segment.requests()) {
    const json body = json::parse(r.body);
    for (const auto& m : body["batch"]) ids.push_back(m["messageId"]);
  }
  return ids;
}

std::set<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

}  // namespace

TEST_CASE("cli backfill: messageIds depend on the destination, not only the identity") {
  test::TempDir dir;
  const std::string input = identities_file(dir, 40);
  const auto backfill = [&](test::FakeSegment& segment, const std::string& key,
                            std::vector<std::string> extra) {
    std::vector<std::string> args = {"backfill",
                                     "--jsonnet",
                                     k_example,
                                     "--identities",
                                     input,
                                     "--url",
                                     segment.url("/v1/batch"),
                                     "--write-key",
                                     key,
                                     "--failed",
                                     dir.file("failed.jsonl"),
                                     "--progress",
                                     "never"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = test::run_tool(args);
    INFO(r.err);
    CHECK(r.status == 0);
    return message_ids(segment);
  };
  test::FakeSegment staging, production, salted1, salted2;
  const auto a = backfill(staging, "staging-key", {});
  const auto b = backfill(production, "production-key", {});
  REQUIRE(a.size() == 40);
  REQUIRE(b.size() == 40);
  CHECK(as_set(a).size() == 40);
  CHECK(as_set(b).size() == 40);
  std::vector<std::string> both;
  for (const auto& id : a) both.push_back(id);
  for (const auto& id : b) both.push_back(id);
  CHECK(as_set(both).size() == 80);  // disjoint
  // The same destination again: the same ids, so Segment drops the repeat.
  const auto again = backfill(production, "production-key", {});
  CHECK(again.size() == 80);
  CHECK(as_set(again) == as_set(b));
  // --message-id-salt stands for the destination: the same salt, the same ids anywhere.
  const auto s1 = backfill(salted1, "staging-key", {"--message-id-salt", "run-7"});
  const auto s2 = backfill(salted2, "production-key", {"--message-id-salt", "run-7"});
  CHECK(as_set(s1) == as_set(s2));
  CHECK(as_set(s1) != as_set(a));
  // The key itself goes nowhere but the Authorization header.
  for (const auto& r : production.requests()) {
    CHECK(r.body.find("production-key") == std::string::npos);
  }
}

TEST_CASE("cli backfill: a template's own messageId is kept, and warned of when it does not vary") {
  test::TempDir dir;
  const std::string input = identities_file(dir, 5);
  const auto dry_run = [&](const std::string& message_id) {
    const std::string t = dir.write(
        "t.jsonnet", "function(ctx) { userId: ctx.identity.id, messageId: " + message_id + " }\n");
    return test::run_tool({"backfill", "--jsonnet", t, "--identities", input, "--dry-run"});
  };
  // Each identity has a flow of its own: the init template's messageId varies.
  const auto by_flow = dry_run("'ory-identify-' + ctx.flow.id");
  INFO(by_flow.err);
  CHECK(by_flow.status == 0);
  std::set<std::string> ids;
  for (const auto& line : test::split_lines(by_flow.out))
    ids.insert(json::parse(line)["messageId"]);
  CHECK(ids.size() == 5);
  CHECK(ids.begin()->rfind("ory-identify-", 0) == 0);
  CHECK(by_flow.err.find("messageId") == std::string::npos);
  const auto fixed = dry_run("'same-for-all'");
  INFO(fixed.err);
  CHECK(fixed.out.find("\"messageId\":\"same-for-all\"") != std::string::npos);
  CHECK(fixed.err.find("warning: the template sets its own messageId, and it is the same "
                       "(\"same-for-all\") for identities id-") != std::string::npos);
}

TEST_CASE("cli: a Segment-compatible endpoint that answers 200 OK in plain text has the messages") {
  // RudderStack's HTTP API answers "OK", not Segment's {"success":true}.
  test::TempDir dir;
  test::FakeSegment rudderstack;
  rudderstack.script({{200, "OK"}, {200, "OK"}});
  const auto backfill =
      test::run_tool({"backfill", "--jsonnet", k_example, "--identities", identities_file(dir, 10),
                      "--url", rudderstack.url("/v1/batch"), "--write-key", "rs-key", "--failed",
                      dir.file("failed.jsonl"), "--progress", "never"});
  INFO(backfill.err);
  CHECK(backfill.status == 0);
  CHECK(backfill.err.find("10 sent") != std::string::npos);
  const auto identify = test::run_tool({"test-identify", "--jsonnet", k_example, "--identity",
                                        test::source_path("examples/identity.json"), "--url",
                                        rudderstack.url("/v1/identify"), "--write-key", "rs-key"});
  INFO(identify.out << identify.err);
  CHECK(identify.status == 0);
  CHECK(identify.out.find("accepted") != std::string::npos);
  CHECK(rudderstack.requests().size() == 2);
}

TEST_CASE("cli backfill: an input that ends with a page that has a next page is an error") {
  test::TempDir dir;
  test::FakeSegment segment;
  const auto page = [](int first, int n, const std::string& next) {
    json p = {{"identities", json::array()}, {"next_page_token", next}};
    for (int i = first; i < first + n; ++i) p["identities"].push_back(test::identity(i));
    return p.dump() + "\n";
  };
  const auto backfill = [&](const std::string& input, std::vector<std::string> extra) {
    std::vector<std::string> args = {"backfill",
                                     "--jsonnet",
                                     k_example,
                                     "--identities",
                                     dir.write("in.json", input),
                                     "--url",
                                     segment.url("/v1/batch"),
                                     "--write-key",
                                     "wk",
                                     "--failed",
                                     dir.file("failed.jsonl"),
                                     "--state",
                                     dir.file("state.json"),
                                     "--progress",
                                     "never"};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_tool(args);
  };
  // What 'ory list identities --format json > ids.json' writes: the first page only.
  const auto one_page = backfill(page(0, 20, "eyJpZCI6ImlkLTE5In0"), {});
  INFO(one_page.err);
  CHECK(one_page.status == 1);
  CHECK(one_page.err.find("error: " + dir.file("in.json") +
                          " ends with a page of 'ory list identities' whose next_page_token is "
                          "not empty") != std::string::npos);
  CHECK(one_page.err.find("--from-admin-api") != std::string::npos);
  CHECK(one_page.err.find("--page-token") != std::string::npos);
  CHECK(one_page.err.find("20 read, 20 sent") != std::string::npos);  // what it holds is sent
  // Every page, the last one's token empty: complete. The state carries the first page over.
  const auto all_pages = backfill(
      page(0, 20, "eyJpZCI6ImlkLTE5In0") + page(20, 20, "eyJpZCI6ImlkLTM5In0") + page(40, 5, ""),
      {});
  INFO(all_pages.err);
  CHECK(all_pages.status == 0);
  CHECK(all_pages.err.find("25 read, 25 sent") != std::string::npos);
  // --allow-partial: the page alone is fine, said in a note.
  const auto partial =
      backfill(page(100, 3, "eyJpZCI6ImlkLTEwMiJ9"), {"--allow-partial", "--restart"});
  INFO(partial.err);
  CHECK(partial.status == 0);
  CHECK(partial.err.find("note: --allow-partial: ") != std::string::npos);
}

TEST_CASE("cli backfill: --created-before leaves out the users the hook already sent") {
  test::TempDir dir;
  test::FakeSegment segment;
  json input = json::array();
  for (int i = 0; i < 10; ++i) {
    json id = test::identity(i);
    id["created_at"] = "2026-11-0" + std::to_string(i) + "T12:00:00.000000Z";
    if (i == 0) id["created_at"] = "2026-10-31T23:59:59.999999Z";
    input.push_back(id);
  }
  input[9].erase("created_at");
  const std::string path = dir.write("identities.json", input.dump());
  // The hook went live at 2026-11-05T12:00:00Z (13:00 at +01:00); a user created at that
  // instant is the hook's.
  const std::string live = dir.write("hook-live-at", "2026-11-05T13:00:00+01:00\n");
  const auto r =
      test::run_tool({"backfill", "--jsonnet", k_example, "--identities", path, "--url",
                      segment.url(""), "--write-key", "wk", "--created-before", "@" + live,
                      "--failed", dir.file("failed.jsonl"), "--progress", "never"});
  INFO(r.err);
  CHECK(r.status == 1);  // the identity without created_at
  CHECK(r.err.find("10 read, 5 sent, 0 skipped (cancel), 4 newer (created at or after "
                   "--created-before), 1 failed") != std::string::npos);
  std::set<std::string> sent;
  for (const auto& request : segment.requests()) {
    const json body = json::parse(request.body);
    for (const auto& m : body["batch"]) sent.insert(m["userId"].get<std::string>());
  }
  CHECK(sent == std::set<std::string>{"id-0", "id-1", "id-2", "id-3", "id-4"});
  const auto failed = test::read_jsonl(dir.file("failed.jsonl"));
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["id"] == "id-9");
  CHECK(failed[0]["reason"] == "no created_at (an RFC 3339 time) to compare with --created-before");
  const auto bad = test::run_tool({"backfill", "--jsonnet", k_example, "--identities", path,
                                   "--dry-run", "--created-before", "2026-11-05"});
  CHECK(bad.status == 2);
  CHECK(bad.err.find("--created-before 2026-11-05: '2026-11-05' is not an RFC 3339 time") !=
        std::string::npos);
}

TEST_CASE("cli backfill: after an outage the same command sends what was never accepted") {
  test::TempDir dir;
  const std::string input = identities_file(dir, 30);
  const auto backfill = [&](const std::string& url, bool state) {
    std::vector<std::string> args = {"backfill",
                                     "--jsonnet",
                                     test::big_template(dir),
                                     "--identities",
                                     input,
                                     "--url",
                                     url,
                                     "--write-key",
                                     "wk",
                                     "--failed",
                                     dir.file("failed.jsonl"),
                                     "--max-retries",
                                     "1",
                                     "--chunk",
                                     "5",
                                     "--progress",
                                     "never"};
    if (state) {
      args.push_back("--state");
      args.push_back(dir.file("state.json"));
    }
    return test::run_tool(args);
  };
  const auto user_ids = [](test::FakeSegment& segment) {
    std::set<std::string> ids;
    for (const auto& request : segment.requests()) {
      if (request.body.empty()) continue;
      const json body = json::parse(request.body);
      for (const auto& m : body["batch"]) ids.insert(m["userId"].get<std::string>());
    }
    return ids;
  };
  SECTION("5xx to the end, with --state") {
    test::FakeSegment segment;
    segment.script({{503, "{}"}, {503, "{}"}});  // both attempts at the first batch
    const auto down = backfill(segment.url(""), true);
    INFO(down.err);
    CHECK(down.status == 3);
    CHECK(down.err.find("error: the endpoint did not accept a batch (HTTP 503 after 2 attempts)") !=
          std::string::npos);
    CHECK(down.err.find("keeps them pending") != std::string::npos);
    CHECK(test::read_jsonl(dir.file("failed.jsonl")).empty());  // not a failure: pending
    const auto again = backfill(segment.url(""), true);
    INFO(again.err);
    CHECK(again.status == 0);
    CHECK(user_ids(segment).size() == 30);
  }
  SECTION("nobody listening, without --state") {
    std::string url;
    {
      test::FakeSegment gone;
      url = gone.url("");
    }
    const auto down = backfill(url, false);
    INFO(down.err);
    CHECK(down.status == 3);
    CHECK(down.err.find("error: the endpoint did not accept a batch (network error after 2 "
                        "attempts") != std::string::npos);
    CHECK(down.err.find("everything is sent again") != std::string::npos);
    CHECK(test::read_jsonl(dir.file("failed.jsonl")).empty());
    test::FakeSegment segment;
    const auto again = backfill(segment.url(""), false);
    CHECK(again.status == 0);
    CHECK(user_ids(segment).size() == 30);
  }
}

TEST_CASE("cli backfill: --events-per-second holds the whole run to Segment's rate") {
  // 2,000 identities at 200 a second: 10 s. Batches hold a tenth of a second's worth (20), the
  // first goes at once, so the last arrives 9.9 s after the first. The limiter never lets it
  // be sooner; later would take a machine that cannot evaluate 200 identities a second.
  test::TempDir dir;
  test::FakeSegment segment;
  const auto r = test::run_tool({"backfill", "--jsonnet", k_example, "--identities",
                                 identities_file(dir, 2000), "--url", segment.url(""),
                                 "--write-key", "wk", "--events-per-second", "200", "--failed",
                                 dir.file("failed.jsonl"), "--progress", "never"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto requests = segment.requests();
  std::size_t messages = 0, largest = 0;
  for (const auto& request : requests) {
    const json body = json::parse(request.body);
    messages += body["batch"].size();
    largest = std::max<std::size_t>(largest, body["batch"].size());
  }
  CHECK(messages == 2000);
  CHECK(largest == 20);
  const double span =
      std::chrono::duration<double>(requests.back().at - requests.front().at).count();
  CAPTURE(span);
  CHECK(span >= 9.9 * 0.95);
  CHECK(span <= 9.9 * 1.05);
  // A 429 with X-RateLimit-Reset waits that long, on top of the budget: with no retries
  // left, the batch still goes.
  test::FakeSegment limited;
  limited.script({{429, "{}", "", "", "1"}});
  const auto again =
      test::run_tool({"backfill", "--jsonnet", k_example, "--identities", identities_file(dir, 5),
                      "--url", limited.url(""), "--write-key", "wk", "--max-retries", "0",
                      "--failed", dir.file("failed.jsonl"), "--progress", "never"});
  INFO(again.err);
  CHECK(again.status == 0);
  const auto tries = limited.requests();
  REQUIRE(tries.size() == 2);
  CHECK(tries[1].at - tries[0].at >= std::chrono::milliseconds(1000));
}

TEST_CASE("cli backfill: --retry-failed sends the final failures of earlier runs again") {
  test::TempDir dir;
  const std::string input = identities_file(dir, 30);
  const std::string failed = dir.file("failed.jsonl");
  const auto backfill = [&](const std::string& url, std::vector<std::string> extra) {
    std::vector<std::string> args = {"backfill",
                                     "--jsonnet",
                                     test::big_template(dir),
                                     "--identities",
                                     input,
                                     "--url",
                                     url,
                                     "--write-key",
                                     "wk",
                                     "--failed",
                                     failed,
                                     "--state",
                                     dir.file("state.json"),
                                     "--chunk",
                                     "10",
                                     "--events-per-second",
                                     "100",
                                     "--concurrency",
                                     "1",
                                     "--progress",
                                     "never"};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_tool(args);
  };
  test::FakeSegment segment;
  // A proxy in front refuses the second batch (10 messages at 100 a second): a final failure.
  segment.script({{200}, {403, "forbidden"}});
  const auto first = backfill(segment.url(""), {});
  INFO(first.err);
  CHECK(first.status == 1);
  CHECK(first.err.find("30 read, 20 sent, 0 skipped (cancel), 10 failed") != std::string::npos);
  CHECK(test::read_jsonl(failed).size() == 10);
  // The same command: nothing is pending, the failures stay failures.
  const auto again = backfill(segment.url(""), {});
  CHECK(again.status == 1);
  CHECK(again.err.find("0 read, 0 sent") != std::string::npos);
  CHECK(again.err.find("10 record(s) failed in earlier runs") != std::string::npos);
  CHECK(again.err.find("--retry-failed") != std::string::npos);
  // --retry-failed: those 10 go again, and with them nothing else.
  const auto retried = backfill(segment.url(""), {"--retry-failed"});
  INFO(retried.err);
  CHECK(retried.status == 0);
  CHECK(retried.err.find("--retry-failed: 10 failure(s) of earlier runs are sent again") !=
        std::string::npos);
  CHECK(retried.err.find("10 read, 10 sent, 0 skipped (cancel), 0 failed") != std::string::npos);
  CHECK(test::read_jsonl(failed).empty());
  CHECK(test::read_jsonl(failed + ".retried").size() == 10);  // kept, not lost
  const auto requests = segment.requests();
  REQUIRE(requests.size() == 4);  // 3 batches, then the refused one again
  std::set<std::string> users;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (i == 1) continue;  // the one refused
    const json body = json::parse(requests[i].body);
    for (const auto& m : body["batch"]) users.insert(m["userId"].get<std::string>());
  }
  CHECK(users.size() == 30);
  // The same messages, with the same messageIds (in whatever order the evaluators gave them).
  const auto ids_of = [](const test::FakeSegment::Request& request) {
    std::set<std::string> ids;
    const json body = json::parse(request.body);  // kept: the loop reads into it
    for (const auto& m : body["batch"]) ids.insert(m["messageId"].get<std::string>());
    return ids;
  };
  CHECK(ids_of(requests[3]) == ids_of(requests[1]));
  // Done: the state holds no failures, the next run has nothing to do.
  const auto done = backfill(segment.url(""), {});
  CHECK(done.status == 0);
  CHECK(done.err.find("0 read, 0 sent") != std::string::npos);
}
