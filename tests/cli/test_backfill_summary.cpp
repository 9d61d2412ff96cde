// backfill's summary for scripts: --format json puts it last, on every exit path; --summary
// FILE writes it there too.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fake_kratos.hpp"
#include "fake_segment.hpp"
#include "support.hpp"

using nlohmann::json;
using test::run_tool;

namespace {

const std::string k_template = test::source_path("examples/segment_identify.jsonnet");

std::string last_line(const std::string& text) {
  std::string t = text;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  const auto nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

// A backfill from an admin API whose page 2 links back to page 1: the run reads the first
// page and stops with an error before anyone could be sent twice.
test::RunResult cycling_run(const test::TempDir& dir, const std::vector<std::string>& extra) {
  test::FakeKratosAdmin kratos(30, "", 10);
  kratos.cycle_after(2);
  test::FakeSegment segment;
  std::vector<std::string> args = {"backfill",
                                   "--jsonnet",
                                   k_template,
                                   "--from-admin-api",
                                   kratos.base(),
                                   "--page-size",
                                   "10",
                                   "--url",
                                   segment.url(""),
                                   "--write-key",
                                   "wk",
                                   "--failed",
                                   dir.file("failed.jsonl"),
                                   "--progress",
                                   "never"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_tool(args);
}

}  // namespace

TEST_CASE("cli backfill --format json: the summary is the last line when a later page fails") {
  test::TempDir dir;
  // Sending: the summary is standard output, alone; the error stays on stderr.
  const auto sent = cycling_run(dir, {"--format", "json"});
  CAPTURE(sent.out, sent.err);
  CHECK(sent.status == 2);
  REQUIRE(std::count(sent.out.begin(), sent.out.end(), '\n') == 1);
  const json summary = json::parse(sent.out);
  CHECK(summary["read"] == 10);
  CHECK(summary["error"].get<std::string>().find("the pages cycle") != std::string::npos);
  CHECK(sent.err.find("error: ") != std::string::npos);
  // A dry run's stdout carries the messages: the summary is the last line of stderr, after
  // the error.
  const auto dry = cycling_run(dir, {"--format", "json", "--dry-run"});
  CAPTURE(dry.out, dry.err);
  CHECK(dry.status == 2);
  const json last = json::parse(last_line(dry.err));
  CHECK(last["read"] == 10);
  CHECK(std::count(dry.out.begin(), dry.out.end(), '\n') == last["printed"]);  // the messages
  CHECK(last["error"].get<std::string>().find("the pages cycle") != std::string::npos);
}

TEST_CASE("cli backfill --summary FILE: the JSON summary, written on every exit") {
  test::TempDir dir;
  const std::string file = dir.file("summary.json");
  // A later page fails (exit 2), text on the terminal, JSON in the file.
  const auto cycled = cycling_run(dir, {"--summary", file});
  CAPTURE(cycled.out, cycled.err);
  CHECK(cycled.status == 2);
  CHECK(cycled.out.empty());
  CHECK(cycled.err.find("ory-segment: backfill: 10 read, 0 sent") != std::string::npos);
  const json after_cycle = json::parse(test::read_file(file));
  CHECK(after_cycle["read"] == 10);
  CHECK(after_cycle["error"].get<std::string>().find("the pages cycle") != std::string::npos);
  // The first page fails (exit 3): a run that never started still writes it.
  std::string nobody;
  {
    test::FakeKratosAdmin gone(1);
    nobody = gone.base();
  }
  const auto unreachable =
      run_tool({"backfill", "--jsonnet", k_template, "--from-admin-api", nobody, "--url",
                "http://127.0.0.1:9", "--write-key", "wk", "--max-retries", "0", "--failed",
                dir.file("f.jsonl"), "--summary", file});
  CAPTURE(unreachable.err);
  CHECK(unreachable.status == 3);
  CHECK(json::parse(test::read_file(file))["error"].get<std::string>().find("no answer") !=
        std::string::npos);
  // A dry run that succeeds: the file holds what the last stderr line would.
  const std::string ids = test::source_path("examples/identities.jsonl");
  const auto dry = run_tool({"backfill", "--jsonnet", k_template, "--identities", ids, "--dry-run",
                             "--summary", file, "--format", "json"});
  CAPTURE(dry.err);
  CHECK(dry.status == 1);  // record 3 of the examples has no name: the docs' template fails
  CHECK(json::parse(test::read_file(file)) == json::parse(last_line(dry.err)));
  // '-': standard output, except in a dry run, whose messages are there.
  const auto refused = run_tool(
      {"backfill", "--jsonnet", k_template, "--identities", ids, "--dry-run", "--summary", "-"});
  CHECK(refused.status == 2);
  CHECK(refused.err.find("standard output carries the messages") != std::string::npos);
  const auto onto_state =
      run_tool({"backfill", "--jsonnet", k_template, "--identities", ids, "--write-key", "wk",
                "--state", dir.file("s.json"), "--summary", dir.file("s.json")});
  CHECK(onto_state.status == 2);
  CHECK(onto_state.err.find("--summary and --state name the same file") != std::string::npos);
}
