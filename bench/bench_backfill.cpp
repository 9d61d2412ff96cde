// End-to-end backfill benchmark: generates N identities (the shape `ory list identities`
// prints), runs `ory-segment backfill` against `ory-segment listen --jsonl` on loopback,
// checks that every identity arrived, and prints the median identities/s of RUNS runs and
// the peak RSS; alternating with those runs, one template evaluation per identity in a
// fresh VM (the obvious way) on a smaller N, for the ratio.
// Bounded in count and time; loopback only; nothing is asserted.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "core/kratos_context.hpp"
#include "core/transform.hpp"

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

// `expected`: how many identities the template sends (the others cancel or fail).
Run run(const std::string& bin, const std::string& dir, long n, const std::string& jsonnet,
        long expected) {
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
  const pid_t backfill = spawn(
      {bin, "backfill", "--jsonnet", jsonnet, "--identities", input, "--url", url,
       "--write-key-file", dir + "/key", "--failed", dir + "/failed.jsonl", "--progress", "never"},
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
  if (r.received != expected) {
    std::fprintf(stderr, "bench: the endpoint received %ld of %ld; see %s\n", r.received, expected,
                 dir.c_str());
    std::exit(1);
  }
  std::remove(input.c_str());
  std::remove(events.c_str());
  return r;
}

// The obvious way, for the ratio: one template evaluation per identity, each in a fresh
// libjsonnet VM (what test-identify runs), on both cores. Sending is left out, which only
// flatters the baseline.
double baseline_rate(long n) {
  const std::string path =
      std::string(ORY_SEGMENT_SOURCE_DIR) + "/examples/segment_identify.jsonnet";
  std::ifstream in(path);
  const std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  core::ContextOptions opts;
  std::vector<std::string> unused;
  core::Json base = core::build_context(opts, &unused);
  std::vector<std::string> contexts;
  for (long i = 0; i < n; ++i) {
    base["identity"] = core::Json{{"id", std::to_string(i)},
                                  {"traits",
                                   {{"email", "user" + std::to_string(i) + "@example.com"},
                                    {"name", "User"},
                                    {"consent", {{"newsletter", true}}}}}};
    contexts.push_back(base.dump());
  }
  std::atomic<long> next{0}, ok{0};
  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      for (long i; (i = next++) < n;) {
        const auto e = core::evaluate_template(source, "segment_identify.jsonnet",
                                               contexts[static_cast<std::size_t>(i)]);
        if (e.status == core::EvalStatus::ok) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (ok != n) {
    std::fprintf(stderr, "bench: the baseline evaluated %ld of %ld\n", ok.load(), n);
    std::exit(1);
  }
  return static_cast<double>(n) / seconds;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s ORY_SEGMENT_BINARY RUNS [N...]\n", argv[0]);
    return 2;
  }
  const std::string bin = argv[1];
  const int runs = std::max(1, std::atoi(argv[2]));
  std::vector<long> sizes;
  for (int i = 3; i < argc; ++i) sizes.push_back(std::atol(argv[i]));
  if (sizes.empty()) sizes = {1000, 100000, 1000000};
  char tmpl[] = "/tmp/ory-segment-bench.XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);

  const std::string docs_template =
      std::string(ORY_SEGMENT_SOURCE_DIR) + "/examples/segment_identify.jsonnet";
  const long baseline_n = 300;
  for (long n : sizes) {
    std::vector<double> rates, baselines;
    double rss = 0, helper_rss = 0;
    for (int k = 0; k < runs; ++k) {
      // Measured in turn, so both see the same machine.
      baselines.push_back(baseline_rate(baseline_n));
      const Run r = run(bin, dir, n, docs_template, n);
      rates.push_back(static_cast<double>(n) / r.seconds);
      rss = std::max(rss, static_cast<double>(r.peak_rss_kb) / 1024.0);
      helper_rss = std::max(helper_rss, static_cast<double>(r.peak_helper_rss_kb) / 1024.0);
    }
    const double rate = median(rates), base = median(baselines);
    std::printf("backfill %ld identities, median of %d runs: %.0f identities/s end to end (runs: ",
                n, runs, rate);
    for (std::size_t k = 0; k < rates.size(); ++k) std::printf("%s%.0f", k ? ", " : "", rates[k]);
    std::printf(
        "); baseline, one evaluation per identity in a fresh VM on both cores (%ld identities, "
        "not sending): %.0f identities/s; ratio %.0fx; peak RSS %.0f MB (backfill process), "
        "%.0f MB (largest of it, its evaluation processes and listen)\n",
        baseline_n, base, rate / base, rss, helper_rss);
    std::fflush(stdout);
  }
  // Templates that do not send everyone: half the identities cancelled (a literal
  // `error "cancel"`), and 1% failing (a field they lack).
  const long v = 100000;
  const std::string cancel = dir + "/cancel.jsonnet";
  std::ofstream(cancel) << "function(ctx) if !ctx.identity.traits.consent.newsletter then "
                           "error \"cancel\" else { userId: ctx.identity.id }\n";
  const std::string failing = dir + "/failing.jsonnet";
  std::ofstream(failing) << "function(ctx) { userId: ctx.identity.id, traits: { name: if "
                            "std.endsWith(ctx.identity.traits.email, '00@example.com') then "
                            "ctx.identity.traits.missing else ctx.identity.traits.name } }\n";
  for (const auto& [label, path, expected] :
       {std::tuple<const char*, std::string, long>{"half of them cancelled", cancel, v / 2},
        {"1% failing", failing, v - (v / 100 - 1)}}) {  // 100, 200, ...: not 0
    std::vector<double> rates;
    for (int k = 0; k < runs; ++k) {
      rates.push_back(static_cast<double>(v) / run(bin, dir, v, path, expected).seconds);
    }
    std::printf("backfill %ld identities, %s, median of %d runs: %.0f identities/s (runs: ", v,
                label, runs, median(rates));
    for (std::size_t k = 0; k < rates.size(); ++k) std::printf("%s%.0f", k ? ", " : "", rates[k]);
    std::printf(")\n");
    std::fflush(stdout);
  }
  std::remove(cancel.c_str());
  std::remove(failing.c_str());
  std::remove((dir + "/key").c_str());
  std::remove((dir + "/failed.jsonl").c_str());
  for (const char* f : {"/listen.out", "/listen.out.err", "/backfill.out", "/backfill.out.err"}) {
    std::remove((dir + f).c_str());
  }
  ::rmdir(dir.c_str());
  return 0;
}
