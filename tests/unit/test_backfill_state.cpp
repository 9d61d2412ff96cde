#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "backfill/backfill_state.hpp"
#include "backfill/failed_file.hpp"
#include "support.hpp"
#include "util/hash.hpp"

namespace {

using Ranges = std::vector<core::FinishedRange>;

core::BackfillState resume_at(long records_done, std::optional<std::uint64_t> fingerprint = {},
                              Ranges ranges = {}) {
  core::BackfillState s;
  s.records_done = records_done;
  s.fingerprint = fingerprint;
  s.done_after = std::move(ranges);
  return s;
}

const std::string k_not_a_state =
    ": not a backfill state file (delete it, or pass --restart, to start over)";

}  // namespace

TEST_CASE("backfill_state: finished records add up to a prefix and ranges past it") {
  core::FinishedRecords records(resume_at(10, 110));
  for (long i = 10; i < 20; ++i) records.read(i, 100 + static_cast<std::uint64_t>(i) + 1);
  for (long i : {10, 11, 13, 14, 17, 5}) records.done(i);  // 5 is before the start: ignored
  core::BackfillState s = records.snapshot();
  CHECK(s.records_done == 12);
  CHECK(s.fingerprint == std::optional<std::uint64_t>(112));  // through record 11
  CHECK(s.done_after == Ranges{{13, 15, 115}, {17, 18, 118}});
  CHECK(s.finished_after() == 3);
  for (long i : {0L, 11L, 13L, 14L, 17L}) CHECK(s.finished(i));
  for (long i : {12L, 15L, 16L, 18L}) CHECK_FALSE(s.finished(i));
  records.done(12);
  records.done(16);
  records.done(15);
  s = records.snapshot();
  CHECK(s.records_done == 18);
  CHECK(s.fingerprint == std::optional<std::uint64_t>(118));
  CHECK(s.done_after.empty());
}

TEST_CASE("backfill_state: an earlier run's ranges are kept until read again, never lost") {
  // The state of a run killed with [3000, 11076) finished past its prefix of 3000.
  core::FinishedRecords records(resume_at(3000, 7, {{3000 + 100, 11076, 9}}));
  CHECK(records.snapshot().done_after == Ranges{{3100, 11076, 9}});
  for (long i = 3000; i < 3100; ++i) records.read(i, static_cast<std::uint64_t>(i));
  for (long i = 3000; i < 3050; ++i) records.done(i);
  core::BackfillState s = records.snapshot();
  CHECK(s.records_done == 3050);
  CHECK(s.done_after == Ranges{{3100, 11076, 9}});  // still pending, still there
  for (long i = 3050; i < 3100; ++i) records.done(i);
  for (long i = 3100; i < 11076; ++i) records.read(i, static_cast<std::uint64_t>(i));
  records.confirm({3100, 11076, 9});
  s = records.snapshot();
  CHECK(s.records_done == 11076);
  CHECK(s.done_after.empty());
  // A range that is not the pending one confirms nothing.
  core::FinishedRecords other(resume_at(0, {}, {{5, 8, 1}}));
  other.confirm({5, 8, 2});
  CHECK(other.snapshot().records_done == 0);
}

TEST_CASE("backfill_state: the fingerprint runs over each record and a newline") {
  const std::uint64_t a = core::fingerprint_step(util::k_fnv1a64_start, "{\"id\":\"a\"}");
  CHECK(a == util::fnv1a64("{\"id\":\"a\"}\n"));
  CHECK(core::fingerprint_step(a, "b") == util::fnv1a64("{\"id\":\"a\"}\nb\n"));
  CHECK(core::fingerprint_step(util::k_fnv1a64_start, "ab") !=
        core::fingerprint_step(core::fingerprint_step(util::k_fnv1a64_start, "a"), "b"));
  CHECK(util::fnv1a64("") == 0xcbf29ce484222325ULL);
  CHECK(util::fnv1a64("a") == 0xaf63dc4c8601ec8cULL);  // the published FNV-1a 64 test vector
}

TEST_CASE("backfill_state: saved and loaded back, as the file people read") {
  test::TempDir dir;
  const std::string path = dir.file("state.json");
  core::BackfillState state =
      resume_at(3000, 0x0123456789abcdefULL, {{3100, 3200, 5}, {4000, 4001, std::nullopt}});
  state.template_digest = "abc";
  state.input = "ids.json";
  state.counts = {3050, 40, 11};
  state.failed_file = "failed.jsonl";
  state.failed_file_bytes = 4096;
  state.run = "3f0c9e2a-run";
  std::string err;
  REQUIRE(core::save_backfill_state(path, state, &err));
  const auto j = nlohmann::json::parse(test::read_file(path));
  CHECK(j["version"] == 2);
  CHECK(j["input"] == "ids.json");
  CHECK(j["input_fingerprint"] == "fnv1a64:0123456789abcdef");
  CHECK(j["done_after"] == nlohmann::json::parse(R"([[3100, 3200, "fnv1a64:0000000000000005"],
                                                     [4000, 4001]])"));
  CHECK(j["records_done"] == 3000);
  CHECK(j["sent"] == 3050);
  CHECK(j["failed"] == 40);
  CHECK(j["skipped"] == 11);
  CHECK(j["failed_file"] == "failed.jsonl");
  core::BackfillState loaded;
  bool found = false;
  REQUIRE(core::load_backfill_state(path, &loaded, &found, &err));
  CHECK(found);
  CHECK(loaded.records_done == 3000);
  CHECK(loaded.fingerprint == state.fingerprint);
  CHECK(loaded.done_after == state.done_after);
  CHECK(loaded.template_digest == "abc");
  CHECK(loaded.input == "ids.json");
  CHECK(loaded.counts.failed == 40);
  CHECK(loaded.failed_file == "failed.jsonl");
  CHECK(loaded.failed_file_bytes == 4096);
  CHECK(loaded.run == "3f0c9e2a-run");
  CHECK_FALSE(loaded.page);
}

TEST_CASE("backfill_state: the admin API's page to pick up from is kept and checked") {
  test::TempDir dir;
  const std::string path = dir.file("state.json");
  core::BackfillState state = resume_at(1203);
  state.template_digest = "abc";
  state.input = "http://127.0.0.1:4434/admin/identities";
  state.page = core::PagePosition{"page_size=500&page_token=id-999", 1000, 203, "id-1202"};
  std::string err;
  REQUIRE(core::save_backfill_state(path, state, &err));
  const auto j = nlohmann::json::parse(test::read_file(path));
  CHECK(j["page"]["query"] == "page_size=500&page_token=id-999");
  CHECK_FALSE(j.contains("input_fingerprint"));
  core::BackfillState loaded;
  bool found = false;
  REQUIRE(core::load_backfill_state(path, &loaded, &found, &err));
  REQUIRE(loaded.page);
  CHECK(*loaded.page == *state.page);
  CHECK(loaded.input == "http://127.0.0.1:4434/admin/identities");
  // A page that does not end where records_done says is not trusted.
  auto edited = j;
  edited["page"]["skip"] = 5;
  const std::string bad = dir.write("edited.json", edited.dump());
  CHECK_FALSE(core::load_backfill_state(bad, &loaded, &found, &err));
  CHECK(err == bad + k_not_a_state);
}

TEST_CASE("backfill_state: no file is a fresh start, anything else is refused") {
  test::TempDir dir;
  core::BackfillState loaded;
  bool found = true;
  std::string err;
  REQUIRE(core::load_backfill_state(dir.file("none.json"), &loaded, &found, &err));
  CHECK_FALSE(found);
  for (const char* text :
       {"not json", "[]", R"({"records_done": "12"})",
        R"({"records_done": 1, "template_sha256": "d", "done_after": [[1]]})",
        R"({"version": 3, "records_done": 1, "template_sha256": "d"})",
        R"({"version": 2, "records_done": 1, "template_sha256": "d", "input_fingerprint": "x"})",
        R"({"version": 2, "records_done": -1, "template_sha256": "d"})",
        // Ranges before the prefix, overlapping, empty or out of order.
        R"({"version": 2, "records_done": 5, "template_sha256": "d", "done_after": [[3, 7]]})",
        R"({"version": 2, "records_done": 5, "template_sha256": "d",
            "done_after": [[6, 9], [8, 10]]})",
        R"({"version": 2, "records_done": 5, "template_sha256": "d", "done_after": [[6, 6]]})",
        R"({"version": 2, "records_done": 5, "template_sha256": "d",
            "done_after": [[9, 10], [6, 7]]})"}) {
    CAPTURE(text);
    const std::string path = dir.write("bad.json", text);
    CHECK_FALSE(core::load_backfill_state(path, &loaded, &found, &err));
    CHECK(err == path + k_not_a_state);
  }
  CHECK_FALSE(core::save_backfill_state(dir.file("no/dir/state.json"), {}, &err));
  CHECK(err.rfind(dir.file("no/dir/state.json") + ": cannot create", 0) == 0);
}

TEST_CASE("backfill_state: a retried failure leaves the retry list once its outcome is in") {
  test::TempDir dir;
  const std::string failed =
      dir.write("failed.jsonl",
                "{\"record\":3,\"stage\":\"send\"}\n{\"record\":12,\"stage\":\"send\"}\n"
                "{\"record\":40,\"stage\":\"send\"}\n{\"record\":5,\"sta");  // cut short
  core::BackfillState state = resume_at(20, 7);
  state.input = "in.json";
  state.template_digest = "d";
  state.counts.failed = 3;
  state.failed_file = failed;
  state.failed_file_bytes = 60;
  long count = 0;
  std::string err;
  REQUIRE(core::begin_retry(dir.file("state.json"), &state, &count, &err));
  CHECK(count == 2);  // 40 is past what is finished: not a failure of this state's
  CHECK(state.retry == std::vector<long>{3, 12});
  CHECK(state.counts.failed == 1);
  CHECK(state.failed_file_bytes == 0);
  CHECK(test::read_file(failed).empty());
  CHECK(test::read_file(failed + ".retried").find("\"record\":40") != std::string::npos);
  core::BackfillState loaded;
  bool found = false;
  REQUIRE(core::load_backfill_state(dir.file("state.json"), &loaded, &found, &err));
  CHECK(loaded.retry == std::vector<long>{3, 12});
  CHECK(loaded.retrying(12));
  core::FinishedRecords records(loaded);
  records.done(12);
  CHECK(records.snapshot().retry == std::vector<long>{3});
  CHECK(records.snapshot().records_done == 20);  // still finished
}
