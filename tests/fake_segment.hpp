#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace test {

// A Segment stand-in on 127.0.0.1 (ephemeral port) inside the test process: records
// every request and answers from a script (default 200 {"success":true}). Stops with
// the object. hold() keeps every answer back until release(): a test can act while a
// request is in flight, and know that it is (wait_for_requests).
class FakeSegment {
 public:
  struct Request {
    std::string method, path, body;
    std::multimap<std::string, std::string> headers;
    std::chrono::steady_clock::time_point at;  // when it arrived
    std::string header(const std::string& name) const {
      const auto it = headers.find(name);
      return it == headers.end() ? "" : it->second;
    }
  };
  struct Reply {
    Reply(int status_ = 200, std::string body_ = "{\"success\":true}",
          std::string retry_after_ = "", std::string location_ = "",
          std::string rate_limit_reset_ = "")
        : status(status_),
          body(std::move(body_)),
          retry_after(std::move(retry_after_)),
          location(std::move(location_)),
          rate_limit_reset(std::move(rate_limit_reset_)) {}
    int status;
    std::string body;
    std::string retry_after;
    std::string location;
    std::string rate_limit_reset;
  };

  FakeSegment() {
    const auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      std::unique_lock<std::mutex> lock(m_mutex);
      Request r{req.method, req.path, req.body, {}, std::chrono::steady_clock::now()};
      for (const auto& [k, v] : req.headers) r.headers.emplace(k, v);
      m_requests.push_back(r);
      m_changed.notify_all();
      m_changed.wait(lock, [this] { return !m_holding; });
      Reply reply;
      if (!m_script.empty()) {
        reply = m_script.front();
        m_script.pop_front();
      }
      res.status = reply.status;
      if (!reply.retry_after.empty()) res.set_header("Retry-After", reply.retry_after);
      if (!reply.location.empty()) res.set_header("Location", reply.location);
      if (!reply.rate_limit_reset.empty()) {
        res.set_header("X-RateLimit-Reset", reply.rate_limit_reset);
      }
      res.set_content(reply.body, "application/json");
    };
    m_server.Post(".*", handler);
    m_server.Get(".*", handler);
    m_port = m_server.bind_to_any_port("127.0.0.1");
    m_thread = std::thread([this] { m_server.listen_after_bind(); });
    for (int i = 0; i < 2000 && !m_server.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  FakeSegment(const FakeSegment&) = delete;
  FakeSegment& operator=(const FakeSegment&) = delete;
  ~FakeSegment() {
    release();
    m_server.stop();
    m_thread.join();
  }

  void script(std::vector<Reply> replies) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_script.assign(replies.begin(), replies.end());
  }
  void hold() {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_holding = true;
  }
  void release() {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_holding = false;
    m_changed.notify_all();
  }
  // Waits until `n` requests have arrived (held ones included); false after `timeout`.
  bool wait_for_requests(std::size_t n,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    std::unique_lock<std::mutex> lock(m_mutex);
    return m_changed.wait_for(lock, timeout, [&] { return m_requests.size() >= n; });
  }
  std::vector<Request> requests() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_requests;
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(m_port) + path;
  }

 private:
  httplib::Server m_server;
  int m_port = 0;
  std::thread m_thread;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  bool m_holding = false;
  std::deque<Reply> m_script;
  std::vector<Request> m_requests;
};

}  // namespace test
