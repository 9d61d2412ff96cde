#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace test {

// Kratos's admin API on 127.0.0.1 (ephemeral port) inside the test process, for
// GET /admin/identities as Kratos serves it: ordered by id, keyset pages (page_token is the
// previous page's last id; 250 per page by default, at most `max_page_size`), a Link header
// with rel="first" and, unless the page is the last, rel="next" (relative, as Kratos writes
// it), 401 without "Authorization: Bearer KEY" when a key is set, and scripted failures
// (status, Retry-After) answered before the real pages. Stops with the object.
class FakeKratosAdmin {
 public:
  struct Failure {
    int status;
    std::string retry_after;
    bool echo = false;  // the message repeats the request's Authorization header
  };

  // `pad`: a traits.bio of that many bytes, so a few identities fill a Segment batch.
  explicit FakeKratosAdmin(int identities, std::string key = "", int max_page_size = 500,
                           std::size_t pad = 0)
      : m_key(std::move(key)), m_max(max_page_size) {
    for (int i = 0; i < identities; ++i) {
      m_identities.push_back(make_identity(i));
      if (pad) m_identities.back()["traits"]["bio"] = std::string(pad, 'b');
    }
    m_server.Get("/admin/identities",
                 [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
    m_port = m_server.bind_to_any_port("127.0.0.1");
    m_thread = std::thread([this] { m_server.listen_after_bind(); });
    for (int i = 0; i < 2000 && !m_server.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  FakeKratosAdmin(const FakeKratosAdmin&) = delete;
  FakeKratosAdmin& operator=(const FakeKratosAdmin&) = delete;
  ~FakeKratosAdmin() {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_stopping = true;
    }
    m_wake.notify_all();
    m_server.stop();
    m_thread.join();
  }

  static std::string id(int i) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", i + 1);
    return buf;
  }

  std::string base() const { return "http://127.0.0.1:" + std::to_string(m_port); }
  void fail(std::vector<Failure> failures) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_failures.assign(failures.begin(), failures.end());
  }
  // Each request's query string ("page_size=100&page_token=...") and Authorization header.
  std::vector<std::pair<std::string, std::string>> requests() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_requests;
  }
  // The Link of page `n` (from 1) points back at the first page (rel="first"'s token): the
  // pages cycle.
  void cycle_after(int n) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_cycle_after = n;
  }
  // What the next page request gets instead of a page (after any scripted failure).
  struct Odd {
    std::string body;            // this text as the page (deep nesting, say)
    std::size_t huge_bytes = 0;  // a page of identities this large, streamed a MB at a time
    bool stall = false;          // the start of a page, then nothing until the fake stops
    std::string location;        // a 302 to this URL (another origin, say)
  };
  void answer_next(Odd odd) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_odd.push_back(std::move(odd));
  }

  // Answers each page this much later, so a run can be caught in the middle.
  void delay(std::chrono::milliseconds d) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_delay = d;
  }

 private:
  bool serve_odd(httplib::Response& res) {
    Odd odd;
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      if (m_odd.empty()) return false;
      odd = std::move(m_odd.front());
      m_odd.pop_front();
    }
    if (!odd.location.empty()) {
      res.status = 302;
      res.set_header("Location", odd.location);
    } else if (odd.huge_bytes > 0) {
      const std::size_t total = odd.huge_bytes;
      res.set_chunked_content_provider(
          "application/json",
          [total, sent = std::size_t{0}, n = 0](std::size_t, httplib::DataSink& sink) mutable {
            if (sent >= total) {
              sink.done();
              return true;
            }
            std::string chunk = sent == 0 ? "[" : ",";
            while (chunk.size() < (std::size_t{1} << 20)) {
              chunk += make_identity(n++).dump() + ",";
            }
            chunk += make_identity(n++).dump();
            sent += chunk.size();
            if (sent >= total) chunk += "]";
            return sink.write(chunk.data(), chunk.size());
          });
    } else if (odd.stall) {
      res.set_chunked_content_provider("application/json",
                                       [this](std::size_t offset, httplib::DataSink& sink) {
                                         if (offset == 0) return sink.write("[{\"id\":", 7);
                                         std::unique_lock<std::mutex> lock(m_mutex);
                                         m_wake.wait(lock, [this] { return m_stopping; });
                                         return false;
                                       });
    } else {
      res.set_content(odd.body, "application/json");
    }
    return true;
  }

  static nlohmann::json make_identity(int i) {
    return {{"id", id(i)},
            {"schema_id", "default"},
            {"state", "active"},
            {"traits",
             {{"email", "user" + std::to_string(i) + "@example.com"},
              {"name", "User " + std::to_string(i)},
              {"consent", {{"newsletter", i % 2 == 0}}}}},
            {"metadata_public", nullptr},
            {"created_at", "2026-01-01T00:00:00Z"},
            {"updated_at", "2026-01-01T00:00:00Z"}};
  }

  void handle(const httplib::Request& req, httplib::Response& res) {
    std::chrono::milliseconds delay{0};
    int cycle_after = 0;
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      cycle_after = m_cycle_after;
      std::string query;
      for (const auto& [k, v] : req.params) {
        query += (query.empty() ? "" : "&") + k + "=" + v;
      }
      m_requests.emplace_back(query, req.get_header_value("Authorization"));
      delay = m_delay;
      if (!m_failures.empty()) {
        const Failure f = m_failures.front();
        m_failures.pop_front();
        res.status = f.status;
        if (!f.retry_after.empty()) res.set_header("Retry-After", f.retry_after);
        const std::string message =
            f.echo ? "cannot authorize " + req.get_header_value("Authorization")
                   : std::string("scripted failure");
        res.set_content(
            nlohmann::json{{"error", {{"code", f.status}, {"message", message}}}}.dump(),
            "application/json");
        return;
      }
    }
    if (!m_key.empty() && req.get_header_value("Authorization") != "Bearer " + m_key) {
      res.status = 401;
      res.set_content(
          R"({"error":{"code":401,"status":"Unauthorized","message":"The request could not be authorized"}})",
          "application/json");
      return;
    }
    if (serve_odd(res)) return;
    if (delay.count() > 0) {  // cut short when the fake stops
      std::unique_lock<std::mutex> lock(m_mutex);
      m_wake.wait_for(lock, delay, [this] { return m_stopping; });
    }
    int size = 250;
    if (req.has_param("page_size")) size = std::stoi(req.get_param_value("page_size"));
    if (size < 1) size = 250;
    if (size > m_max) size = m_max;
    const std::string token = req.has_param("page_token") ? req.get_param_value("page_token")
                                                          : "00000000-0000-0000-0000-000000000000";
    if (token.size() != 36) {
      res.status = 400;
      res.set_content(R"({"error":{"code":400,"message":"The page token is invalid"}})",
                      "application/json");
      return;
    }
    nlohmann::json page = nlohmann::json::array();
    bool more = false;
    for (const auto& identity : m_identities) {
      if (identity["id"].get<std::string>() <= token) continue;
      if (static_cast<int>(page.size()) == size) {
        more = true;
        break;
      }
      page.push_back(identity);
    }
    const std::string size_text = std::to_string(size);
    std::string link = "</admin/identities?page_size=" + size_text +
                       "&page_token=00000000-0000-0000-0000-000000000000>; rel=\"first\"";
    const bool cycle = cycle_after > 0 && ++m_pages_served % cycle_after == 0;
    if (more) {
      link += ",</admin/identities?page_size=" + size_text + "&page_token=" +
              (cycle ? std::string("00000000-0000-0000-0000-000000000000")
                     : page.back()["id"].get<std::string>()) +
              ">; rel=\"next\"";
    }
    res.set_header("Link", link);
    res.set_content(page.dump(), "application/json");
  }

  std::string m_key;
  int m_max;
  std::vector<nlohmann::json> m_identities;
  httplib::Server m_server;
  int m_port = 0;
  std::thread m_thread;
  std::mutex m_mutex;
  std::deque<Failure> m_failures;
  std::vector<std::pair<std::string, std::string>> m_requests;
  std::deque<Odd> m_odd;
  std::chrono::milliseconds m_delay{0};
  std::condition_variable m_wake;
  bool m_stopping = false;
  int m_cycle_after = 0;
  std::atomic<int> m_pages_served{0};
};

}  // namespace test
