// listen --ui over HTTP: the page, its stream, and what they refuse. The page in a real
// browser: tests/cli/test_listen_browser.cpp.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "io/http_client.hpp"
#include "support.hpp"
#include "util/base64.hpp"

using nlohmann::json;

namespace {

const std::string k_key = "wk_ui_secret_1";

int port_of(const std::string& url) { return std::stoi(url.substr(url.rfind(':') + 1)); }

// A client of the page's stream: what it received so far, read as it comes.
class StreamClient {
 public:
  StreamClient(int port, const std::string& request) : m_fd(test::connect_loopback(port)) {
    if (m_fd >= 0) ::send(m_fd, request.data(), request.size(), MSG_NOSIGNAL);
  }
  ~StreamClient() {
    if (m_fd >= 0) ::close(m_fd);
  }
  StreamClient(const StreamClient&) = delete;
  StreamClient& operator=(const StreamClient&) = delete;

  // Reads until the text holds `needle` `times` times (or the connection ends, or 20 s pass:
  // a bound for a broken build, not a timing the test depends on).
  bool read_until(const std::string& needle, int times = 1) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (count(needle) < times) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      pollfd p{m_fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[65536];
      const ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
      if (n <= 0) return count(needle) >= times;
      m_text.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }
  int count(const std::string& needle) const {
    int n = 0;
    for (auto at = m_text.find(needle); at != std::string::npos; at = m_text.find(needle, at + 1))
      ++n;
    return n;
  }
  const std::string& text() const { return m_text; }
  // The messages of every `data:` line (each an array of them) received so far.
  json messages() const {
    json out = json::array();
    for (std::size_t at = m_text.find("\ndata: ["); at != std::string::npos;
         at = m_text.find("\ndata: [", at + 1)) {
      const std::size_t end = m_text.find('\n', at + 1);
      if (end == std::string::npos) break;
      for (auto& m : json::parse(m_text.substr(at + 7, end - at - 7))) out.push_back(m);
    }
    return out;
  }

 private:
  int m_fd;
  std::string m_text;
};

std::string get(int port, const std::string& path, const std::string& host = "") {
  return "GET " + path +
         " HTTP/1.1\r\nHost: " + (host.empty() ? "127.0.0.1:" + std::to_string(port) : host) +
         "\r\n\r\n";
}

io::HttpResponse send(const std::string& url, const std::string& body,
                      const io::Headers& extra = {}) {
  static auto client = io::make_curl_client({});
  io::HttpRequest r;
  r.url = url;
  r.body = body;
  r.timeout = std::chrono::milliseconds(10000);
  r.headers = {{"Content-Type", "application/json"},
               {"Authorization", "Basic " + util::base64_encode(k_key + ":")}};
  for (const auto& h : extra) r.headers.push_back(h);
  return client->send(r);
}

}  // namespace

TEST_CASE("cli listen --ui: the page, with its own script only, answers GET alone") {
  test::BackgroundTool listen({"listen", "--port", "0", "--ui", "--exit-after", "60"},
                              {{"SEGMENT_WRITE_KEY", k_key}});
  const std::string url = listen.listen_url();
  const int port = port_of(url);
  CHECK(listen.read_line() == "page: " + url + "/ (live; GET /events streams the messages)");
  StreamClient page(port, get(port, "/"));
  REQUIRE(page.read_until("</html>"));
  const std::string& text = page.text();
  CHECK(text.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(text.find("Content-Type: text/html; charset=utf-8\r\n") != std::string::npos);
  // Inline script and style run by their hashes only: no inline handler, no other script.
  CHECK(text.find("Content-Security-Policy: default-src 'none'; script-src 'sha256-") !=
        std::string::npos);
  CHECK(text.find("'unsafe-inline'") == std::string::npos);
  CHECK(text.find("X-Content-Type-Options: nosniff\r\n") != std::string::npos);
  // Nothing from elsewhere: no URL the page would fetch.
  CHECK(text.find("http://") == std::string::npos);
  CHECK(text.find("https://") == std::string::npos);
  CHECK(text.find(".innerHTML") == std::string::npos);

  // Only GET; only the names listen is reached by (a rebinding site's name is refused).
  StreamClient post(port, "POST / HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                              "\r\nContent-Length: 0\r\n\r\n");
  REQUIRE(post.read_until("\r\n\r\n"));
  CHECK(post.text().rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0) == 0);
  CHECK(post.text().find("Allow: GET\r\n") != std::string::npos);
  StreamClient head(
      port, "HEAD /events HTTP/1.1\r\nHost: localhost:" + std::to_string(port) + "\r\n\r\n");
  REQUIRE(head.read_until("\r\n\r\n"));
  CHECK(head.text().rfind("HTTP/1.1 405 ", 0) == 0);
  StreamClient rebound(port, get(port, "/events", "evil.example:" + std::to_string(port)));
  REQUIRE(rebound.read_until("\r\n\r\n"));
  CHECK(rebound.text().rfind("HTTP/1.1 403 ", 0) == 0);
  StreamClient by_name(port, get(port, "/", "localhost:" + std::to_string(port)));
  REQUIRE(by_name.read_until("\r\n\r\n"));
  CHECK(by_name.text().rfind("HTTP/1.1 200 ", 0) == 0);
  // 17 pages asking at once: 16 get the stream, one is refused.
  std::vector<std::unique_ptr<StreamClient>> pages;
  for (int i = 0; i < 17; ++i)
    pages.push_back(std::make_unique<StreamClient>(port, get(port, "/events")));
  int streamed = 0, refused = 0;
  for (auto& p : pages) {
    REQUIRE(p->read_until("\r\n\r\n"));
    streamed += p->text().rfind("HTTP/1.1 200 ", 0) == 0;
    refused += p->text().rfind("HTTP/1.1 503 ", 0) == 0;
  }
  CHECK(streamed == 16);
  CHECK(refused == 1);
  // The endpoint is where it was.
  CHECK(send(url + "/v1/identify", R"({"userId":"u1"})").status == 200);
  listen.signal(SIGTERM);
  CHECK(listen.wait().status == 143);
}

TEST_CASE("cli listen --ui: the stream gives the history, then each message with its verdict") {
  test::TempDir dir;
  const std::string jsonl =
      dir.write("events.jsonl", json{{"receivedAt", "2026-12-01T10:00:00.000Z"},
                                     {"type", "identify"},
                                     {"verdict", "accepted"},
                                     {"reason", nullptr},
                                     {"message", {{"userId", "earlier"}, {"writeKey", k_key}}}}
                                        .dump() +
                                    "\n");
  test::BackgroundTool listen(
      {"listen", "--port", "0", "--ui", "--jsonl", jsonl, "--exit-after", "60", "-q"},
      {{"SEGMENT_WRITE_KEY", k_key}});
  const std::string url = listen.listen_url();
  const int port = port_of(url);
  StreamClient events(port, get(port, "/events"));
  REQUIRE(events.read_until("earlier"));
  CHECK(events.text().find("Content-Type: text/event-stream") != std::string::npos);
  CHECK(events.text().find("event: hello\ndata: {\"run\":") != std::string::npos);

  const json batch = {{"batch",
                       {{{"type", "identify"}, {"userId", "u1"}, {"messageId", "m1"}},
                        {{"type", "track"}, {"userId", "u1"}},
                        {{"type", "identify"}, {"userId", "u2"}, {"messageId", "m1"}}}}};
  REQUIRE(send(url + "/v1/batch", batch.dump(),
               {{"Ory-Webhook-Trigger-ID", "t-1"}, {"User-Agent", "Ory-Kratos"}})
              .status == 200);
  REQUIRE(send(url + "/v1/identify", "{not json").status == 400);
  REQUIRE(events.read_until("\"verdict\":\"rejected\""));
  const json got = events.messages();
  REQUIRE(got.size() == 5);
  CHECK(got[0]["from"] == "jsonl");
  CHECK(got[0]["verdict"] == "kept");
  CHECK(got[0]["message"]["writeKey"] == "<redacted>");
  CHECK(got[1]["from"] == "run");
  CHECK(got[1]["verdict"] == "kept");
  CHECK(got[2]["verdict"] == "dropped");
  CHECK(got[2]["reason"].get<std::string>().find("event") != std::string::npos);
  CHECK(got[3]["verdict"] == "duplicate");
  CHECK(got[4]["verdict"] == "rejected");
  CHECK(got[4]["message"].is_null());
  // The request's headers, the sender's among them, and never the key.
  bool trigger = false;
  for (const auto& h : got[1]["headers"]) {
    if (h[0] == "authorization") CHECK(h[1] == "Basic <redacted>");
    if (h[0] == "ory-webhook-trigger-id") trigger = h[1] == "t-1";
  }
  CHECK(trigger);
  CHECK(events.text().find(k_key) == std::string::npos);
  CHECK(events.text().find(util::base64_encode(k_key + ":")) == std::string::npos);
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i]["seq"] == i + 1);
  listen.signal(SIGTERM);
  CHECK(listen.wait().status == 143);
}

TEST_CASE("cli listen --ui: a page that never reads does not hold the endpoint") {
  test::BackgroundTool listen({"listen", "--port", "0", "--ui", "--exit-after", "120", "-q"});
  const std::string url = listen.listen_url();
  const int port = port_of(url);
  // Subscribed, then never read: its socket buffers fill, and its queue drops the oldest.
  StreamClient stalled(port, get(port, "/events"));
  REQUIRE(stalled.read_until("event: hello"));
  // Batches of 20 messages of 20 KB: 80 MB in all, far beyond what the socket and the queue
  // hold. Each is answered.
  json batch = {{"batch", json::array()}};
  for (int k = 0; k < 20; ++k) {
    batch["batch"].push_back(
        {{"type", "track"}, {"userId", "u"}, {"event", std::string(20000, 'x')}});
  }
  for (int i = 0; i < 200; ++i) {
    CAPTURE(i);
    REQUIRE(send(url + "/v1/batch", batch.dump()).status == 200);
  }
  // A page that reads now sees the latest, after a marker for what it missed.
  StreamClient fresh(port, get(port, "/events"));
  REQUIRE(fresh.read_until("event: dropped"));
  listen.signal(SIGTERM);
  const auto r = listen.wait();
  CHECK(r.status == 143);
  CHECK(r.out.find("received 4000 messages") != std::string::npos);
}
