// backfill --from-admin-api against a local stand-in for Kratos's admin API (fake_kratos.hpp).
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "backfill_support.hpp"
#include "fake_kratos.hpp"
#include "support.hpp"

using nlohmann::json;

namespace {

const std::string k_example = test::source_path("examples/segment_identify.jsonnet");
const std::string k_page_token = "page_token=";  // in every query but the first page's

using test::big_template;
using test::read_jsonl;
using test::received_user_ids;

std::set<std::string> all_ids(int n) {
  std::set<std::string> ids;
  for (int i = 0; i < n; ++i) ids.insert(test::FakeKratosAdmin::id(i));
  return ids;
}

}  // namespace

TEST_CASE("cli backfill --from-admin-api: every page, the key as a bearer token, never printed") {
  test::TempDir dir;
  const std::string secret = "ory_pat_S3CR3Tk3y";
  test::FakeKratosAdmin kratos(1203, secret);
  const std::string events = dir.file("events.jsonl");
  test::BackgroundTool listen(
      {"listen", "--port", "0", "--quiet", "--exit-after", "120", "--jsonl", events});
  const std::string url = listen.listen_url();
  const auto r = test::run_tool(
      {"backfill", "--jsonnet", k_example, "--from-admin-api", kratos.base() + "/admin",
       "--api-key-file", dir.write("ory-key", secret + "\n"), "--page-size", "100", "--url", url,
       "--write-key-file", dir.write("key", "wk\n"), "--failed", dir.file("failed.jsonl"),
       "--state", dir.file("state.json"), "--progress", "never"});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.err.find("1,203 read, 1,203 sent") != std::string::npos);
  CHECK(r.out.find(secret) == std::string::npos);
  CHECK(r.err.find(secret) == std::string::npos);
  CHECK(test::read_file(dir.file("state.json")).find(secret) == std::string::npos);
  listen.signal(SIGTERM);
  listen.wait();
  CHECK(received_user_ids(events) == all_ids(1203));
  const auto requests = kratos.requests();
  REQUIRE(requests.size() == 13);  // 12 pages of 100 and one of 3
  CHECK(requests[0].first == "page_size=100");
  CHECK(requests[1].first == "page_size=100&page_token=" + test::FakeKratosAdmin::id(99));
  for (const auto& [query, auth] : requests) {
    CHECK(auth == "Bearer " + secret);
    CHECK(query.find("include_credential") == std::string::npos);
  }
  // The state points past the end: the same command again sends nothing more.
  const auto again = test::run_tool(
      {"backfill", "--jsonnet", k_example, "--from-admin-api", kratos.base(), "--page-size", "100",
       "--url", url, "--write-key-file", dir.file("key"), "--failed", dir.file("failed.jsonl"),
       "--state", dir.file("state.json"), "--progress", "never"},
      {std::nullopt, {{"ORY_PROJECT_API_KEY", secret}}, ""});
  INFO(again.err);
  CHECK(again.status == 0);
  CHECK(again.err.find("0 read, 0 sent") != std::string::npos);
  CHECK(kratos.requests().size() == 14);
  CHECK(kratos.requests().back().first ==
        "page_size=100&page_token=" + test::FakeKratosAdmin::id(1199));
}

TEST_CASE("cli backfill --from-admin-api: 401 without the key, 429 and 503 retried") {
  test::TempDir dir;
  test::FakeKratosAdmin kratos(30, "ory_pat_k", 10);  // Kratos caps the page size at 10 here
  test::BackgroundTool listen({"listen", "--port", "0", "--quiet", "--exit-after", "120"});
  const std::string url = listen.listen_url();
  const std::vector<std::string> base = {
      "backfill",    "--jsonnet", k_example,  "--from-admin-api",       kratos.base(), "--url", url,
      "--write-key", "wk",        "--failed", dir.file("failed.jsonl"), "--progress",  "never"};
  auto r = test::run_tool(base);
  CHECK(r.status == 2);
  CHECK(
      r.err.find("answered HTTP 401 (The request could not be authorized): it needs an API key") !=
      std::string::npos);
  CHECK(r.err.find("--api-key-file FILE or ORY_PROJECT_API_KEY") != std::string::npos);

  kratos.fail({{429, "1"}, {503, ""}, {502, ""}});
  r = test::run_tool(base, {std::nullopt, {{"ORY_PROJECT_API_KEY", "ory_pat_k"}}, ""});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.err.find("30 read, 30 sent") != std::string::npos);
  // 3 failures, then 3 pages of 10 (500 asked for, 10 served).
  CHECK(kratos.requests().size() == 1 + 3 + 3);
}

TEST_CASE("cli backfill --from-admin-api: kill -9, then the same command picks up at its page") {
  test::TempDir dir;
  test::FakeKratosAdmin kratos(600, "", 500, 16 * 1024);  // ~30 messages per Segment batch
  const std::string events = dir.file("events.jsonl");
  test::BackgroundTool listen(
      {"listen", "--port", "0", "--quiet", "--exit-after", "120", "--jsonl", events});
  const std::string url = listen.listen_url();
  const std::string state = dir.file("state.json");
  const auto command =
      test::resumable_backfill(dir, url, {"--from-admin-api", kratos.base(), "--page-size", "50"});
  {
    test::BackgroundTool first(command);
    // Kill it once the state is past the first two pages (slow sanitizer builds included).
    const auto records_done = [&] {
      const json s = json::parse(test::read_file(state), nullptr, false);
      return s.is_object() ? s.value("records_done", 0L) : 0L;
    };
    for (int i = 0; i < 600 && records_done() < 120; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    first.signal(SIGKILL);
    first.wait();
  }
  const json saved = json::parse(test::read_file(state));
  INFO(saved.dump());
  REQUIRE(saved["records_done"].get<long>() >= 100);
  REQUIRE(saved["records_done"].get<long>() < 600);
  CHECK(saved["input"] == kratos.base() + "/admin/identities");
  CHECK(saved["page"]["query"].get<std::string>().find(k_page_token) != std::string::npos);
  const std::size_t before = received_user_ids(events).size();
  const std::size_t requests_before = kratos.requests().size();

  const auto r = test::run_tool(command);
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.err.find("resuming after") != std::string::npos);
  listen.signal(SIGTERM);
  listen.wait();
  // Not from the first page: the first request of the second run is the state's page.
  const auto requests = kratos.requests();
  REQUIRE(requests.size() > requests_before);
  CHECK(requests[requests_before].first == saved["page"]["query"].get<std::string>());
  CHECK(requests[requests_before].first != "page_size=50");
  // Nothing lost; at most what was in flight sent twice, with the same messageIds.
  CHECK(before < 600);
  CHECK(received_user_ids(events) == all_ids(600));
  CHECK(read_jsonl(dir.file("failed.jsonl")).empty());
  const auto sent = test::deliveries(events);
  CHECK(sent.message_ids == 600);
  CHECK(sent.messages - 600 <= 100);
}

TEST_CASE("cli backfill --from-admin-api: bad input exits 2 before any request") {
  test::TempDir dir;
  test::FakeKratosAdmin kratos(3);
  const std::string key = dir.write("key", "wk\n");
  const std::vector<std::string> base = {
      "backfill", "--jsonnet",           k_example,  "--write-key-file",      key,
      "--url",    "http://127.0.0.1:9/", "--failed", dir.file("failed.jsonl")};
  const auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_tool(args);
  };
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::string ids = dir.write("ids.jsonl", R"({"id":"a"})"
                                                 "\n");
  for (const Case& c : std::vector<Case>{
           {{}, "give the identities: --identities FILE|- or --from-admin-api URL"},
           {{"--identities", ids, "--from-admin-api", kratos.base()},
            "--identities and --from-admin-api both given; use one"},
           {{"--identities", ids, "--api-key-file", key}, "--api-key-file goes with"},
           {{"--from-admin-api", kratos.base(), "--page-size", "501"}, "--page-size must be 1-500"},
           {{"--from-admin-api", "https://slug.projects.oryapis.com"},
            "Ory Network's admin API needs a project API key"},
           {{"--from-admin-api", "http://kratos.internal:4434", "--api-key-file", key},
            "the API key would travel unencrypted"},
           {{"--from-admin-api", "http://user:pw@127.0.0.1:4434"}, "carries credentials"},
           {{"--from-admin-api", kratos.base() + "/?page=2"}, "has a query or fragment"},
       }) {
    CAPTURE(c.args);
    const auto r = with(c.args);
    CHECK(r.status == 2);
    CHECK(r.err.find(c.message) != std::string::npos);
    CHECK(r.err.find(":pw@") == std::string::npos);
  }
  CHECK(kratos.requests().empty());
}

TEST_CASE("cli backfill --from-admin-api: a state from another input is refused") {
  test::TempDir dir;
  test::FakeKratosAdmin kratos(5);
  test::BackgroundTool listen({"listen", "--port", "0", "--quiet", "--exit-after", "120"});
  const std::string url = listen.listen_url();
  const std::string key = dir.write("key", "wk\n");
  const std::string ids = dir.write(
      "ids.jsonl",
      R"({"id":"a","traits":{"email":"a@x.org","name":"A","consent":{"newsletter":true}}})"
      "\n");
  const std::string state = dir.file("state.json");
  const std::vector<std::string> common = {
      "backfill", "--jsonnet",  k_example,  "--write-key-file",       key,
      "--url",    url,          "--failed", dir.file("failed.jsonl"), "--state",
      state,      "--progress", "never"};
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = common;
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_tool(args);
  };
  auto r = run({"--identities", ids});
  REQUIRE(r.status == 0);
  r = run({"--from-admin-api", kratos.base()});
  CHECK(r.status == 2);
  CHECK(r.err.find("was written reading " + ids + ", not " + kratos.base() + "/admin/identities") !=
        std::string::npos);
  CHECK(kratos.requests().empty());

  std::remove(state.c_str());
  r = run({"--from-admin-api", kratos.base()});
  REQUIRE(r.status == 0);
  r = run({"--identities", ids});
  CHECK(r.status == 2);
  CHECK(r.err.find("was written reading " + kratos.base() + "/admin/identities") !=
        std::string::npos);
}

TEST_CASE("cli backfill --from-admin-api: nobody answering exits 3 after the retries") {
  test::TempDir dir;
  // A port that was just free: connections are refused.
  std::string closed;
  {
    test::FakeKratosAdmin gone(0);
    closed = gone.base();
  }
  const auto r = test::run_tool({"backfill", "--jsonnet", k_example, "--from-admin-api", closed,
                                 "--max-retries", "1", "--write-key", "wk", "--url",
                                 "http://127.0.0.1:9/", "--failed", dir.file("failed.jsonl")});
  CHECK(r.status == 3);
  CHECK(r.err.find(closed + "/admin/identities: no answer after 2 attempt(s)") !=
        std::string::npos);
}
