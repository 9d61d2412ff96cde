// Drives `ory-segment listen` from this (second) process over loopback and prints
// requests/s and messages/s for 1 KB identify calls and ~400 KB batches. Bounded in count
// and time; nothing is asserted.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

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
  ::close(out[0]);
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
  std::atomic<long> next{0}, failures{0};
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
        if (client->send(req).status != 200) ++failures;
      }
    });
  }
  for (auto& t : pool) t.join();
  Result r;
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.requests = std::min(next.load(), max_requests);
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
    std::fprintf(stderr, "usage: %s ORY_SEGMENT_BINARY [THREADS]\n", argv[0]);
    return 2;
  }
  const int threads = argc > 2 ? std::atoi(argv[2]) : 4;
  const Listener listener = start_listener(argv[1]);

  nlohmann::json one = identify(1);
  one.erase("type");
  const std::string small = one.dump();
  nlohmann::json batch = {{"batch", nlohmann::json::array()}};
  while (batch.dump().size() < 400 * 1024)
    batch["batch"].push_back(identify(static_cast<int>(batch["batch"].size())));
  const std::string big = batch.dump();
  const long per_batch = static_cast<long>(batch["batch"].size());

  const Result a =
      drive(listener.url + "/v1/identify", small, threads, 20000, std::chrono::seconds(20));
  std::printf(
      "identify, %zu-byte messages, %d connections: %.0f requests/s = %.0f messages/s (%ld "
      "requests, %ld failed, %.1f s)\n",
      small.size(), threads, a.per_second(), a.per_second(), a.requests, a.failures, a.seconds);
  const Result b = drive(listener.url + "/v1/batch", big, threads, 400, std::chrono::seconds(30));
  std::printf(
      "batch, %zu-byte requests of %ld messages, %d connections: %.1f requests/s = %.0f "
      "messages/s, %.1f MB/s (%ld requests, %ld failed, %.1f s)\n",
      big.size(), per_batch, threads, b.per_second(),
      b.per_second() * static_cast<double>(per_batch),
      b.per_second() * static_cast<double>(big.size()) / 1e6, b.requests, b.failures, b.seconds);
  ::kill(listener.pid, SIGTERM);
  int status = 0;
  ::waitpid(listener.pid, &status, 0);
  return 0;
}
