// End-to-end backfill benchmark: generates N identities (the shape `ory list identities`
// prints), runs `ory-segment backfill` against `ory-segment listen --jsonl` on loopback,
// and prints identities/s and peak RSS; then the same pipeline with one template
// evaluation per identity (--chunk 1) on a smaller N, in the same run, for the ratio.
// Bounded in count and time; loopback only; nothing is asserted.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

void write_identities(const std::string& path, long n) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("[", f);
  for (long i = 0; i < n; ++i) {
    std::fprintf(
        f,
        "%s{\"id\":\"%08lx-7efc-4768-8f23-7647a74fdf13\",\"schema_id\":\"default\","
        "\"schema_url\":\"https://example.projects.oryapis.com/schemas/ZGVmYXVsdA\","
        "\"state\":\"active\",\"state_changed_at\":\"2026-01-01T00:00:00Z\","
        "\"traits\":{\"email\":\"user%ld@example.com\",\"name\":\"User %ld\","
        "\"consent\":{\"newsletter\":%s}},"
        "\"verifiable_addresses\":[{\"id\":\"0d5a5b58-3a3c-4f3b-9a7a-1b5dbe1f2c11\","
        "\"value\":\"user%ld@example.com\",\"verified\":false,\"via\":\"email\","
        "\"status\":\"sent\",\"created_at\":\"2026-01-01T00:00:00Z\","
        "\"updated_at\":\"2026-01-01T00:00:00Z\"}],"
        "\"recovery_addresses\":[{\"id\":\"5c2b1e6f-65a0-4c43-8f62-0f8a1f4bb1a2\","
        "\"value\":\"user%ld@example.com\",\"via\":\"email\","
        "\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:00:00Z\"}],"
        "\"metadata_public\":null,\"credentials\":{\"password\":{\"type\":\"password\"}},"
        "\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:00:00Z\"}",
        i ? "," : "", i, i, i, i % 2 ? "true" : "false", i, i);
  }
  std::fputs("]\n", f);
  std::fclose(f);
}

pid_t spawn(const std::vector<std::string>& args, const std::string& out_path) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open((out_path + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

std::string first_line(const std::string& path) {
  for (int i = 0; i < 100; ++i) {
    std::ifstream in(path);
    std::string line;
    if (std::getline(in, line) && line.rfind("listening on ", 0) == 0) return line.substr(13);
    ::usleep(50000);
  }
  return "";
}

long count_lines(const std::string& path) {
  std::ifstream in(path);
  long n = 0;
  std::string line;
  while (std::getline(in, line)) ++n;
  return n;
}

struct Run {
  double seconds = 0;
  long peak_rss_kb = 0;         // the backfill process
  long peak_helper_rss_kb = 0;  // the largest of it and its evaluation processes
  long received = 0;
};

Run run(const std::string& bin, const std::string& dir, long n, int chunk) {
  const std::string input = dir + "/identities-" + std::to_string(n) + ".json";
  write_identities(input, n);
  const std::string events = dir + "/events.jsonl";
  std::remove(events.c_str());
  std::remove((dir + "/listen.out").c_str());
  const pid_t listener =
      spawn({bin, "listen", "--port", "0", "--quiet", "--exit-after", "900", "--jsonl", events},
            dir + "/listen.out");
  const std::string url = first_line(dir + "/listen.out");
  std::ofstream(dir + "/key") << "bench-key\n";
  const auto t0 = Clock::now();
  const pid_t backfill =
      spawn({bin, "backfill", "--jsonnet",
             std::string(ORY_SEGMENT_SOURCE_DIR) + "/examples/segment_identify.jsonnet",
             "--identities", input, "--url", url, "--write-key-file", dir + "/key", "--failed",
             dir + "/failed.jsonl", "--progress", "never", "--chunk", std::to_string(chunk)},
            dir + "/backfill.out");
  int status = 0;
  rusage ru{};
  ::wait4(backfill, &status, 0, &ru);
  Run r;
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.peak_rss_kb = ru.ru_maxrss;
  rusage children{};
  ::getrusage(RUSAGE_CHILDREN, &children);
  r.peak_helper_rss_kb = children.ru_maxrss;
  ::kill(listener, SIGTERM);
  ::waitpid(listener, &status, 0);
  r.received = count_lines(events);
  if (r.received != n) {
    std::fprintf(stderr, "bench: the endpoint received %ld of %ld; see %s\n", r.received, n,
                 dir.c_str());
    std::exit(1);
  }
  std::remove(input.c_str());
  std::remove(events.c_str());
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s ORY_SEGMENT_BINARY [N...]\n", argv[0]);
    return 2;
  }
  const std::string bin = argv[1];
  std::vector<long> sizes;
  for (int i = 2; i < argc; ++i) sizes.push_back(std::atol(argv[i]));
  if (sizes.empty()) sizes = {1000, 100000, 1000000};
  char tmpl[] = "/tmp/ory-segment-bench.XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);

  const long baseline_n = 300;
  const Run base = run(bin, dir, baseline_n, 1);
  const double base_rate = static_cast<double>(baseline_n) / base.seconds;
  std::printf(
      "baseline, one evaluation per identity (--chunk 1): %ld identities in %.1f s = %.0f "
      "identities/s (received %ld)\n",
      baseline_n, base.seconds, base_rate, base.received);
  for (long n : sizes) {
    const Run r = run(bin, dir, n, 1000);
    const double rate = static_cast<double>(n) / r.seconds;
    std::printf(
        "backfill %ld identities: %.1f s = %.0f identities/s end to end (%.0fx the baseline); "
        "peak RSS %.0f MB (backfill process), %.0f MB (largest of it and its evaluation "
        "processes); received %ld\n",
        n, r.seconds, rate, rate / base_rate, static_cast<double>(r.peak_rss_kb) / 1024.0,
        static_cast<double>(r.peak_helper_rss_kb) / 1024.0, r.received);
    std::fflush(stdout);
  }
  std::remove((dir + "/key").c_str());
  std::remove((dir + "/failed.jsonl").c_str());
  for (const char* f : {"/listen.out", "/listen.out.err", "/backfill.out", "/backfill.out.err"}) {
    std::remove((dir + f).c_str());
  }
  ::rmdir(dir.c_str());
  return 0;
}
