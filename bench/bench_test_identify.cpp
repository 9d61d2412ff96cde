// Prints what test-identify costs: the whole process for `--dry-run` on the example, and
// one template evaluation (fork, libjsonnet with go-jsonnet's std, manifest). Medians of
// several runs; nothing is asserted.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/identity_schema.hpp"
#include "core/kratos_context.hpp"
#include "core/transform.hpp"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double run_process(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  const auto t0 = Clock::now();
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  const double ms = ms_since(t0);
  posix_spawn_file_actions_destroy(&actions);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ms : -1;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s ORY_SEGMENT_BINARY EXAMPLES_DIR [RUNS]\n", argv[0]);
    return 2;
  }
  const std::string binary = argv[1], examples = argv[2];
  const int runs = argc > 3 ? std::atoi(argv[3]) : 21;
  const std::string jsonnet = examples + "/segment_identify.jsonnet";
  const std::string identity = examples + "/identity.json";

  std::vector<double> process;
  for (int i = 0; i < runs; ++i) {
    const double ms = run_process(
        {binary, "test-identify", "--jsonnet", jsonnet, "--identity", identity, "--dry-run"});
    if (ms < 0) {
      std::fprintf(stderr, "test-identify --dry-run failed\n");
      return 1;
    }
    process.push_back(ms);
  }

  core::ContextOptions opts;
  opts.identity = core::Json::parse(read_file(identity));
  const std::string ctx = core::build_context(opts, nullptr).dump();
  const std::string source = read_file(jsonnet);
  std::vector<double> evaluation, check;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    const auto e = core::evaluate_template(source, "segment_identify.jsonnet", ctx);
    evaluation.push_back(ms_since(t0));
    if (e.status != core::EvalStatus::ok) return 1;
    t0 = Clock::now();
    core::check_template(source, "segment_identify.jsonnet");
    check.push_back(ms_since(t0));
  }
  std::printf(
      "test-identify --dry-run, whole process: median %.1f ms (min %.1f, max %.1f, %d runs)\n",
      median(process), *std::min_element(process.begin(), process.end()),
      *std::max_element(process.begin(), process.end()), runs);
  std::printf("evaluate_template (fork + evaluate + manifest): median %.1f ms\n",
              median(evaluation));
  std::printf("check_template (parse + static check, in process): median %.1f ms\n", median(check));
  return 0;
}
