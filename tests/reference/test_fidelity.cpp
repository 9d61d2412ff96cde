// The engine against go-jsonnet itself (../shared/tools/jsonnet-go, the engine Kratos runs
// templates with): for every template of the corpus and every ctx shape, the same body
// bytes, or both cancel, or both fail; the project's templates also through backfill's
// helper pool (TransformPool), with contexts built as backfill builds them. Cases that still differ
// are listed, with the reason, in docs/fidelity.md; the harness checks that list stays true.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <regex>
#include <set>

#include "backfill/context_factory.hpp"
#include "engine/ctx_usage.hpp"
#include "engine/transform.hpp"
#include "kratos/identity_schema.hpp"
#include "kratos/kratos_context.hpp"
#include "pool/transform_pool.hpp"
#include "support.hpp"

namespace {

namespace fs = std::filesystem;

enum class Kind { ok, cancel, failure };

struct Outcome {
  Kind kind = Kind::failure;
  std::string body;    // ok: the bytes Kratos sends
  std::string detail;  // otherwise: the first line of the error
};

const char* kind_name(Kind k) {
  return k == Kind::ok ? "ok" : k == Kind::cancel ? "cancel" : "failure";
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// What Kratos gets from go-jsonnet: the body (at most 262,143 bytes: its reader's limit), or
// an error, a cancel when the error text holds "RUNTIME ERROR: cancel".
Outcome oracle(const std::string& jsonnet_go, const std::string& template_path,
               const std::string& ctx_path) {
  const auto r = test::run_program(
      {"/usr/bin/timeout", "20", jsonnet_go, "--tla-code-file", "ctx=" + ctx_path, template_path});
  if (r.status == 0) {
    if (r.out.size() > 262143) return {Kind::failure, "", "output over Kratos's limit"};
    return {Kind::ok, r.out, ""};
  }
  if (r.err.find("RUNTIME ERROR: cancel") != std::string::npos) {
    return {Kind::cancel, "", first_line(r.err)};
  }
  return {Kind::failure, "", r.status == 124 ? "timed out" : first_line(r.err)};
}

// Results, not speed: both sides get 20 s (Kratos's 1 s limit has tests of its own; a
// template near it would make the comparison depend on the machine's load).
Outcome engine(const std::string& source, const std::string& name, const std::string& ctx) {
  core::EvalLimits limits;
  limits.timeout = std::chrono::seconds(20);
  limits.max_input =
      std::numeric_limits<std::size_t>::max();  // Kratos's worker's, not go-jsonnet's
  const core::Evaluation e = core::evaluate_template(source, name, ctx, limits);
  switch (e.status) {
    case core::EvalStatus::ok:
      return {Kind::ok, e.body, ""};
    case core::EvalStatus::cancelled:
      return {Kind::cancel, "", core::to_string(e.error)};
    default:
      return {Kind::failure, "", core::to_string(e.error)};
  }
}

// A ctx shape every project template is run with: the hook point and identity, and the
// ctx build_context makes of them.
struct Shape {
  std::string name;
  core::ContextOptions options;
  core::Json ctx;
};

std::vector<Shape> ctx_shapes() {
  const auto full = core::Json::parse(test::read_file(test::source_path("examples/identity.json")));
  core::Json minimal = {{"id", "0b6e4a32-3c1f-4a57-9a55-2f0d3c5c0a11"},
                        {"schema_id", "default"},
                        {"traits", {{"email", "min@example.com"}}}};
  std::vector<Shape> shapes;
  const auto add = [&](const std::string& name, const std::string& hook, const core::Json& id) {
    core::ContextOptions c;
    std::string err;
    c.hook = *core::parse_hook_point(hook, &err);
    c.identity = id;
    c.now = std::chrono::system_clock::time_point(std::chrono::seconds(1790000000));
    shapes.push_back({name, c, core::build_context(c, nullptr)});
  };
  add("registration-full", "registration.after.password", full);
  add("registration-minimal", "registration.after.password", minimal);
  add("login-full", "login.after.password", full);
  add("settings-minimal", "settings.after.profile", minimal);
  return shapes;
}

// What backfill's helper pool gives for each shape: its ctx built as backfill builds it
// (ContextFactory, pruned to what the template reads), all shapes in one evaluation.
std::vector<Outcome> pool(const std::string& source, const std::string& name,
                          const std::vector<Shape>& shapes) {
  std::vector<core::Json> contexts;
  for (const auto& shape : shapes) {
    std::string err;
    const auto factory =
        core::ContextFactory::for_hook(shape.options, core::ctx_usage(source), &err);
    REQUIRE(factory);
    contexts.push_back(factory->ctx(shape.options.identity));
  }
  core::TransformPool transforms({source, name}, ORY_SEGMENT_BINARY);
  std::vector<Outcome> out;
  for (const auto& e : transforms.evaluate(contexts)) {
    if (e.status == core::EvalStatus::ok) {
      out.push_back({Kind::ok, e.body, ""});
    } else {
      out.push_back({e.status == core::EvalStatus::cancelled ? Kind::cancel : Kind::failure, "",
                     core::to_string(e.error)});
    }
  }
  return out;
}

// Files of go-jsonnet's testdata that Kratos could run: no import of any kind, no external
// variables or native functions.
bool kratos_could_run(const std::string& source) {
  static const std::regex k_outside(R"(\bimport(str|bin)?\b|std\.extVar|std\.native)");
  return !std::regex_search(source, k_outside);
}

// The cases docs/fidelity.md lists as known differences: "`CASE`" in the first column of
// its table under "## Known differences".
std::set<std::string> known_differences() {
  std::ifstream in(test::source_path("docs/fidelity.md"));
  std::set<std::string> known;
  bool in_section = false;
  static const std::regex k_row(R"(^\| `([^`]+)` \|)");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) in_section = line == "## Known differences";
    std::smatch m;
    if (in_section && std::regex_search(line, m, k_row)) known.insert(m[1]);
  }
  return known;
}

struct Tally {
  int agree = 0, total = 0;
  std::set<std::string> ran, differ;  // case names
};

// Records how `got` (from `engine_name`) compares with go-jsonnet's `want` for case `name`.
void record(const std::string& name, const Outcome& want, const Outcome& got,
            const std::string& engine_name, Tally* tally) {
  ++tally->total;
  tally->ran.insert(name);
  const bool same = want.kind == got.kind && (want.kind != Kind::ok || want.body == got.body);
  if (same) {
    ++tally->agree;
    return;
  }
  tally->differ.insert(name);
  std::cout << "fidelity: " << name << ": go-jsonnet " << kind_name(want.kind) << " "
            << (want.kind == Kind::ok ? first_line(want.body) : want.detail) << " | " << engine_name
            << " " << kind_name(got.kind) << " "
            << (got.kind == Kind::ok ? first_line(got.body) : got.detail) << "\n";
}

// Runs one template with one ctx on go-jsonnet and the engine; records it under `name`.
void compare(const std::string& name, const std::string& path, const std::string& ctx_path,
             const std::string& ctx, const std::string& jsonnet_go, Tally* tally) {
  const Outcome want = oracle(jsonnet_go, path, ctx_path);
  record(name, want, engine(test::read_file(path), fs::path(path).filename().string(), ctx),
         "engine", tally);
}

void check_against_list(const std::string& corpus, const Tally& tally) {
  const auto known = known_differences();
  std::cout << "fidelity: " << corpus << ": " << tally.agree << " of " << tally.total
            << " agree with go-jsonnet\n";
  for (const auto& name : tally.differ) {
    CAPTURE(name);
    CHECK(known.count(name) == 1);  // a difference nobody documented
  }
  for (const auto& name : known) {
    if (tally.ran.count(name) == 0) continue;  // another corpus's case
    CAPTURE(name);
    CHECK(tally.differ.count(name) == 1);  // listed as different, but it agrees now
  }
  CHECK(tally.total > 0);
}

}  // namespace

TEST_CASE(
    "fidelity: the project's templates, for every ctx shape, as go-jsonnet runs them, alone "
    "and through backfill's pool") {
  REQUIRE_REFERENCE(jsonnet_go, "tools/jsonnet-go");
  test::TempDir dir;
  std::vector<std::string> templates = {test::source_path("examples/segment_identify.jsonnet")};
  for (const auto& entry : fs::directory_iterator(test::source_path("tests/fidelity"))) {
    if (entry.path().extension() == ".jsonnet") templates.push_back(entry.path().string());
  }
  std::sort(templates.begin(), templates.end());
  // And what `init` writes for the example schema, as identify and as track.
  for (const std::string call : {"identify", "track"}) {
    const std::string path = dir.path() + "/init_" + call + ".jsonnet";
    const auto init =
        test::run_tool({"init", "--schema", test::source_path("examples/identity.schema.json"),
                        "--call", call, "-o", path, "--quiet"});
    REQUIRE(init.status == 0);
    templates.push_back(path);
  }
  const auto shapes = ctx_shapes();
  Tally alone, pooled;
  for (const auto& path : templates) {
    const std::string file = fs::path(path).filename().string();
    const std::string source = test::read_file(path);
    const auto through_pool = pool(source, file, shapes);
    REQUIRE(through_pool.size() == shapes.size());
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      const std::string ctx_text = shapes[i].ctx.dump();
      const std::string ctx_path = dir.write(shapes[i].name + ".json", ctx_text);
      const std::string name = file + " (" + shapes[i].name + ")";
      const Outcome want = oracle(jsonnet_go, path, ctx_path);
      record(name, want, engine(source, file, ctx_text), "engine", &alone);
      record(name, want, through_pool[i], "pool", &pooled);
    }
  }
  // Both against the one list: the pool differs from go-jsonnet only where the engine does.
  check_against_list("project templates", alone);
  check_against_list("project templates through backfill's pool", pooled);
}

namespace {

// go-jsonnet's testdata in four parts (every fourth file), so each is a test of its own:
// ctest runs them side by side, and none comes near the per-test timeout in a sanitizer build.
void run_testdata_part(int part) {
  constexpr int k_parts = 4;
  REQUIRE_REFERENCE(jsonnet_go, "tools/jsonnet-go");
  REQUIRE_REFERENCE(testdata, "ref/go-jsonnet-testdata");
  test::TempDir dir;
  const auto shapes = ctx_shapes();
  const std::string ctx_text = shapes.front().ctx.dump();
  const std::string ctx_path = dir.write("ctx.json", ctx_text);
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(testdata)) {
    if (entry.path().extension() != ".jsonnet") continue;
    if (kratos_could_run(test::read_file(entry.path().string()))) {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  Tally tally;
  for (std::size_t i = static_cast<std::size_t>(part); i < files.size(); i += k_parts) {
    compare(fs::path(files[i]).filename().string(), files[i], ctx_path, ctx_text, jsonnet_go,
            &tally);
  }
  check_against_list("go-jsonnet testdata (part " + std::to_string(part + 1) + " of " +
                         std::to_string(k_parts) + ", " + std::to_string(files.size()) +
                         " runnable files in all)",
                     tally);
}

}  // namespace

TEST_CASE("fidelity: go-jsonnet's own test templates that Kratos could run, part 1") {
  run_testdata_part(0);
}
TEST_CASE("fidelity: go-jsonnet's own test templates that Kratos could run, part 2") {
  run_testdata_part(1);
}
TEST_CASE("fidelity: go-jsonnet's own test templates that Kratos could run, part 3") {
  run_testdata_part(2);
}
TEST_CASE("fidelity: go-jsonnet's own test templates that Kratos could run, part 4") {
  run_testdata_part(3);
}
