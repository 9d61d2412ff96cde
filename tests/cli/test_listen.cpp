#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>

#include "backfill_support.hpp"
#include "io/http_client.hpp"
#include "support.hpp"
#include "util/base64.hpp"
#include "util/gzip.hpp"

using nlohmann::json;
using test::run_tool;

namespace {

const std::string k_key = "wk_listen_1";

io::HttpResponse post(const std::string& url, const std::string& body,
                      const std::string& key = k_key) {
  static auto client = io::make_curl_client({});
  io::HttpRequest r;
  r.url = url;
  r.body = body;
  r.timeout = std::chrono::milliseconds(10000);
  r.headers = {{"Content-Type", "application/json"}};
  if (!key.empty())
    r.headers.emplace_back("Authorization", "Basic " + util::base64_encode(key + ":"));
  return client->send(r);
}

std::string identify(const std::string& user) {
  return json{{"userId", user}, {"traits", {{"email", user + "@example.com"}}}}.dump();
}

// Sends raw bytes on a fresh connection and returns what comes back before close.
std::string raw_exchange(int port, const std::string& bytes, int wait_ms = 3000) {
  const int fd = test::connect_loopback(port);
  if (fd < 0) return "<connect failed>";
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  timeval tv{wait_ms / 1000, (wait_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

std::string hex(std::size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%zx", n);
  return buf;
}

int port_of(const std::string& url) { return std::stoi(url.substr(url.rfind(':') + 1)); }

}  // namespace

TEST_CASE("cli listen: Segment's API, auth and verdicts, with a real HTTP client") {
  test::TempDir dir;
  test::BackgroundTool listen(
      {"listen", "--port", "0", "--exit-after", "60", "--jsonl", dir.file("events.jsonl")},
      {{"SEGMENT_WRITE_KEY", k_key}});
  const std::string base = listen.listen_url();
  REQUIRE(base.rfind("http://127.0.0.1:", 0) == 0);

  auto r = post(base + "/v1/identify", identify("u1"));
  CHECK(r.status == 200);
  CHECK(r.body == R"({"success":true})");
  // A wrong or missing key: Segment answers 200 and drops the data.
  r = post(base + "/v1/identify", identify("u2"), "wrong-key");
  CHECK(r.status == 200);
  r = post(base + "/v1/identify", identify("u3"), "");
  CHECK(r.status == 200);
  // writeKey in the body also authenticates.
  r = post(base + "/v1/track",
           json{{"userId", "u4"}, {"event", "Signed Up"}, {"writeKey", k_key}}.dump(), "");
  CHECK(r.status == 200);
  r = post(base + "/v1/track", json{{"userId", "u5"}}.dump());  // no event: 200, but dropped
  CHECK(r.status == 200);
  r = post(base + "/v1/identify", "{not json");
  CHECK(r.status == 400);
  r = post(base + "/v1/identify",
           json{{"userId", "big"}, {"traits", {{"blob", std::string(33 * 1024, 'x')}}}}.dump());
  CHECK(r.status == 400);
  CHECK(r.body.find("32 KB") != std::string::npos);
  json big_batch = {{"batch", json::array()}};
  for (int i = 0; i < 20; ++i)
    big_batch["batch"].push_back({{"type", "track"},
                                  {"userId", "b"},
                                  {"event", "E"},
                                  {"properties", {{"pad", std::string(30 * 1024, 'p')}}}});
  r = post(base + "/v1/batch", big_batch.dump());
  CHECK(r.status == 400);
  CHECK(r.body.find("500 KB") != std::string::npos);
  r = post(base + "/v1/import",
           json{{"batch",
                 {{{"type", "identify"}, {"userId", "i1"}},
                  {{"type", "page"}, {"anonymousId", "a1"}, {"name", "Home"}}}}}
               .dump());
  CHECK(r.status == 200);
  r = post(base + "/v1/unknown", "{}");
  CHECK(r.status == 404);

  listen.signal(SIGTERM);
  const auto result = listen.wait();
  CHECK(result.status == 143);  // SIGTERM; the summary says three would be dropped
  CHECK(result.out.find("3 would be dropped") != std::string::npos);
  CHECK(result.out.find("identify userId=u1 email=u1@example.com  accepted") != std::string::npos);
  CHECK(result.out.find("track userId=u5  DROPPED: Segment would drop this: no 'event': track "
                        "needs the event name") != std::string::npos);
  CHECK(result.out.find("\033[") == std::string::npos);  // no colour off a terminal
  CHECK(result.out.find("identify userId=u2 email=u2@example.com  DROPPED: Segment would drop "
                        "this: unknown write key") != std::string::npos);
  CHECK(result.out.find("received 7 messages: 4 accepted, 3 would be dropped (identify 4, page 1, "
                        "track 2); 4 requests rejected") != std::string::npos);
  CHECK(result.out.find(k_key) == std::string::npos);
  CHECK(result.err.find(k_key) == std::string::npos);

  const std::string jsonl = test::read_file(dir.file("events.jsonl"));
  std::vector<json> lines;
  for (std::size_t start = 0, end; (end = jsonl.find('\n', start)) != std::string::npos;
       start = end + 1) {
    lines.push_back(json::parse(jsonl.substr(start, end - start)));
  }
  REQUIRE(lines.size() == 7);
  CHECK(lines[0]["message"]["userId"] == "u1");
  CHECK(lines[0]["verdict"] == "accepted");
  CHECK(lines[0]["reason"].is_null());
  CHECK(lines[1]["verdict"] == "dropped");
  CHECK(lines[1]["reason"] == "unknown write key (Segment answers 200 and drops the data)");
  CHECK(lines[2]["reason"] == "no write key (Segment answers 200 and drops the data)");
  CHECK(lines[4]["verdict"] == "dropped");
  CHECK(lines[4]["reason"] == "no 'event': track needs the event name");
  CHECK(lines[5]["type"] == "identify");
  CHECK(lines[6]["type"] == "page");
  CHECK(lines[0]["receivedAt"].get<std::string>().size() == 24);
}

TEST_CASE("cli listen: a batch over 2,500 messages is accepted and flagged as dropped") {
  test::BackgroundTool listen({"listen", "--port", "0", "--max-events", "2501", "--quiet"});
  const std::string base = listen.listen_url();
  json batch = {{"batch", json::array()}};
  for (int i = 0; i < 2501; ++i)
    batch["batch"].push_back({{"type", "identify"}, {"userId", std::to_string(i)}});
  const auto r = post(base + "/v1/batch", batch.dump(), "");
  CHECK(r.status == 200);
  const auto result = listen.wait();
  CHECK(result.status == 1);
  CHECK(result.out ==
        "listening on " + base +
            "\nreceived 2501 messages: 0 accepted, 2501 would be dropped (identify 2501)\n");
}

TEST_CASE("cli listen: --fail makes a client's retries visible, faults are not recorded") {
  test::BackgroundTool listen({"listen", "--port", "0", "--max-events", "1", "--fail", "503:2",
                               "--fail", "429:1:retry-after=0", "--fail", "reset:1"});
  const std::string base = listen.listen_url();
  const auto r = test::run_tool(
      {"test-identify", "--jsonnet", test::source_path("examples/segment_identify.jsonnet"),
       "--identity", test::source_path("examples/identity.json"), "--url", base + "/v1/identify",
       "--write-key-file", test::TempDir().write("k", "key")});
  // Kratos makes 3 attempts: 503, 503, 429 -> the hook fails; nothing recorded yet.
  CHECK(r.status == 1);
  CHECK(r.out.find("attempt 1: 503") != std::string::npos);
  CHECK(r.out.find("attempt 3 (after waiting 2000 ms): 429") != std::string::npos);
  // The next request is reset, the one after accepted.
  CHECK(post(base + "/v1/identify", identify("x"), "").status == 0);
  CHECK(post(base + "/v1/identify", identify("y"), "").status == 200);
  const auto result = listen.wait();
  CHECK(result.status == 0);
  CHECK(result.out.find("received 1 message: 1 accepted, 0 would be dropped (identify 1); 4 "
                        "requests answered with injected faults") != std::string::npos);
}

TEST_CASE("cli listen: a slow answer is still an answer: the message is recorded") {
  test::TempDir dir;
  test::BackgroundTool listen({"listen", "--port", "0", "--max-events", "2", "--fail", "slow:1:1",
                               "--jsonl", dir.file("events.jsonl")});
  const std::string base = listen.listen_url();
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(post(base + "/v1/identify", identify("s"), "").status == 200);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(900));
  CHECK(post(base + "/v1/identify", identify("t"), "").status == 200);
  const auto result = listen.wait();
  CHECK(result.status == 0);
  CHECK(result.out.find("received 2 messages: 2 accepted") != std::string::npos);
  const std::string jsonl = test::read_file(dir.file("events.jsonl"));
  CHECK(jsonl.find(R"("userId":"s")") != std::string::npos);
  CHECK(jsonl.find(R"("userId":"t")") != std::string::npos);
}

TEST_CASE("cli listen: --jsonl never stores a write key, a message it cannot store gets 503") {
  test::TempDir dir;
  {
    test::BackgroundTool listen(
        {"listen", "--port", "0", "--max-events", "1", "--jsonl", dir.file("events.jsonl")});
    json body = json::parse(identify("w"));
    body["writeKey"] = "SEKRET_wk";
    CHECK(post(listen.listen_url() + "/v1/identify", body.dump(), "").status == 200);
    listen.wait();
    const std::string jsonl = test::read_file(dir.file("events.jsonl"));
    CHECK(jsonl.find("SEKRET") == std::string::npos);
    CHECK(json::parse(jsonl)["message"]["writeKey"] == "<redacted>");
  }
  {
    // Wherever a client puts it: a batch's own writeKey, a message's context, a trait, or a
    // value that is the endpoint's key; not in the file, not in what listen prints.
    test::TempDir nested;
    test::BackgroundTool listen({"listen", "--port", "0", "--max-events", "1", "--write-key", k_key,
                                 "--jsonl", nested.file("events.jsonl")});
    json message = json::parse(identify("n"));
    message["type"] = "identify";
    message["context"] = {{"writeKey", "SEKRET_ctx"}, {"library", {{"writeKey", "SEKRET_lib"}}}};
    message["traits"]["writeKey"] = "SEKRET_trait";
    message["traits"]["copy"] = k_key;
    const json batch = {{"writeKey", "SEKRET_batch"}, {"batch", {message}}};
    CHECK(post(listen.listen_url() + "/v1/batch", batch.dump()).status == 200);
    const auto r = listen.wait();
    const std::string jsonl = test::read_file(nested.file("events.jsonl"));
    CAPTURE(jsonl, r.out);
    for (const std::string& printed : {jsonl, r.out, r.err}) {
      CHECK(printed.find("SEKRET") == std::string::npos);
      CHECK(printed.find(k_key) == std::string::npos);
    }
    const json stored = json::parse(jsonl)["message"];
    CHECK(stored["context"]["writeKey"] == "<redacted>");
    CHECK(stored["context"]["library"]["writeKey"] == "<redacted>");
    CHECK(stored["traits"]["copy"] == "<redacted>");
    CHECK(stored["traits"]["email"] == "n@example.com");  // the rest as sent
  }
  test::BackgroundTool full(
      {"listen", "--port", "0", "--exit-after", "30", "--jsonl", "/dev/full"});
  const std::string base = full.listen_url();
  for (int k = 0; k < 2; ++k) {
    const auto r = post(base + "/v1/identify", identify("f"), "");
    CHECK(r.status == 503);  // so the sender retries; nothing was recorded
  }
  full.signal(SIGTERM);
  const auto result = full.wait();
  CHECK(result.err.find("/dev/full: cannot write the events (No space left on device): answering "
                        "503, so senders retry") != std::string::npos);
  CHECK(result.out.find("received 0 messages") != std::string::npos);
}

TEST_CASE("cli listen: gzip and chunked bodies, as analytics-python and others send them") {
  test::BackgroundTool listen({"listen", "--port", "0", "--max-events", "2", "--quiet"});
  const std::string base = listen.listen_url();
  const int port = port_of(base);
  const auto gzipped = [&](const std::string& body, const std::string& encoding) {
    static auto client = io::make_curl_client({});
    io::HttpRequest r;
    r.url = base + "/v1/identify";
    r.body = body;
    r.headers = {{"Content-Type", "application/json"}, {"Content-Encoding", encoding}};
    return client->send(r);
  };
  CHECK(gzipped(util::gzip(identify("g")), "gzip").status == 200);
  auto r = gzipped("not gzip", "gzip");
  CHECK(r.status == 400);
  CHECK(r.body.find("Content-Encoding gzip, but") != std::string::npos);
  CHECK(gzipped(identify("x"), "br").status == 400);
  // A gzip bomb is refused once it passes Segment's 500 KB, without inflating it all.
  r = gzipped(util::gzip(std::string(8 << 20, ' ')), "gzip");
  CHECK(r.status == 400);
  CHECK(r.body.find("500 KB") != std::string::npos);
  const std::string body = identify("c");
  const std::string chunked =
      "POST /v1/identify HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
      "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n" +
      hex(body.size() / 2) + "\r\n" + body.substr(0, body.size() / 2) + "\r\n" +
      hex(body.size() - body.size() / 2) + "\r\n" + body.substr(body.size() / 2) + "\r\n0\r\n\r\n";
  CHECK(raw_exchange(port, chunked).rfind("HTTP/1.1 200 OK", 0) == 0);
  const auto result = listen.wait();
  CHECK(result.status == 0);
  CHECK(result.out.find("received 2 messages: 2 accepted, 0 would be dropped (identify 2); 3 "
                        "requests rejected") != std::string::npos);
}

TEST_CASE("cli listen: --strict-auth keeps the 401 for a wrong key") {
  test::BackgroundTool listen(
      {"listen", "--port", "0", "--max-events", "1", "--strict-auth", "--quiet"},
      {{"SEGMENT_WRITE_KEY", k_key}});
  const std::string base = listen.listen_url();
  CHECK(post(base + "/v1/identify", identify("x"), "wrong-key").status == 401);
  CHECK(post(base + "/v1/identify", identify("y"), "").status == 401);
  CHECK(post(base + "/v1/identify", identify("z")).status == 200);
  const auto result = listen.wait();
  CHECK(result.out.find("received 1 message: 1 accepted, 0 would be dropped (identify 1); 2 "
                        "requests rejected") != std::string::npos);
}

TEST_CASE("cli listen: garbage and slow clients get an answer or a timeout, never a crash") {
  test::BackgroundTool listen(
      {"listen", "--port", "0", "--exit-after", "60", "--client-timeout", "1", "--quiet"});
  const int port = port_of(listen.listen_url());
  CHECK(raw_exchange(port, "garbage\r\n\r\n").rfind("HTTP/1.1 400 Bad Request", 0) == 0);
  CHECK(raw_exchange(port, "POST /v1/identify HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n")
            .rfind("HTTP/1.1 413", 0) == 0);
  CHECK(raw_exchange(port, "POST /v1/identify HTTP/1.1\r\nTransfer-Encoding: compress\r\n\r\n")
            .rfind("HTTP/1.1 501", 0) == 0);
  CHECK(
      raw_exchange(port, "GET /v1/identify HTTP/1.1\r\nHost: x\r\n\r\n").rfind("HTTP/1.1 405", 0) ==
      0);
  CHECK(raw_exchange(port, std::string(20000, 'A')).rfind("HTTP/1.1 431", 0) == 0);
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  CHECK(raw_exchange(port, bytes + "\r\n\r\n").rfind("HTTP/1.1 400", 0) == 0);
  // A client that sends half a request and stalls is answered 408 after --client-timeout.
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(raw_exchange(port, "POST /v1/identify HTTP/1.1\r\nContent-Le", 5000)
            .rfind("HTTP/1.1 408", 0) == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(4));
  // Still serving.
  CHECK(post("http://127.0.0.1:" + std::to_string(port) + "/v1/identify", identify("after"), "")
            .status == 200);
  listen.signal(SIGINT);
  const auto result = listen.wait();
  CHECK(result.status == 130);  // Ctrl-C
  CHECK(result.out.find("received 1 message: 1 accepted") != std::string::npos);
}

TEST_CASE("cli listen: keep-alive serves many requests on one connection") {
  test::BackgroundTool listen({"listen", "--port", "0", "--max-events", "50", "--quiet"});
  const std::string base = listen.listen_url();
  auto client = io::make_curl_client({});
  for (int i = 0; i < 50; ++i) {
    io::HttpRequest r;
    r.url = base + "/v1/identify";
    r.body = identify("k" + std::to_string(i));
    CHECK(client->send(r).status == 200);
  }
  CHECK(listen.wait().out.find("received 50 messages: 50 accepted") != std::string::npos);
}

TEST_CASE("cli listen: bad options exit 2") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"listen", "--fail", "503"},
       "--fail '503': missing COUNT (expected STATUS:COUNT[:retry-after=S], reset:COUNT or "
       "slow:COUNT:SECONDS)"},
      {{"listen", "--fail", "200:1"},
       "--fail '200:1': STATUS must be 400-599 (expected STATUS:COUNT[:retry-after=S], reset:COUNT "
       "or slow:COUNT:SECONDS)"},
      {{"listen", "--fail", "slow:1"},
       "--fail 'slow:1': slow needs SECONDS (expected STATUS:COUNT[:retry-after=S], reset:COUNT or "
       "slow:COUNT:SECONDS)"},
      {{"listen", "--port", "70000"}, "--port must be 0-65535"},
  };
  for (const auto& [args, expected] : cases) {
    const auto r = test::run_tool(args);
    CHECK(r.status == 2);
    CHECK(r.err == "ory-segment: error: " + expected + "\n");
  }
}

TEST_CASE("cli listen: a repeated messageId is dropped as Segment drops it, across runs too") {
  test::TempDir dir;
  const std::string events = dir.file("events.jsonl");
  const std::string t = dir.write("t.jsonnet",
                                  "function(ctx) { userId: ctx.identity.id, messageId: "
                                  "'ory-identify-' + ctx.flow.id }\n");
  const std::string identity = test::source_path("examples/identity.json");
  const std::string pinned = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
  const auto run_listen = [&](const std::string& expect) {
    return std::make_unique<test::BackgroundTool>(
        std::vector<std::string>{"listen", "--port", "0", "--exit-after", "60", "--max-events", "4",
                                 "--expect", expect, "--jsonl", events});
  };
  const auto send = [&](const std::string& url, std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "test-identify", "--jsonnet", t, "--identity", identity, "--url", url + "/v1/identify"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_tool(args);
  };
  auto listen = run_listen("3");
  const std::string url = listen->listen_url();
  // Two real tests of the same template: two flows, two messageIds, both kept.
  CHECK(send(url, {}).status == 0);
  CHECK(send(url, {}).status == 0);
  // The same flow twice: the second is answered 200 and dropped.
  CHECK(send(url, {"--flow-id", pinned}).status == 0);
  const auto again = send(url, {"--flow-id", pinned});
  INFO(again.out << again.err);
  CHECK(again.status == 1);
  CHECK(again.err.find("error: accepted by the endpoint, dropped as a duplicate (duplicate "
                       "messageId)") != std::string::npos);
  CHECK(again.out.find("verdict: dropped-duplicate") != std::string::npos);
  const auto first = listen->wait();
  INFO(first.out << first.err);
  CHECK(first.status == 0);  // 3 kept, as expected; a duplicate is not a message Segment rejects
  CHECK(first.out.find("received 4 messages: 3 accepted, 0 would be dropped (identify 4); 1 "
                       "duplicate messageId (dropped, as Segment drops them)") !=
        std::string::npos);
  CHECK(first.out.find("DROPPED: duplicate messageId") != std::string::npos);
  const auto lines = test::read_jsonl(events);
  REQUIRE(lines.size() == 4);
  CHECK(lines[3]["verdict"] == "dropped");
  CHECK(lines[3]["reason"].get<std::string>().rfind("duplicate messageId", 0) == 0);
  // A later run reads the last 24 hours of --jsonl: the pinned flow is still a duplicate, and
  // --expect counts only what is kept.
  auto second = run_listen("1");
  const std::string url2 = second->listen_url();
  CHECK(send(url2, {"--flow-id", pinned}).status == 1);
  second->signal(SIGTERM);
  const auto later = second->wait();
  INFO(later.out << later.err);
  CHECK(later.status == 143);
  CHECK(later.err.find("3 messageId(s) kept in the last 24 hours, from " + events) !=
        std::string::npos);
  CHECK(later.err.find("expected 1 message kept, received 0 (and 1 dropped)") != std::string::npos);
}
