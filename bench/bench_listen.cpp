// Drives `ory-segment listen` from this (second) process over loopback and prints
// requests/s and messages/s for 1 KB identify calls and ~400 KB batches: plain, with --ui and
// no page open, and with --ui and a page that subscribed to /events and never reads, each
// beside the plain figure measured in the same run. Bounded in count and time. Exits 1 when a
// request is not answered 200 {"success":true}, when none was made, or when listen does not
// start or stop as it should.
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

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace {

using Clock = std::chrono::steady_clock;

struct Listener {
  pid_t pid = -1;
  int out = -1;  // its stdout, read to the end when it stops
  std::string url;
};

Listener start_listener(const std::string& binary, bool ui) {
  int out[2];
  if (::pipe(out) != 0) std::exit(1);
  Listener l;
  l.pid = ::fork();
  if (l.pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    ::execl(binary.c_str(), binary.c_str(), "listen", "--port", "0", "--quiet", "--exit-after",
            "300", ui ? "--ui" : static_cast<char*>(nullptr), static_cast<char*>(nullptr));
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

// A page that subscribed to the stream and never reads: its socket fills, then its queue.
int stalled_page(const std::string& url) {
  const int port = std::stoi(url.substr(url.rfind(':') + 1));
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::string request =
      "GET /events HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n";
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::send(fd, request.data(), request.size(), 0) < 0) {
    std::fprintf(stderr, "bench: cannot open the page's stream\n");
    std::exit(1);
  }
  return fd;
}

enum class Mode { plain, ui, stalled_page };

struct Figures {
  Result identify, batch;
  bool stopped_well = false;
};

struct Load {
  std::string small, big;
  long per_batch = 0;
  int threads = 4;
  long identify_requests = 0, batch_requests = 0;
};

Figures measure(const std::string& binary, Mode mode, const Load& load) {
  const Listener listener = start_listener(binary, mode != Mode::plain);
  const int page = mode == Mode::stalled_page ? stalled_page(listener.url) : -1;
  Figures f;
  f.identify = drive(listener.url + "/v1/identify", load.small, load.threads,
                     load.identify_requests, std::chrono::seconds(20));
  f.batch = drive(listener.url + "/v1/batch", load.big, load.threads, load.batch_requests,
                  std::chrono::seconds(30));
  ::kill(listener.pid, SIGTERM);
  char buf[4096];
  while (::read(listener.out, buf, sizeof buf) > 0) {
  }
  ::close(listener.out);
  int status = 0;
  ::waitpid(listener.pid, &status, 0);
  if (page >= 0) ::close(page);
  // Stopped by SIGTERM, with every message kept: 143, as every verb stopped by it.
  f.stopped_well = WIFEXITED(status) && WEXITSTATUS(status) == 143;
  return f;
}

// The median round of each figure; stopped_well only when every round was answered in full.
Figures median(std::vector<Figures> v) {
  Figures out;
  std::sort(v.begin(), v.end(), [](const Figures& a, const Figures& b) {
    return a.identify.per_second() < b.identify.per_second();
  });
  out.identify = v[v.size() / 2].identify;
  std::sort(v.begin(), v.end(), [](const Figures& a, const Figures& b) {
    return a.batch.per_second() < b.batch.per_second();
  });
  out.batch = v[v.size() / 2].batch;
  out.stopped_well = std::all_of(v.begin(), v.end(), [](const Figures& f) {
    return f.stopped_well && f.identify.failures == 0 && f.batch.failures == 0 &&
           f.identify.requests > 0 && f.batch.requests > 0;
  });
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(
        stderr,
        "usage: %s ORY_SEGMENT_BINARY [THREADS [IDENTIFY_REQUESTS [BATCH_REQUESTS [ROUNDS]]]]\n",
        argv[0]);
    return 2;
  }
  Load load;
  load.threads = argc > 2 ? std::max(1, std::atoi(argv[2])) : 4;
  load.identify_requests = argc > 3 ? std::max(1L, std::atol(argv[3])) : 20000;
  load.batch_requests = argc > 4 ? std::max(1L, std::atol(argv[4])) : 400;
  nlohmann::json one = identify(1);
  one.erase("type");
  load.small = one.dump();
  nlohmann::json batch = {{"batch", nlohmann::json::array()}};
  while (batch.dump().size() < 400 * 1024)
    batch["batch"].push_back(identify(static_cast<int>(batch["batch"].size())));
  load.big = batch.dump();
  load.per_batch = static_cast<long>(batch["batch"].size());

  // In alternation, ROUNDS times; each figure is the median round's.
  const int rounds = argc > 5 ? std::max(1, std::atoi(argv[5])) : 3;
  std::vector<Figures> runs[3];
  for (int r = 0; r < rounds; ++r) {
    for (const Mode mode : {Mode::plain, Mode::ui, Mode::stalled_page}) {
      runs[static_cast<int>(mode)].push_back(measure(argv[1], mode, load));
    }
  }
  const Figures plain = median(runs[0]), ui = median(runs[1]), stalled = median(runs[2]);
  std::printf("median of %d rounds, the three in alternation:\n", rounds);
  bool ok = true;
  for (const auto& [label, f] : {std::pair<const char*, const Figures&>{"", plain},
                                 {" --ui, no page open", ui},
                                 {" --ui, a page that never reads", stalled}}) {
    const Result& a = f.identify;
    const Result& b = f.batch;
    std::printf(
        "identify%s, %zu-byte messages, %d connections: %.0f requests/s = %.0f messages/s (%ld "
        "requests, %ld failed, %.1f s); ratio to plain %.2f\n",
        label, load.small.size(), load.threads, a.per_second(), a.per_second(), a.requests,
        a.failures, a.seconds, a.per_second() / plain.identify.per_second());
    std::printf(
        "batch%s, %zu-byte requests of %ld messages, %d connections: %.1f requests/s = %.0f "
        "messages/s, %.1f MB/s (%ld requests, %ld failed, %.1f s); ratio to plain %.2f\n",
        label, load.big.size(), load.per_batch, load.threads, b.per_second(),
        b.per_second() * static_cast<double>(load.per_batch),
        b.per_second() * static_cast<double>(load.big.size()) / 1e6, b.requests, b.failures,
        b.seconds, b.per_second() / plain.batch.per_second());
    for (const Result* r : {&a, &b}) {
      if (r->requests == 0 || r->failures > 0) {
        std::fprintf(stderr,
                     "bench: %ld of %ld requests were not answered 200 {\"success\":true}\n",
                     r->failures, r->requests);
        ok = false;
      }
    }
    if (!f.stopped_well) {
      std::fprintf(stderr,
                   "bench: a round failed a request, or listen did not exit 143 on "
                   "SIGTERM\n");
      ok = false;
    }
  }
  std::fflush(stdout);
  return ok ? 0 : 1;
}
