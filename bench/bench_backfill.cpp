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

#include "core/kratos_context.hpp"
#include "core/transform.hpp"
#include "io/http_server.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Identity `i` as Kratos lists it; ids sort in the order of `i`.
std::string identity_json(long i) {
  char buf[2048];
  std::snprintf(buf, sizeof buf,
                "{\"id\":\"%08lx-7efc-4768-8f23-7647a74fdf13\",\"schema_id\":\"default\","
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
                i, i, i, i % 2 ? "true" : "false", i, i);
  return buf;
}

void write_identities(const std::string& path, long n) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("[", f);
  for (long i = 0; i < n; ++i) {
    if (i) std::fputc(',', f);
    std::fputs(identity_json(i).c_str(), f);
  }
  std::fputs("]\n", f);
  std::fclose(f);
}

// GET /admin/identities as Kratos pages it (keyset: page_token is the last id of the page
// before; Link rel="next" unless the page is the last), over `n` generated identities.
class AdminApiServer {
 public:
  explicit AdminApiServer(long n)
      : m_n(n),
        m_server(io::ServerLimits{}, [this](const io::ServerRequest& r) { return page(r); }) {
    std::string err;
    if (!m_server.bind("127.0.0.1", 0, &err)) {
      std::fprintf(stderr, "bench: %s\n", err.c_str());
      std::exit(1);
    }
    m_thread = std::thread([this] { m_server.serve(); });
  }
  AdminApiServer(const AdminApiServer&) = delete;
  AdminApiServer& operator=(const AdminApiServer&) = delete;
  ~AdminApiServer() {
    m_server.stop();
    m_thread.join();
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(m_server.port()); }

 private:
  static std::string param(const std::string& target, const std::string& name) {
    const auto at = target.find(name + "=");
    if (at == std::string::npos) return "";
    const auto begin = at + name.size() + 1;
    return target.substr(begin, target.find('&', begin) - begin);
  }
  io::ServerResponse page(const io::ServerRequest& r) const {
    long size = std::atol(param(r.target, "page_size").c_str());
    if (size < 1 || size > 500) size = 250;
    const std::string token = param(r.target, "page_token");
    const long start = token.empty() ? 0 : std::strtol(token.substr(0, 8).c_str(), nullptr, 16) + 1;
    const long end = std::min(m_n, start + size);
    io::ServerResponse out;
    out.body = "[";
    for (long i = start; i < end; ++i) {
      if (i > start) out.body += ',';
      out.body += identity_json(i);
    }
    out.body += "]";
    out.headers.emplace_back("Content-Type", "application/json");
    if (end < m_n) {
      char last[16];
      std::snprintf(last, sizeof last, "%08lx", end - 1);
      out.headers.emplace_back("Link", "</admin/identities?page_size=" + std::to_string(size) +
                                           "&page_token=" + last +
                                           "-7efc-4768-8f23-7647a74fdf13>; rel=\"next\"");
    }
    return out;
  }

  long m_n;
  io::HttpServer m_server;
  std::thread m_thread;
};

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
// `admin_api`: read them from that base URL instead of a file.
Run run(const std::string& bin, const std::string& dir, long n, const std::string& jsonnet,
        long expected, const std::string& admin_api = "") {
  const std::string input = dir + "/identities-" + std::to_string(n) + ".json";
  if (admin_api.empty()) write_identities(input, n);
  const std::string events = dir + "/events.jsonl";
  std::remove(events.c_str());
  std::remove((dir + "/listen.out").c_str());
  const pid_t listener =
      spawn({bin, "listen", "--port", "0", "--quiet", "--exit-after", "900", "--jsonl", events},
            dir + "/listen.out");
  const std::string url = first_line(dir + "/listen.out");
  std::ofstream(dir + "/key") << "bench-key\n";
  const auto t0 = Clock::now();
  std::vector<std::string> args = {bin,
                                   "backfill",
                                   "--jsonnet",
                                   jsonnet,
                                   "--url",
                                   url,
                                   "--write-key-file",
                                   dir + "/key",
                                   "--failed",
                                   dir + "/failed.jsonl",
                                   "--progress",
                                   "never"};
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
