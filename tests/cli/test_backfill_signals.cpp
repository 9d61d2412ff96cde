// Backfill stopped from outside: kill -9, Ctrl-C, SIGTERM. Each test stops the run at a point
// it has seen reached (a request held in flight, a delivery recorded), never after a sleep.
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "backfill_support.hpp"
#include "fake_segment.hpp"
#include "support.hpp"

using nlohmann::json;

namespace {

using test::big_template;
using test::identity;
using test::read_jsonl;
using test::received_user_ids;

// How many messages for each userId the fake endpoint was sent, over all its batches.
std::map<std::string, int> sent_user_ids(test::FakeSegment& segment) {
  std::map<std::string, int> count;
  for (const auto& request : segment.requests()) {
    const json body = json::parse(request.body);
    for (const auto& message : body.at("batch")) {
      ++count[message["userId"].get<std::string>()];
    }
  }
  return count;
}

// A backfill of `identities` with `jsonnet` to `segment`, one batch in flight at a time,
// state in dir/state.json and failures in dir/failed.jsonl; `extra` options appended.
std::vector<std::string> backfill_to(const test::TempDir& dir, const std::string& jsonnet,
                                     const std::string& identities, test::FakeSegment& segment,
                                     const std::vector<std::string>& extra = {}) {
  std::vector<std::string> command = {"backfill",
                                      "--jsonnet",
                                      jsonnet,
                                      "--identities",
                                      identities,
                                      "--url",
                                      segment.url("/v1/batch"),
                                      "--write-key",
                                      "wk",
                                      "--failed",
                                      dir.file("failed.jsonl"),
                                      "--state",
                                      dir.file("state.json"),
                                      "--concurrency",
                                      "1",
                                      "--progress",
                                      "never"};
  command.insert(command.end(), extra.begin(), extra.end());
  return command;
}

// Stops `run` with `sig` while `segment` holds its first batch: sent once that batch has
// arrived, and the answer let go once the signal was taken, so the run is in its middle.
test::RunResult stop_in_flight(test::BackgroundTool& run, test::FakeSegment& segment, int sig,
                               bool whole_group = false) {
  REQUIRE(segment.wait_for_requests(1));
  if (whole_group) {
    run.signal_with_descendants(sig);  // as a terminal's Ctrl-C reaches the process group
  } else {
    run.signal(sig);
  }
  REQUIRE(run.wait_signal_taken(sig));
  segment.release();
  return run.wait(60000);
}

}  // namespace

TEST_CASE("cli backfill: kill -9 mid-run, then the same command: nothing lost, nothing twice") {
  test::TempDir dir;
  json input = json::array();
  std::set<std::string> failing;
  for (int i = 0; i < 300; ++i) {
    input.push_back(identity(i, 16 * 1024));  // ~30 messages per batch
    if (i % 7 == 3) {                         // fails in the transform: no email
      input.back()["traits"].erase("email");
      failing.insert(input.back()["id"].get<std::string>());
    }
  }
  const std::string path = dir.write("identities.json", input.dump());
  const std::string events = dir.file("events.jsonl");
  test::BackgroundTool listen(
      {"listen", "--port", "0", "--quiet", "--exit-after", "120", "--jsonl", events});
  const std::string url = listen.listen_url();
  const auto command = test::resumable_backfill(dir, url, {"--identities", path});
  {
    test::BackgroundTool first(command);
    // Kill it once the endpoint has recorded a message and the state has been saved.
    const auto seen = [&] {
      return test::complete_lines(events) > 0 && std::ifstream(dir.file("state.json")).good();
    };
    for (int i = 0; i < 6000 && !seen(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(seen());
    first.signal(SIGKILL);
    first.wait();
  }
  const std::size_t before = received_user_ids(events).size();
  CHECK(before > 0);
  CHECK(before < 300);
  // The kill may come before the first save after the state saved at the start: failures
  // written by then are recovered all the same (the state names the failed file from the
  // start), and the resume says nothing was finished.
  const json saved = json::parse(test::read_file(dir.file("state.json")));
  const bool progressed = saved["records_done"] > 0 || !saved["done_after"].empty();
  const auto r = test::run_tool(command);
  INFO(r.err);
  CHECK(r.status == 1);  // records failed
  CHECK(r.err.find(progressed ? "resuming after" : "nothing was finished yet") !=
        std::string::npos);
  const auto ids = received_user_ids(events);
  const auto failed = read_jsonl(dir.file("failed.jsonl"));
  // Each failure written once, whichever run wrote it.
  std::multiset<std::string> failed_ids;
  for (const auto& f : failed) failed_ids.insert(f["id"].get<std::string>());
  CHECK(failed_ids.size() == failing.size());
  CHECK(std::set<std::string>(failed_ids.begin(), failed_ids.end()) == failing);
  CHECK(ids.size() + failed.size() == 300);
  // At most what was in flight was sent twice, with the same messageIds.
  const auto sent = test::deliveries(events);
  CHECK(sent.message_ids == 300 - failing.size());
  CHECK(sent.messages - sent.message_ids <= 60);
  // However often it is run again: nothing more is done, and the failures are still reported.
  for (int k = 0; k < 2; ++k) {
    const auto again = test::run_tool(command);
    INFO(again.err);
    CHECK(again.status == 1);
    CHECK(again.err.find("0 read, 0 sent") != std::string::npos);
    CHECK(again.err.find(std::to_string(failing.size()) + " record(s) failed in earlier runs") !=
          std::string::npos);
  }
  CHECK(read_jsonl(dir.file("failed.jsonl")).size() == failing.size());
  listen.signal(SIGTERM);
  listen.wait();
  CHECK(test::deliveries(events).messages == sent.messages);
}

TEST_CASE("cli backfill: Ctrl-C stops cleanly, saves the state, and exits 130") {
  test::TempDir dir;
  json input = json::array();
  for (int i = 0; i < 200; ++i) input.push_back(identity(i, 16 * 1024));  // ~30 per batch
  const std::string path = dir.write("identities.json", input.dump());
  test::FakeSegment segment;
  segment.hold();
  test::BackgroundTool run(backfill_to(dir, big_template(dir), path, segment));
  const auto r = stop_in_flight(run, segment, SIGINT);
  INFO(r.err);
  CHECK(r.status == 130);
  CHECK(r.err.find("interrupted: run the same command to resume from") != std::string::npos);
  const auto state = json::parse(test::read_file(dir.file("state.json")));
  const long done = state["records_done"].get<long>();
  CHECK(done > 0);  // the batch in flight was answered, and counted
  CHECK(done < 200);
  const auto sent = sent_user_ids(segment);
  CHECK(static_cast<long>(sent.size()) >= done);
}

TEST_CASE(
    "cli backfill: SIGTERM with a batch in flight and failures being recorded exits 143, the "
    "resume sends exactly the rest") {
  test::TempDir dir;
  json input = json::array();
  std::set<std::string> failing, passing;
  for (int i = 0; i < 1200; ++i) {
    input.push_back(identity(i, 16 * 1024));  // ~30 messages per batch
    const std::string id = input.back()["id"].get<std::string>();
    if (i % 3 == 1) {
      input.back()["traits"].erase("email");  // fails in the transform
      failing.insert(id);
    } else {
      passing.insert(id);
    }
  }
  const std::string path = dir.write("identities.json", input.dump());
  const std::string state = dir.file("state.json");
  test::FakeSegment segment;
  segment.hold();
  const auto command =
      backfill_to(dir, big_template(dir), path, segment, {"--evaluators", "1", "--chunk", "100"});
  test::BackgroundTool run(command);
  const auto r = stop_in_flight(run, segment, SIGTERM);
  INFO(r.err);
  CHECK(r.status == 143);
  CHECK(r.err.find("terminated: run the same command to resume from " + state) !=
        std::string::npos);
  const auto saved = json::parse(test::read_file(state));
  const auto failed_first = read_jsonl(dir.file("failed.jsonl"));
  CHECK(saved["failed"].get<std::size_t>() == failed_first.size());
  CHECK(saved["records_done"].get<long>() > 0);
  CHECK(saved["records_done"].get<long>() < 1200);

  // The same command again: the rest, and nothing twice.
  const auto again = test::run_tool(command);
  INFO(again.err);
  CHECK(again.status == 1);  // records failed
  CHECK(again.err.find("resuming after") != std::string::npos);
  const auto sent = sent_user_ids(segment);
  std::set<std::string> sent_ids;
  for (const auto& [id, n] : sent) {
    CAPTURE(id);
    CHECK(n == 1);
    sent_ids.insert(id);
  }
  CHECK(sent_ids == passing);
  std::multiset<std::string> failed_ids;
  for (const auto& f : read_jsonl(dir.file("failed.jsonl"))) {
    failed_ids.insert(f["id"].get<std::string>());
  }
  CHECK(failed_ids.size() == failing.size());
  CHECK(std::set<std::string>(failed_ids.begin(), failed_ids.end()) == failing);
}

TEST_CASE("cli backfill: Ctrl-C at a terminal reaches the helpers too, nothing is misreported") {
  test::TempDir dir;
  json input = json::array();
  for (int i = 0; i < 400; ++i) input.push_back(identity(i, 16 * 1024));  // ~30 per batch
  const std::string path = dir.write("identities.json", input.dump());
  // A few milliseconds per identity, so evaluations are under way when the signal comes.
  const std::string slow = dir.write(
      "slow.jsonnet",
      "function(ctx) { userId: ctx.identity.id, traits: { bio: ctx.identity.traits.bio, n: "
      "std.foldl(function(a, b) a + b, std.range(0, 3000), 0) } }\n");
  test::FakeSegment segment;
  segment.hold();
  const auto args = backfill_to(dir, slow, path, segment, {"--chunk", "20"});
  test::BackgroundTool run(args);
  // A batch is in flight (held), so the run cannot have ended when Ctrl-C comes.
  const auto r = stop_in_flight(run, segment, SIGINT, true);
  INFO(r.err);
  CHECK(r.status == 130);
  CHECK(read_jsonl(dir.file("failed.jsonl")).empty());  // no identity blamed for the stop
  const auto again = test::run_tool(args);
  INFO(again.err);
  CHECK(again.status == 0);
  const auto sent = sent_user_ids(segment);
  CHECK(sent.size() == 400);
  for (const auto& [id, n] : sent) {
    CAPTURE(id);
    CHECK(n == 1);
  }
}
