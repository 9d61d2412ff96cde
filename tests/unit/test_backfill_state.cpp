#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/backfill_state.hpp"
#include "support.hpp"

using Ranges = std::vector<std::pair<long, long>>;

TEST_CASE("backfill_state: finished records add up to a prefix and ranges past it") {
  core::FinishedRecords records(10);
  for (long i : {10, 11, 13, 14, 17, 5}) records.done(i);  // 5 is before the start: ignored
  core::BackfillState s = records.snapshot("d");
  CHECK(s.template_digest == "d");
  CHECK(s.records_done == 12);
  CHECK(s.done_after == Ranges{{13, 15}, {17, 18}});
  CHECK(s.finished_after() == 3);
  for (long i : {0L, 11L, 13L, 14L, 17L}) CHECK(s.finished(i));
  for (long i : {12L, 15L, 16L, 18L}) CHECK_FALSE(s.finished(i));
  records.done(12);
  records.done(16);
  records.done(15);
  s = records.snapshot("d");
  CHECK(s.records_done == 18);
  CHECK(s.done_after.empty());
}

TEST_CASE("backfill_state: saved and loaded back, as the file people read") {
  test::TempDir dir;
  const std::string path = dir.file("state.json");
  core::BackfillState state;
  state.records_done = 3000;
  state.done_after = {{3100, 3200}, {4000, 4001}};
  state.template_digest = "abc";
  std::string err;
  REQUIRE(core::save_backfill_state(path, "ids.json", state, {3050, 40, 11}, &err));
  const auto j = nlohmann::json::parse(test::read_file(path));
  CHECK(j["input"] == "ids.json");
  CHECK(j["records_done"] == 3000);
  CHECK(j["sent"] == 3050);
  CHECK(j["failed"] == 40);
  CHECK(j["skipped"] == 11);
  core::BackfillState loaded;
  bool found = false;
  REQUIRE(core::load_backfill_state(path, &loaded, &found, &err));
  CHECK(found);
  CHECK(loaded.records_done == 3000);
  CHECK(loaded.done_after == state.done_after);
  CHECK(loaded.template_digest == "abc");
  CHECK(loaded.input == "ids.json");
  CHECK_FALSE(loaded.page);
}

TEST_CASE("backfill_state: the admin API's page to pick up from is kept and checked") {
  test::TempDir dir;
  const std::string path = dir.file("state.json");
  core::BackfillState state;
  state.records_done = 1203;
  state.template_digest = "abc";
  state.page = core::PagePosition{"page_size=500&page_token=id-999", 1000, 203, "id-1202"};
  std::string err;
  REQUIRE(core::save_backfill_state(path, "http://127.0.0.1:4434/admin/identities", state,
                                    {1203, 0, 0}, &err));
  const auto j = nlohmann::json::parse(test::read_file(path));
  CHECK(j["page"]["query"] == "page_size=500&page_token=id-999");
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
  CHECK(err == bad + ": not a backfill state file (delete it to start over)");
}

TEST_CASE("backfill_state: no file is a fresh start; anything else is refused") {
  test::TempDir dir;
  core::BackfillState loaded;
  bool found = true;
  std::string err;
  REQUIRE(core::load_backfill_state(dir.file("none.json"), &loaded, &found, &err));
  CHECK_FALSE(found);
  for (const char* text : {"not json", "[]", R"({"records_done": "12"})",
                           R"({"records_done": 1, "template_sha256": "d", "done_after": [[1]]})"}) {
    CAPTURE(text);
    const std::string path = dir.write("bad.json", text);
    CHECK_FALSE(core::load_backfill_state(path, &loaded, &found, &err));
    CHECK(err == path + ": not a backfill state file (delete it to start over)");
  }
  CHECK_FALSE(core::save_backfill_state(dir.file("no/dir/state.json"), "-", {}, {}, &err));
  CHECK(err.rfind(dir.file("no/dir/state.json") + ": cannot create", 0) == 0);
}
