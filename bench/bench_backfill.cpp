// End-to-end backfill benchmark: generates N identities (the shape `ory list identities`
// prints), runs `ory-segment backfill` against `ory-segment listen --jsonl` on loopback,
// checks that every identity arrived, and prints the median identities/s of RUNS runs and
// the peak RSS; alternating with those runs, one template evaluation per identity in a
// fresh VM (the obvious way) on a smaller N, for the ratio. Then the same identities read
// with --from-admin-api from a local server that pages like Kratos's admin API, beside a
// run from a file in the same round.
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

#include "bench_identities.hpp"
#include "engine/transform.hpp"
#include "io/http_server.hpp"
#include "kratos/kratos_context.hpp"

namespace {

using Clock = std::chrono::steady_clock;

using bench::AdminApiServer;
using bench::lacks_name;
using bench::write_identities;

pid_t spawn(const std::vector<std::string>& args, const std::string& out_path) {
  // Everything allocated before fork: the admin API server's threads may hold malloc's lock.
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::string err_path = out_path + ".err";
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
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
// `admin_api`: read them from that base URL instead of a file. `percent`: how many in 100
// lack the name trait (or `lacking`); each of those must be in the failed file with `failure`.
Run run(const std::string& bin, const std::string& dir, long n, const std::string& jsonnet,
        long expected, const std::string& admin_api = "", int percent = 0,
        const std::string& failure = "", bench::Lacking lacking = bench::Lacking::name) {
  const std::string input = dir + "/identities-" + std::to_string(n) + ".json";
  std::remove((dir + "/failed.jsonl").c_str());
  if (admin_api.empty()) write_identities(input, n, percent, lacking);
  const std::string events = dir + "/events.jsonl";
  std::remove(events.c_str());
  std::remove((dir + "/listen.out").c_str());
  const pid_t listener =
      spawn({bin, "listen", "--port", "0", "--quiet", "--exit-after", "900", "--jsonl", events},
            dir + "/listen.out");
  const std::string url = first_line(dir + "/listen.out");
  std::ofstream(dir + "/key") << "bench-key\n";
  const auto t0 = Clock::now();
  std::vector<std::string> args = {bin, "backfill", "--jsonnet", jsonnet, "--url", url,
                                   "--write-key-file", dir + "/key", "--failed",
                                   dir + "/failed.jsonl", "--progress", "never",
                                   // The engine's own speed: Segment's 1,000 events/s (the
                                   // default limit) would be all this measures.
                                   "--events-per-second", "0"};
  for (const std::string& a : admin_api.empty()
                                  ? std::vector<std::string>{"--identities", input}
                                  : std::vector<std::string>{"--from-admin-api", admin_api}) {
    args.push_back(a);
  }
  const pid_t backfill = spawn(args, dir + "/backfill.out");
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
  if (!failure.empty()) {
    long failed = 0, expected_failures = 0;
    std::ifstream in(dir + "/failed.jsonl");
    for (std::string line; std::getline(in, line); ++failed) {
      if (line.find(failure) == std::string::npos) {
        std::fprintf(stderr, "bench: a failure without \"%s\": %s\n", failure.c_str(),
                     line.c_str());
        std::exit(1);
      }
    }
    for (long i = 0; i < n; ++i) expected_failures += lacks_name(i, percent) ? 1 : 0;
    if (failed != expected_failures) {
      std::fprintf(stderr, "bench: %ld failures recorded, %ld expected\n", failed,
                   expected_failures);
      std::exit(1);
    }
  }
  std::remove(input.c_str());
  std::remove(events.c_str());
  return r;
}

// The same projection as the docs' template by jq, on the same file, for what native code
// does on this machine; 0 when jq is not installed.
double jq_rate(const std::string& dir, long n) {
  if (::access("/usr/bin/jq", X_OK) != 0) return 0;
  const std::string input = dir + "/identities-jq.json";
  write_identities(input, n);
  const auto t0 = Clock::now();
  const pid_t pid = spawn({"/usr/bin/jq", "-c",
                           ".[] | {userId: .id, traits: {email: .traits.email, name: .traits.name, "
                           "newsletterConsent: .traits.consent.newsletter}}",
                           input},
                          dir + "/jq.out");
  int status = 0;
  ::waitpid(pid, &status, 0);
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const long lines = count_lines(dir + "/jq.out");
  std::remove(input.c_str());
  std::remove((dir + "/jq.out").c_str());
  std::remove((dir + "/jq.out.err").c_str());
  if (lines != n) {
    std::fprintf(stderr, "bench: jq printed %ld of %ld\n", lines, n);
    std::exit(1);
  }
  return static_cast<double>(n) / seconds;
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

// End to end from a file, each size beside the baseline.
void bench_sizes(const std::string& bin, const std::string& dir, int runs,
                 const std::vector<long>& sizes, const std::string& docs_template) {
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
}

// Errors other than a missing field, for the 1% without name: what each costs.
struct Other {
  const char* label;
  std::string path;
  std::string failure;  // in each failed record; empty: a cancel
};

// Templates that fail (or cancel) for identities without name, written into `dir`.
std::vector<Other> other_failures(const std::string& dir) {
  const std::vector<Other> others = {
      {"a computed cancel", dir + "/computed_cancel.jsonnet", ""},
      {"a type error", dir + "/type_error.jsonnet", "expected (string) but got (number)"},
      {"an assertion", dir + "/assertion.jsonnet", "a name is required"},
  };
  const std::string body =
      "{ userId: ctx.identity.id, traits: { email: ctx.identity.traits.email } }\n";
  std::ofstream(others[0].path)
      << "function(ctx) if !std.objectHas(ctx.identity.traits, 'name') then error 'cancel: no "
         "name for ' + ctx.identity.id else "
      << body;
  std::ofstream(others[1].path) << "function(ctx) { userId: ctx.identity.id, traits: { name: "
                                   "std.asciiUpper(std.get(ctx.identity.traits, 'name', 0)) } }\n";
  std::ofstream(others[2].path) << "function(ctx) assert std.objectHas(ctx.identity.traits, "
                                   "'name') : 'a name is required'; "
                                << body;
  return others;
}

// Failing and cancelled identities, each beside the same template all passing, and jq.
void bench_failures(const std::string& bin, const std::string& dir, int runs,
                    const std::string& docs_template) {
  // The docs' template where identities skipped the optional name trait (each of those
  // fails, located where test-identify locates it), and a template that cancels half of
  // them (a literal `error "cancel"`), each round beside all passing and jq.
  // BENCH_VARIANT_SIZE: fewer for a smoke run (scripts/test), 100,000 for the docs' figures.
  const char* variant_size = std::getenv("BENCH_VARIANT_SIZE");
  const long v = variant_size && std::atol(variant_size) >= 100 ? std::atol(variant_size) : 100000;
  const std::string cancel = dir + "/cancel.jsonnet";
  std::ofstream(cancel) << "function(ctx) if !ctx.identity.traits.consent.newsletter then "
                           "error \"cancel\" else { userId: ctx.identity.id }\n";
  const std::string missing_name = "segment_identify.jsonnet:5:11: field does not exist: name";
  const std::string missing_consent =
      "segment_identify.jsonnet:6:24: field does not exist: consent";
  const std::vector<Other> others = other_failures(dir);
  // Each also with every identity passing (none lacks name), for what a failure adds.
  std::vector<std::vector<double>> other_rates(others.size()), other_ok_rates(others.size());
  std::vector<double> all_ok, one_percent, thirty_percent, thirty_consent, half_cancelled, jq;
  for (int k = 0; k < runs; ++k) {
    all_ok.push_back(static_cast<double>(v) / run(bin, dir, v, docs_template, v).seconds);
    one_percent.push_back(
        static_cast<double>(v) /
        run(bin, dir, v, docs_template, v - v / 100, "", 1, missing_name).seconds);
    thirty_percent.push_back(
        static_cast<double>(v) /
        run(bin, dir, v, docs_template, v - 3 * v / 10, "", 30, missing_name).seconds);
    thirty_consent.push_back(static_cast<double>(v) / run(bin, dir, v, docs_template,
                                                          v - 3 * v / 10, "", 30, missing_consent,
                                                          bench::Lacking::consent)
                                                          .seconds);
    half_cancelled.push_back(static_cast<double>(v) / run(bin, dir, v, cancel, v / 2).seconds);
    for (std::size_t o = 0; o < others.size(); ++o) {
      other_ok_rates[o].push_back(static_cast<double>(v) /
                                  run(bin, dir, v, others[o].path, v).seconds);
      other_rates[o].push_back(
          static_cast<double>(v) /
          run(bin, dir, v, others[o].path, v - v / 100, "", 1, others[o].failure).seconds);
    }
    jq.push_back(jq_rate(dir, v));
  }
  const double ok_rate = median(all_ok);
  const auto report = [&](const char* label, const std::vector<double>& rates) {
    std::printf("backfill %ld identities, %s, median of %d rounds: %.0f identities/s (", v, label,
                runs, median(rates));
    for (std::size_t k = 0; k < rates.size(); ++k) std::printf("%s%.0f", k ? ", " : "", rates[k]);
    std::printf("); ratio to all passing: %.2f\n", median(rates) / ok_rate);
  };
  std::printf(
      "backfill %ld identities, docs' template, all passing, median of %d rounds: %.0f "
      "identities/s (",
      v, runs, ok_rate);
  for (std::size_t k = 0; k < all_ok.size(); ++k) std::printf("%s%.0f", k ? ", " : "", all_ok[k]);
  std::printf(")\n");
  report("docs' template, 1% without name (failed, in the failed file)", one_percent);
  report("docs' template, 30% without name (failed, in the failed file)", thirty_percent);
  report(
      "docs' template, 30% without the consent object it reads consent.newsletter of (failed, "
      "in the failed file)",
      thirty_consent);
  report("half of them cancelled", half_cancelled);
  // What one such identity costs, in identities passing: the time the run took over the
  // all-passing run's, per failure, over the time per identity of the all-passing run.
  for (std::size_t o = 0; o < others.size(); ++o) {
    const double rate = median(other_rates[o]), passing = median(other_ok_rates[o]);
    const double extra = (static_cast<double>(v) / rate - static_cast<double>(v) / passing) /
                         static_cast<double>(v / 100);
    std::printf(
        "backfill %ld identities, 1%% ending in %s, median of %d rounds: %.0f "
        "identities/s; the same template with all passing: %.0f/s; ratio %.2f; each "
        "costs %.2f ms more, the time of %.0f passing identities\n",
        v, others[o].label, runs, rate, passing, rate / passing, extra * 1000, extra * passing);
  }
  if (median(jq) > 0) {
    std::printf(
        "jq, the same projection of the same file (no sending), median of %d rounds: %.0f "
        "identities/s; backfill all passing / jq: %.2f\n",
        runs, median(jq), ok_rate / median(jq));
  } else {
    std::printf("jq: not installed (apt-get install jq), no reference\n");
  }
  std::fflush(stdout);
  std::remove(cancel.c_str());
  for (const auto& o : others) std::remove(o.path.c_str());
}

// From the admin API, each run beside one from a file.
void bench_admin_api(const std::string& bin, const std::string& dir, int runs,
                     const std::vector<long>& sizes, const std::string& docs_template) {
  // From the admin API (pages of 500 from a server in this process, on the same cores),
  // each run beside one from a file.
  for (long n : sizes) {
    AdminApiServer api(n);
    std::vector<double> api_rates, file_rates;
    double rss = 0;
    for (int k = 0; k < runs; ++k) {
      const Run r = run(bin, dir, n, docs_template, n, api.base());
      api_rates.push_back(static_cast<double>(n) / r.seconds);
      rss = std::max(rss, static_cast<double>(r.peak_rss_kb) / 1024.0);
      file_rates.push_back(static_cast<double>(n) / run(bin, dir, n, docs_template, n).seconds);
    }
    std::printf(
        "backfill %ld identities --from-admin-api, median of %d runs: %.0f identities/s "
        "(runs: ",
        n, runs, median(api_rates));
    for (std::size_t k = 0; k < api_rates.size(); ++k) {
      std::printf("%s%.0f", k ? ", " : "", api_rates[k]);
    }
    std::printf(
        "); from a file in the same rounds: %.0f identities/s; ratio %.2f; peak RSS %.0f "
        "MB (backfill process)\n",
        median(file_rates), median(api_rates) / median(file_rates), rss);
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: %s ORY_SEGMENT_BINARY RUNS [N...]   (env BENCH_VARIANT_SIZE: the "
                 "identities of the failure and cancel runs, default 100000)\n",
                 argv[0]);
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
  bench_sizes(bin, dir, runs, sizes, docs_template);
  bench_failures(bin, dir, runs, docs_template);
  bench_admin_api(bin, dir, runs, sizes, docs_template);
  std::remove((dir + "/key").c_str());
  std::remove((dir + "/failed.jsonl").c_str());
  for (const char* f : {"/listen.out", "/listen.out.err", "/backfill.out", "/backfill.out.err"}) {
    std::remove((dir + f).c_str());
  }
  ::rmdir(dir.c_str());
  return 0;
}
