#pragma once

#include <chrono>
#include <deque>
#include <vector>

#include "io/http_client.hpp"

namespace test {

// Answers from a script (repeating the last reply once it runs out) and records requests.
class ScriptedClient : public io::HttpClient {
 public:
  explicit ScriptedClient(std::deque<io::HttpResponse> replies) : m_replies(std::move(replies)) {}
  io::HttpResponse send(const io::HttpRequest& request) override {
    sent.push_back(request);
    io::HttpResponse r = m_replies.front();
    if (m_replies.size() > 1) m_replies.pop_front();
    return r;
  }
  std::vector<io::HttpRequest> sent;

 private:
  std::deque<io::HttpResponse> m_replies;
};

// Time that only moves when the code under test sleeps.
class FakeClock : public io::Clock {
 public:
  std::chrono::steady_clock::time_point now() override { return m_now; }
  void sleep_for(std::chrono::milliseconds d) override {
    sleeps.push_back(d.count());
    m_now += d;
  }
  long slept() const {
    long total = 0;
    for (long s : sleeps) total += s;
    return total;
  }
  std::chrono::system_clock::time_point wall_now() override { return wall; }
  std::vector<long> sleeps;
  std::chrono::system_clock::time_point wall{};

 private:
  std::chrono::steady_clock::time_point m_now{};
};

}  // namespace test
