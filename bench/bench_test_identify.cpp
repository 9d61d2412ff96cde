// Prints what test-identify costs: the whole process for `--dry-run` on the example, each
// run paired with go-jsonnet's own CLI evaluating the same template on the same ctx (what
// Kratos embeds: ../shared/tools/jsonnet-go, when it is there), with the ratio; start-up
// (`--version`, `--help`) beside /bin/true; one template evaluation (fork, libjsonnet with
// go-jsonnet's std, manifest). Medians of several runs; nothing is asserted.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/transform.hpp"
#include "kratos/identity_schema.hpp"
#include "kratos/kratos_context.hpp"

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

// The run's wall time in ms; exits the benchmark when it fails (a figure of a failed run
// would be no figure). `out`: where its stdout goes.
double run_process(const std::vector<std::string>& args, const std::string& out = "/dev/null") {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  const auto t0 = Clock::now();
  pid_t pid = 0;
  int status = -1;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0) {
    waitpid(pid, &status, 0);
  }
  const double ms = ms_since(t0);
  posix_spawn_file_actions_destroy(&actions);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "bench: %s %s failed\n", args[0].c_str(),
                 args.size() > 1 ? args[1].c_str() : "");
    std::exit(1);
  }
  return ms;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// In this process, `runs` times: evaluate_template (into `evaluation`) and check_template
// (into `check`), in ms; exits when either gives another result than `expected`.
void in_process(const std::string& source, const std::string& ctx, const core::Evaluation& expected,
                int runs, std::vector<double>* evaluation_ms, std::vector<double>* check_ms) {
  auto& evaluation = *evaluation_ms;
  auto& check = *check_ms;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    const auto e = core::evaluate_template(source, "segment_identify.jsonnet", ctx);
    evaluation.push_back(ms_since(t0));
    if (e.status != core::EvalStatus::ok || e.body != expected.body) {
      std::fprintf(stderr, "bench: evaluate_template gave another result\n");
      std::exit(1);
    }
    t0 = Clock::now();
    const auto checked = core::check_template(source, "segment_identify.jsonnet");
    check.push_back(ms_since(t0));
    if (checked.error || checked.call_error) {
      std::fprintf(stderr, "bench: check_template refused the template\n");
      std::exit(1);
    }
  }
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

  core::ContextOptions opts;
  opts.identity = core::Json::parse(read_file(identity));
  const std::string ctx = core::build_context(opts, nullptr).dump();
  char dir[] = "/tmp/ory-segment-bench.XXXXXX";
  const std::string ctx_path = std::string(::mkdtemp(dir)) + "/ctx.json";
  std::ofstream(ctx_path) << ctx;
  const std::string jsonnet_go =
      argc > 4 ? argv[4] : std::string(ORY_SEGMENT_SOURCE_DIR) + "/../shared/tools/jsonnet-go";
  const bool has_go = ::access(jsonnet_go.c_str(), X_OK) == 0;

  // What is timed is right: test-identify prints the body evaluate_template makes.
  const std::string source = read_file(jsonnet);
  const auto expected = core::evaluate_template(source, "segment_identify.jsonnet", ctx);
  const std::string out_path = ctx_path + ".out";
  run_process({binary, "test-identify", "--jsonnet", jsonnet, "--identity", identity, "--dry-run"},
              out_path);
  const std::string printed = read_file(out_path);
  std::remove(out_path.c_str());
  if (expected.status != core::EvalStatus::ok || expected.body.empty() ||
      printed.find(expected.body) == std::string::npos ||
      printed.find("verdict: dry-run") == std::string::npos) {
    std::fprintf(stderr, "bench: test-identify --dry-run printed another body:\n%s\n",
                 printed.c_str());
    return 1;
  }
  // Pairs in one loop, so both see the same machine.
  std::vector<double> process, go, ratios;
  for (int i = 0; i < runs; ++i) {
    const double ms = run_process(
        {binary, "test-identify", "--jsonnet", jsonnet, "--identity", identity, "--dry-run"});
    process.push_back(ms);
    if (!has_go) continue;
    const double go_ms = run_process({jsonnet_go, "--tla-code-file", "ctx=" + ctx_path, jsonnet});
    go.push_back(go_ms);
    ratios.push_back(ms / go_ms);
  }
  std::vector<double> version, help, floor;
  for (int i = 0; i < runs; ++i) {
    version.push_back(run_process({binary, "--version"}));
    help.push_back(run_process({binary, "--help"}));
    floor.push_back(run_process({"/bin/true"}));
  }
  std::remove(ctx_path.c_str());
  ::rmdir(ctx_path.substr(0, ctx_path.rfind('/')).c_str());
  std::vector<double> evaluation, check;
  in_process(source, ctx, expected, runs, &evaluation, &check);
  std::printf(
      "test-identify --dry-run, whole process: median %.1f ms (min %.1f, max %.1f, %d runs)\n",
      median(process), *std::min_element(process.begin(), process.end()),
      *std::max_element(process.begin(), process.end()), runs);
  if (has_go) {
    std::printf(
        "jsonnet-go (go-jsonnet's CLI, Kratos's engine) on the same template and ctx, in pairs: "
        "median %.1f ms; test-identify / jsonnet-go: median of the pairs' ratios %.2f\n",
        median(go), median(ratios));
  } else {
    std::printf("jsonnet-go: not found at %s, no ratio\n", jsonnet_go.c_str());
  }
  std::printf("start-up: --version median %.1f ms, --help median %.1f ms; /bin/true %.1f ms\n",
              median(version), median(help), median(floor));
  std::printf("evaluate_template (fork + evaluate + manifest): median %.1f ms\n",
              median(evaluation));
  std::printf(
      "check_template (the template run in a child with a ctx that stops it when read): median "
      "%.1f ms\n",
      median(check));
  return 0;
}
