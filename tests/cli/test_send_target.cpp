// test-identify and backfill resolve --jsonnet / --action the same way (cli/send_target).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support.hpp"

namespace {

const std::string k_example = test::source_path("examples/segment_identify.jsonnet");

// The example identity, as one line of JSON Lines.
std::string identities_file(const test::TempDir& dir) {
  const auto identity =
      nlohmann::json::parse(test::read_file(test::source_path("examples/identity.json")));
  return dir.write("ids.jsonl", identity.dump() + "\n");
}

std::string action_json(const std::string& body, const std::string& url) {
  return R"({"hook": "web_hook", "config": {"url": ")" + url + R"(", "method": "POST", "body": ")" +
         body + R"(", "auth": {"type": "basic_auth", "config": {"user": "KEY", "password": ""}}}})";
}

// Both sending verbs, as a dry run, with the same target flags.
std::vector<test::RunResult> run_both(const std::vector<std::string>& target) {
  test::TempDir dir;
  // An identity with every trait: the built-in one is also tried with only email, which the
  // docs' template fails for (tested in test_test_identify.cpp).
  std::vector<std::string> identify = {"test-identify", "--dry-run", "--identity",
                                       test::source_path("examples/identity.json")};
  std::vector<std::string> backfill = {"backfill",           "--dry-run",  "--identities",
                                       identities_file(dir), "--progress", "never"};
  identify.insert(identify.end(), target.begin(), target.end());
  backfill.insert(backfill.end(), target.begin(), target.end());
  return {test::run_tool(identify), test::run_tool(backfill)};
}

}  // namespace

TEST_CASE("cli send target: an action's file:// body is run by both verbs") {
  test::TempDir dir;
  const std::string act = dir.write(
      "act.json", action_json("file://" + k_example, "https://api.segment.io/v1/identify"));
  const auto results = run_both({"--action", act});
  for (const auto& r : results) {
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(r.out.find("\"userId\"") != std::string::npos);
  }
  // The messages backfill prints come from the same template test-identify ran.
  CHECK(results[1].out.find("\"type\":\"identify\"") != std::string::npos);
}

TEST_CASE("cli send target: the same mistake gets the same message from both verbs") {
  test::TempDir dir;
  const std::string url = "https://api.segment.io/v1/identify";
  const std::string wrapped = dir.write("wrapped.json", action_json("base64://Zm9v\\nYmFy", url));
  const std::string remote =
      dir.write("remote.json", action_json("https://example.com/t.jsonnet", url));
  const std::string empty = dir.write("empty.json", action_json("", url));
  const std::string broken =
      dir.write("broken.json", action_json("base64://ZnVuY3Rpb24oY3R4KSB7YTogfQo=", url));
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--action", wrapped},
       wrapped + " (body): invalid base64 at offset 13: a line break is not in the standard "
                 "base64 alphabet; the body must be one line (GNU base64 wraps at 76 columns): "
                 "re-encode it with 'ory-segment encode'"},
      {{"--action", remote},
       remote + " (body): https://example.com/t.jsonnet is fetched by Kratos at run time; "
                "download it and use --jsonnet FILE"},
      {{"--action", empty}, empty + " (body): the action has no body: Kratos would fail the POST"},
      {{"--action", broken}, broken + " (body):1:19: unexpected: \"}\" while parsing terminal"},
      {{"--action", empty, "--call", "track"},
       "--call and --region go with --jsonnet; with --action the URL comes from the action "
       "(--url sends it elsewhere)"},
      {{"--action", empty, "--write-key", "K"},
       "--write-key-file and --write-key go with --jsonnet; with --action the credentials come "
       "from the action"},
      {{"--jsonnet", k_example, "--action", empty},
       "give exactly one of --jsonnet FILE or --action FILE"},
      {{"--jsonnet", k_example, "--call", "identfy"},
       "--call: unknown value 'identfy'; did you mean 'identify'? (valid: identify, track, "
       "page, screen, group, alias)"},
  };
  for (const auto& [target, expected] : cases) {
    CAPTURE(target);
    for (const auto& r : run_both(target)) {
      CHECK(r.status == 2);
      CHECK(r.err == "ory-segment: error: " + expected + "\n");
    }
  }
}
