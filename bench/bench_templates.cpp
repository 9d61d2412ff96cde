// Backfill's rate per template: `ory-segment backfill --dry-run` over the same N identities
// (the example identity's shape, each with every trait) for a table of realistic templates:
// the docs' template, the one `init` writes for examples/identity.schema.json, and the
// project's fidelity templates that are written as Segment templates. The templates run in rounds,
// one after another within a round, so each ratio to the docs' template is measured under the same
// load. Prints the median identities/s of ROUNDS rounds and that ratio (TEMPLATES: only the first
// so many). Nothing is sent; nothing is asserted but that every run read every identity.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Template {
  std::string label, path;
  std::vector<double> rates;
};

// Identity `i` with every trait of examples/identity.schema.json.
std::string identity_json(long i) {
  char buf[1024];
  std::snprintf(
      buf, sizeof buf,
      "{\"id\":\"%08lx-7efc-4768-8f23-7647a74fdf13\",\"schema_id\":\"default\","
      "\"state\":\"active\",\"traits\":{\"email\":\"user%ld@example.com\","
      "\"name\":\"User %ld\",\"consent\":{\"newsletter\":%s}},"
      "\"verifiable_addresses\":[{\"value\":\"user%ld@example.com\",\"verified\":false,"
      "\"via\":\"email\"}],\"metadata_public\":null,"
      "\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:00:00Z\"}\n",
      i, i, i, i % 2 ? "true" : "false", i);
  return buf;
}

// Runs `args` with stdout and stderr to files in `dir`; its exit status, -1 if it did not exit.
int run(const std::vector<std::string>& args, const std::string& dir) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (!std::freopen((dir + "/out").c_str(), "w", stdout) ||
        !std::freopen((dir + "/err").c_str(), "w", stderr)) {
      ::_exit(126);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The identities/s of one dry run of `t` over `n` identities; exits when not all were read.
double rate(const std::string& bin, const std::string& dir, const Template& t, long n) {
  const auto t0 = Clock::now();
  const int status =
      run({bin, "backfill", "--jsonnet", t.path, "--identities", dir + "/ids.jsonl", "--dry-run",
           "--progress", "never", "--format", "json", "--failed", dir + "/failed.jsonl"},
          dir);
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  std::ifstream err(dir + "/err");
  std::string line, last;
  while (std::getline(err, line)) last = line;
  const std::string read = "\"read\":" + std::to_string(n) + ",";
  if (status < 0 || last.find(read) == std::string::npos) {
    std::fprintf(stderr, "bench: %s did not read %ld identities (status %d): %s\n", t.label.c_str(),
                 n, status, last.c_str());
    std::exit(1);
  }
  return static_cast<double>(n) / seconds;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// The docs' template, init's, then the fidelity templates by name.
std::vector<Template> templates(const std::string& bin, const std::string& source,
                                const std::string& dir) {
  std::vector<Template> out = {
      {"docs' template (examples/segment_identify.jsonnet)",
       source + "/examples/segment_identify.jsonnet",
       {}},
      {"init's template for examples/identity.schema.json", dir + "/init.jsonnet", {}}};
  if (run({bin, "init", "--schema", source + "/examples/identity.schema.json", "-o", out[1].path,
           "--quiet"},
          dir) != 0) {
    std::fprintf(stderr, "bench: init failed; see %s/err\n", dir.c_str());
    std::exit(1);
  }
  // The fidelity templates written as Segment templates are (the others hold the engine's
  // edge cases: NUL bytes, escapes, aliasing, what differs from go-jsonnet).
  for (const char* name :
       {"cancel_computed", "cancel_literal", "defensive", "hashed_ids", "name_split", "named_args",
        "numbers", "optional_name", "session_login", "slicing", "text_blocks", "timestamps"}) {
    const std::string file = std::string("tests/fidelity/") + name + ".jsonnet";
    out.push_back({file, source + "/" + file, {}});
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s ORY_SEGMENT_BINARY SOURCE_DIR N [ROUNDS [TEMPLATES]]\n",
                 argv[0]);
    return 2;
  }
  const std::string bin = argv[1], source = argv[2];
  const long n = std::atol(argv[3]);
  const int rounds = argc > 4 ? std::atoi(argv[4]) : 3;
  if (n < 1 || rounds < 1) return 2;
  char dir_template[] = "/tmp/bench_templates.XXXXXX";
  if (!::mkdtemp(dir_template)) return 1;
  const std::string dir = dir_template;
  {
    std::ofstream ids(dir + "/ids.jsonl");
    for (long i = 0; i < n; ++i) ids << identity_json(i);
  }
  auto table = templates(bin, source, dir);
  if (argc > 5) table.resize(std::min(table.size(), static_cast<std::size_t>(std::atol(argv[5]))));
  for (int r = 0; r < rounds; ++r) {
    for (auto& t : table) t.rates.push_back(rate(bin, dir, t, n));
  }
  const double docs = median(table[0].rates);
  std::printf(
      "backfill --dry-run, %ld identities, median of %d rounds (ratio to the docs' "
      "template in the same rounds):\n",
      n, rounds);
  for (const auto& t : table) {
    std::printf("  %-56s %8.0f identities/s  %.2fx\n", t.label.c_str(), median(t.rates),
                median(t.rates) / docs);
  }
  fs::remove_all(dir);
  return 0;
}
