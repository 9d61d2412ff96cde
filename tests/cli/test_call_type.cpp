// The call a template makes, read from what it sends, checked against --call and --url in
// every verb; --url is an API base or one of its endpoints everywhere.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fake_segment.hpp"
#include "support.hpp"

using nlohmann::json;
using test::run_tool;

namespace {

const char* const k_track =
    "function(ctx) { userId: ctx.identity.id, event: 'Signed Up', properties: { email: "
    "ctx.identity.traits.email } }\n";

const test::RunOptions k_key = {std::nullopt, {{"SEGMENT_WRITE_KEY", "wk_call_7"}}, {}};

}  // namespace

TEST_CASE("cli build-action: the call follows what the template sends, or must agree with it") {
  test::TempDir dir;
  const std::string t = dir.write("track.jsonnet", k_track);
  const std::string out = dir.file("action.json");
  const auto url_of = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"build-action", "--jsonnet", t, "-o", out};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_tool(args, k_key);
    INFO(r.err);
    REQUIRE(r.status == 0);
    return json::parse(test::read_file(out))["config"]["url"].get<std::string>();
  };
  CHECK(url_of({}) == "https://api.segment.io/v1/track");
  CHECK(url_of({"--region", "eu"}) == "https://events.eu1.segmentapis.com/v1/track");
  CHECK(url_of({"--url", "https://proxy.example.com/segment/"}) ==
        "https://proxy.example.com/segment/v1/track");
  CHECK(url_of({"--url", "https://proxy.example.com/segment/v1/track"}) ==
        "https://proxy.example.com/segment/v1/track");
  CHECK(url_of({"--call", "track"}) == "https://api.segment.io/v1/track");
  const auto refused = [&](std::vector<std::string> extra, const std::string& says) {
    std::vector<std::string> args = {"build-action", "--jsonnet", t, "-o", dir.file("no.json")};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_tool(args, k_key);
    CAPTURE(extra);
    CHECK(r.status == 2);
    CHECK(r.err.find(says) != std::string::npos);
    CHECK_FALSE(test::file_exists(dir.file("no.json")));
  };
  refused({"--call", "identify"},
          "sends 'event', a track call, but --call identify makes it identify");
  refused({"--url", "https://api.segment.io/v1/identify"},
          "sends 'event', a track call, but --url's /v1/identify makes it identify");
  refused({"--url", "https://api.segment.io/v1/identify", "--call", "track"},
          "--call track, but --url https://api.segment.io/v1/identify is the identify endpoint");
  refused({"--url", "https://api.segment.io/v1/identfy"}, "/v1/identfy is not an endpoint");
  // An identify template stays identify.
  const std::string identify = dir.write(
      "identify.jsonnet", "function(ctx) { userId: ctx.identity.id, traits: { a: 1 } }\n");
  REQUIRE(run_tool({"build-action", "--jsonnet", identify, "-o", out}, k_key).status == 0);
  CHECK(json::parse(test::read_file(out))["config"]["url"] == "https://api.segment.io/v1/identify");
}

TEST_CASE("cli test-identify and backfill: a track template goes to /v1/track, or type track") {
  test::TempDir dir;
  const std::string t = dir.write("track.jsonnet", k_track);
  const std::string identity = test::source_path("examples/identity.json");
  test::FakeSegment segment;
  // --url is the API's base: the call is appended, the one the template makes.
  const auto sent = run_tool(
      {"test-identify", "--jsonnet", t, "--identity", identity, "--url", segment.url("")}, k_key);
  INFO(sent.out << sent.err);
  CHECK(sent.status == 0);
  CHECK(sent.err.find("sends 'event': a track call") != std::string::npos);
  const auto mismatch = run_tool({"test-identify", "--jsonnet", t, "--identity", identity, "--url",
                                  segment.url("/v1/identify")},
                                 k_key);
  CHECK(mismatch.status == 2);
  CHECK(mismatch.err.find("but --url's /v1/identify makes it identify") != std::string::npos);
  REQUIRE(segment.requests().size() == 1);
  CHECK(segment.requests()[0].path == "/v1/track");
  // backfill: each message is the call it names.
  json input = json::array();
  for (int i = 0; i < 3; ++i) {
    input.push_back({{"id", "id-" + std::to_string(i)}, {"traits", {{"email", "a@b.c"}}}});
  }
  const std::string path = dir.write("identities.json", input.dump());
  const auto backfill = run_tool({"backfill", "--jsonnet", t, "--identities", path, "--url",
                                  segment.url(""), "--failed", dir.file("failed.jsonl")},
                                 k_key);
  INFO(backfill.err);
  CHECK(backfill.status == 0);
  const auto requests = segment.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].path == "/v1/batch");
  const json batch = json::parse(requests[1].body)["batch"];
  REQUIRE(batch.size() == 3);
  for (const auto& m : batch) CHECK(m["type"] == "track");
  // --call identify with a track template: refused before anything is read or sent.
  const auto refused =
      run_tool({"backfill", "--jsonnet", t, "--identities", path, "--url", segment.url(""),
                "--call", "identify", "--failed", dir.file("failed.jsonl")},
               k_key);
  CHECK(refused.status == 2);
  CHECK(refused.err.find("sends 'event', a track call, but --call identify") != std::string::npos);
  CHECK(segment.requests().size() == 2);
}
