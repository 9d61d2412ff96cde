// Drives `ory-segment listen` from this (second) process over loopback and prints
// requests/s and messages/s for 1 KB identify calls and ~400 KB batches. Bounded in count
// and time. Exits 1 when a request is not answered 200 {"success":true}, when none was
// made, or when listen does not start or stop as it should.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/http_client.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Listener {
  pid_t pid = -1;
  int out = -1;  // its stdout, read to the end when it stops
  std::string url;
};

Listener start_listener(const std::string& binary) {
  int out[2];
  if (::pipe(out) != 0) std::exit(1);
  Listener l;
  l.pid = ::fork();
  if (l.pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    ::execl(binary.c_str(), binary.c_str(), "listen", "--port", "0", "--quiet", "--exit-after",
            "300", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  std::string line;
  char c = 0;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
  l.out = out[0];
  if (line.find("http://") == std::string::npos) {
    std::fprintf(stderr, "bench: listen did not start: '%s'\n", line.c_str());
    std::exit(1);
  }
  l.url = line.substr(line.find("http://"));
  return l;
}

struct Result {
  double seconds = 0;
  long requests = 0, failures = 0;
  double per_second() const { return static_cast<double>(requests) / seconds; }
};

Result drive(const std::string& url, const std::string& body, int threads, long max_requests,
             std::chrono::seconds max_time) {
  std::atomic<long> next{0}, sent{0}, failures{0};
  const auto t0 = Clock::now();
  const auto deadline = t0 + max_time;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      auto client = io::make_curl_client({});
      io::HttpRequest req;
      req.url = url;
      req.body = body;
      req.headers = {{"Content-Type", "application/json"}};
      while (next.fetch_add(1) < max_requests && Clock::now() < deadline) {
        const io::HttpResponse response = client->send(req);
        ++sent;
        if (response.status != 200 || response.body != "{\"success\":true}") ++failures;
      }
    });
  }
  for (auto& t : pool) t.join();
  Result r;
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.requests = sent.load();
  r.failures = failures;
  return r;
}

nlohmann::json identify(int i) {
  return {{"type", "identify"},
          {"userId", "user-" + std::to_string(i)},
          {"traits",
           {{"email", "user" + std::to_string(i) + "@example.com"},
            {"name", "Ada Lovelace"},
            {"bio", std::string(860, 'x')}}}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: %s ORY_SEGMENT_BINARY [THREADS [IDENTIFY_REQUESTS [BATCH_REQUESTS]]]\n",
                 argv[0]);
    return 2;
  }
  const int threads = argc > 2 ? std::max(1, std::atoi(argv[2])) : 4;
  const long identify_requests = argc > 3 ? std::max(1L, std::atol(argv[3])) : 20000;
  const long batch_requests = argc > 4 ? std::max(1L, std::atol(argv[4])) : 400;
  const Listener listener = start_listener(argv[1]);

  nlohmann::json one = identify(1);
  one.erase("type");
  const std::string small = one.dump();
  nlohmann::json batch = {{"batch", nlohmann::json::array()}};
  while (batch.dump().size() < 400 * 1024)
    batch["batch"].push_back(identify(static_cast<int>(batch["batch"].size())));
  const std::string big = batch.dump();
  const long per_batch = static_cast<long>(batch["batch"].size());

  const Result a = drive(listener.url + "/v1/identify", small, threads, identify_requests,
                         std::chrono::seconds(20));
  std::printf(
      "identify, %zu-byte messages, %d connections: %.0f requests/s = %.0f messages/s (%ld "
      "requests, %ld failed, %.1f s)\n",
      small.size(), threads, a.per_second(), a.per_second(), a.requests, a.failures, a.seconds);
  const Result b =
      drive(listener.url + "/v1/batch", big, threads, batch_requests, std::chrono::seconds(30));
  std::printf(
      "batch, %zu-byte requests of %ld messages, %d connections: %.1f requests/s = %.0f "
      "messages/s, %.1f MB/s (%ld requests, %ld failed, %.1f s)\n",
      big.size(), per_batch, threads, b.per_second(),
      b.per_second() * static_cast<double>(per_batch),
      b.per_second() * static_cast<double>(big.size()) / 1e6, b.requests, b.failures, b.seconds);
  ::kill(listener.pid, SIGTERM);
  char buf[4096];
  while (::read(listener.out, buf, sizeof buf) > 0) {
  }
  ::close(listener.out);
  int status = 0;
  ::waitpid(listener.pid, &status, 0);
  bool ok = true;
  for (const Result* r : {&a, &b}) {
    if (r->requests == 0 || r->failures > 0) {
      std::fprintf(stderr, "bench: %ld of %ld requests were not answered 200 {\"success\":true}\n",
                   r->failures, r->requests);
      ok = false;
    }
  }
  // Stopped by SIGTERM, with every message kept: 143, as every verb stopped by it.
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 143) {
    std::fprintf(stderr, "bench: listen did not exit 143 on SIGTERM\n");
    ok = false;
  }
  return ok ? 0 : 1;
}
