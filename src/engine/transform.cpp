#include "engine/transform.hpp"

extern "C" {
#include <libjsonnet.h>
}

#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>

#include "engine/go_std.hpp"
#include "engine/jsonnet_lexer.hpp"
#include "engine/jsonnet_manifest.hpp"
#include "engine/jsonnet_vm.hpp"
#include "io/fd_io.hpp"
#include "io/forked_child.hpp"
#include "util/base64.hpp"
#include "util/text.hpp"

namespace core {
namespace {

constexpr const char* k_template_key = "ory-segment:template";
constexpr const char* k_probe_marker = "ory-segment probe: ctx was read";
constexpr const char* k_main_file = "<ory-segment>";

// `ory_segment_started` where nothing watches the clock: the template's prefix calls it.
JsonnetJsonValue* native_null(void* vm, const JsonnetJsonValue* const* /*argv*/, int* success) {
  *success = 1;
  return jsonnet_json_make_null(static_cast<::JsonnetVm*>(vm));
}

}  // namespace

const std::string& std_prefix() {
  static const std::string k_prefix =
      std::string(
          "if std.native('ory_segment_started')() != null then null else local std = "
          "import \"") +
      go_std_import_key() + "\"; ";
  return k_prefix;
}

namespace {

// The byte ranges [begin, end) of the chomped text blocks in `source`, `|||-` to the end of
// the closing `|||`, as far as the source lexes (past that, libjsonnet reports the error).
std::vector<std::pair<std::size_t, std::size_t>> chomped_blocks(std::string_view source) {
  std::vector<std::pair<std::size_t, std::size_t>> blocks;
  for (const JsonnetToken& t : lex_jsonnet(source).tokens) {
    if (t.chomped) blocks.emplace_back(t.begin, t.end);
  }
  return blocks;
}

}  // namespace

std::string rewrite_chomped_blocks(std::string_view source) {
  const auto blocks = chomped_blocks(source);
  if (blocks.empty()) return std::string(source);
  std::string out;
  std::size_t copied = 0;
  for (const auto& [begin, end] : blocks) {
    out.append(source.substr(copied, begin - copied));
    out += "(|||";  // as long as "|||-": the block's lines and columns stay where they were
    out.append(source.substr(begin + 4, end - begin - 4));
    out += ")[:-1]";
    copied = end;
  }
  out.append(source.substr(copied));
  return out;
}

std::vector<LineColumn> chomped_block_ends(std::string_view source) {
  std::vector<LineColumn> ends;
  for (const auto& block : chomped_blocks(source)) {
    const auto lc = util::line_col_at(source, block.second);
    ends.push_back({lc.line, lc.column});
  }
  return ends;
}

std::size_t user_column(std::string_view source, std::size_t line, std::size_t column) {
  std::size_t moved = 0;  // what the suffixes before `column` on this line added
  for (const LineColumn& end : chomped_block_ends(source)) {
    if (end.line != line) continue;
    const std::size_t inserted_at = end.column + moved;  // in the rewritten line
    if (column < inserted_at) break;
    if (column < inserted_at + k_chomp_suffix_size) return end.column;  // inside the suffix
    moved += k_chomp_suffix_size;
  }
  return column - moved;
}

void prepare_kratos_vm(JsonnetVm* vm, std::string_view source, const std::string& name,
                       const std::string& std_extra) {
  vm->max_stack(500);
  // Every frame: the innermost in the user's file, which locates an error, is never elided,
  // however deep the code that calls the template (jsonnet_throw formats the same way).
  vm->max_trace(0);
  install_go_std(*vm, std_extra);
  const char* no_params[] = {nullptr};
  jsonnet_native_callback(vm->handle(), "ory_segment_started", native_null, vm->handle(),
                          no_params);
  vm->serve(k_template_key, name, std_prefix() + rewrite_chomped_blocks(source));
}

std::string main_file_beside(const std::string& name) {
  const auto slash = name.rfind('/');
  return (slash == std::string::npos ? std::string() : name.substr(0, slash + 1)) + k_main_file;
}

std::string template_import_expression() {
  return std::string("(import \"") + k_template_key + "\")";
}

namespace {

// Child side of evaluate_template, in one libjsonnet evaluation: loads go-jsonnet's std and
// the template, says 'S' from the template's first line (std_prefix: Kratos's clock starts,
// its worker is warm when it begins a template, and what libjsonnet spends loading a file,
// parsing its own std again for each one, is not the template's), evaluates the template, and
// writes 'O'+body or 'E'+error to the pipe. The body is written, and the process ends, from a
// native callback inside the evaluation: libjsonnet's teardown of everything it loaded is skipped.
// `'' + [v]` is libjsonnet's manifester on one line; manifest_like_jsonnet re-indents it as
// the top-level manifester would (the same path TransformPool takes).
int g_result_fd = -1;

JsonnetJsonValue* native_started(void* vm, const JsonnetJsonValue* const* /*argv*/, int* success) {
  io::write_all(g_result_fd, "S");
  *success = 1;
  return jsonnet_json_make_null(static_cast<::JsonnetVm*>(vm));
}

// The template's top-level value is there: what fails after this is the call, not the load.
JsonnetJsonValue* native_loaded(void* vm, const JsonnetJsonValue* const* /*argv*/, int* success) {
  io::write_all(g_result_fd, "L");
  *success = 1;
  return jsonnet_json_make_null(static_cast<::JsonnetVm*>(vm));
}

JsonnetJsonValue* native_result(void* vm, const JsonnetJsonValue* const* argv, int* success) {
  const char* text = jsonnet_json_extract_string(static_cast<::JsonnetVm*>(vm), argv[0]);
  const Json value = parse_manifested(text ? text : "");
  if (!value.is_array() || value.size() != 1) {
    *success = 0;
    return jsonnet_json_make_string(static_cast<::JsonnetVm*>(vm), "unexpected result");
  }
  io::write_all(g_result_fd, "O" + manifest_like_jsonnet(value[0]));
  ::_exit(0);
}

[[noreturn]] void evaluate_in_child(int fd, std::string_view source, const std::string& name,
                                    const std::string& ctx_json) {
  g_result_fd = fd;
  std::string out, err;
  JsonnetVm vm;
  prepare_kratos_vm(&vm, source, name);
  const char* no_params[] = {nullptr};
  const char* text_param[] = {"text", nullptr};
  jsonnet_native_callback(vm.handle(), "ory_segment_started", native_started, vm.handle(),
                          no_params);
  jsonnet_native_callback(vm.handle(), "ory_segment_result", native_result, vm.handle(),
                          text_param);
  jsonnet_native_callback(vm.handle(), "ory_segment_loaded", native_loaded, vm.handle(),
                          text_param);
  vm.tla_code("ctx", ctx_json);
  const std::string code =
      std::string(
          "function(ctx)\n"
          "local go_std = import '") +
      go_std_import_key() +
      "';\n"
      "if std.length(std.objectFieldsAll(go_std)) < 0 then null else\n"
      "local t = " +
      template_import_expression() +
      ";\n"
      "if std.native('ory_segment_loaded')(std.type(t)) != null then null else\n"
      "std.native('ory_segment_result')('' + [if std.type(t) == 'function' then t(ctx=ctx) else "
      "t])\n";
  vm.evaluate(main_file_beside(name), code, &out, &err);
  io::write_all(fd, "E" + err);
  ::_exit(0);
}

Evaluation finish(EvalStatus status, Finding error, std::chrono::steady_clock::time_point t0) {
  Evaluation e;
  e.status = status;
  e.error = std::move(error);
  e.elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  return e;
}

}  // namespace

std::vector<Finding> find_imports(std::string_view source, const std::string& name) {
  std::vector<Finding> found;
  for (const JsonnetToken& t : lex_jsonnet(source).tokens) {
    if (t.kind != TokenKind::ident ||
        (t.text != "import" && t.text != "importstr" && t.text != "importbin")) {
      continue;
    }
    found.push_back(Finding{Severity::warning, source_location(name, source, t.begin),
                            "'" + std::string(t.text) +
                                "' fails the hook when it is evaluated: Kratos evaluates "
                                "templates with imports disabled; inline the code instead",
                            ""});
  }
  return found;
}

std::optional<Finding> call_error_for(const std::string& err, const std::string& name) {
  if (err.find("has no parameter ctx") != std::string::npos) {
    return Finding{
        Severity::warning, name,
        "the template is a function without a parameter named 'ctx': Kratos passes the "
        "context as the top-level argument 'ctx', so the call fails; write function(ctx) ...",
        ""};
  }
  if (err.find("not bound in call") != std::string::npos) {
    const auto start = err.find("parameter ");
    const auto end = err.find(" not bound");
    const std::string param =
        start == std::string::npos ? "?" : err.substr(start + 10, end - start - 10);
    return Finding{
        Severity::warning, name,
        "the template function's parameter '" + param +
            "' has no default: Kratos passes only 'ctx', so the call fails; give it a default or "
            "remove it",
        ""};
  }
  return std::nullopt;
}

namespace {

// What a child said, as it arrives: 'S' when the template starts, 'L' when its top-level
// value is there, then 'O' and the body or 'E' and libjsonnet's error.
struct ChildOutput {
  std::string received;
  bool started = false, loaded = false;

  void take_markers() {
    if (!started && !received.empty() && received[0] == 'S') {
      started = true;
      received.erase(0, 1);
    }
    if (started && !loaded && !received.empty() && received[0] == 'L') {
      loaded = true;
      received.erase(0, 1);
    }
  }
};

enum class Stop { none, not_started, timed_out, too_large };

// Reads the child until it ends or a limit stops it: k_start_limit (wall) until the template
// starts, then Kratos's limit on the child's CPU time (kratos_sandbox.hpp), the stall limit,
// and the output cap.
Stop supervise(io::ForkedChild& child, const EvalLimits& limits, ChildOutput* out) {
  const auto t0 = io::ForkedChild::Clock::now();
  auto last_news = t0;
  io::ForkedChild::Clock::duration cpu_at_start{};
  for (;;) {
    const auto read = child.read_some(&out->received, std::chrono::milliseconds(10));
    if (read == io::ForkedChild::Read::eof) return Stop::none;
    const auto now = io::ForkedChild::Clock::now();
    if (read == io::ForkedChild::Read::data) {
      last_news = now;
      const bool was_started = out->started;
      out->take_markers();
      if (!was_started && out->started) cpu_at_start = child.cpu_time();
    }
    if (!out->started) {
      if (now - t0 > k_start_limit) return Stop::not_started;
      continue;
    }
    if (out->received.size() > limits.max_output + 1) return Stop::too_large;
    if (child.cpu_time() - cpu_at_start > limits.timeout || now - last_news > k_stall_limit) {
      return Stop::timed_out;
    }
  }
}

// evaluate_template; `*top_level_loaded` (when not null) says whether the template's
// top-level value was there before the outcome (so a failure is the call's or the body's,
// not the load's).
Evaluation run_template(std::string_view source, const std::string& name,
                        const std::string& ctx_json, const EvalLimits& limits,
                        bool* top_level_loaded) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto failure = [&](EvalStatus s, const std::string& message) {
    return finish(s, Finding{Severity::error, name, message, ""}, t0);
  };
  std::string err;
  const auto child =
      io::ForkedChild::start([&](int fd) { evaluate_in_child(fd, source, name, ctx_json); }, &err);
  if (!child) return failure(EvalStatus::failed, err);
  ChildOutput out;
  const Stop stop = supervise(*child, limits, &out);
  if (stop != Stop::none) child->kill();
  const int status = child->reap();
  if (top_level_loaded) *top_level_loaded = out.loaded;
  if (stop == Stop::not_started) {
    return failure(EvalStatus::failed,
                   "the evaluation process did not start (machine overloaded?)");
  }
  if (stop == Stop::timed_out) {
    return failure(EvalStatus::timed_out, timed_out_message("the evaluation", limits.timeout));
  }
  if (stop == Stop::too_large || out.received.size() > limits.max_output + 1) {
    return failure(EvalStatus::output_too_large, output_too_large_message(limits.max_output));
  }
  if (out.received.empty() || !WIFEXITED(status)) {
    return failure(EvalStatus::failed, k_evaluation_died_message);
  }
  if (out.received[0] == 'E') {
    const std::string text = out.received.substr(1);
    return finish(status_of_error(text), finding_from_jsonnet(text, name, source), t0);
  }
  Evaluation e = finish(EvalStatus::ok, {}, t0);
  e.body = out.received.substr(1);
  return e;
}

}  // namespace

namespace {

// Kratos's worker could not read this evaluation's input (EvalLimits): the hook fails,
// whatever the template would have done with it.
void apply_input_limit(std::string_view source, const std::string& name,
                       const std::string& ctx_json, const EvalLimits& limits, Evaluation* e) {
  const std::string base64_uri =
      limits.template_uri.empty() ? "base64://" + util::base64_encode(source) : "";
  const std::size_t size = worker_input_size(
      limits.template_uri.empty() ? base64_uri : limits.template_uri, source, ctx_json);
  if (size <= limits.max_input) return;
  e->status = EvalStatus::failed;
  e->body.clear();
  e->error = Finding{Severity::error, name, input_too_large_message(size, limits.max_input), ""};
}

}  // namespace

Evaluation evaluate_template(std::string_view source, const std::string& name,
                             const std::string& ctx_json, const EvalLimits& limits) {
  Evaluation e = run_template(source, name, ctx_json, limits, nullptr);
  apply_input_limit(source, name, ctx_json, limits, &e);
  return e;
}

namespace {

// evaluate_checked, and whether the template's top level was there before the outcome.
CheckedEvaluation run_checked(std::string_view source, const std::string& name,
                              const std::string& ctx_json, const EvalLimits& limits, bool* loaded) {
  CheckedEvaluation r;
  r.check.warnings = find_imports(source, name);
  r.evaluation = run_template(source, name, ctx_json, limits, loaded);
  if (*loaded) apply_input_limit(source, name, ctx_json, limits, &r.evaluation);
  if (r.evaluation.status == EvalStatus::timed_out && !*loaded) {
    // The top level never ends: the template does not load in Kratos.
    r.evaluation.error.message = timed_out_message("the template's top level", limits.timeout);
    r.check.error = r.evaluation.error;
  }
  if (r.evaluation.status != EvalStatus::failed) return r;
  if (!*loaded && r.evaluation.error.message != k_evaluation_died_message) {
    // The template does not load (a cancel there is a valid template: Kratos skips the hook).
    r.check.error = r.evaluation.error;
  } else if (*loaded) {
    r.check.call_error = call_error_for(r.evaluation.error.message, name);
  }
  return r;
}

}  // namespace

CheckedEvaluation evaluate_checked(std::string_view source, const std::string& name,
                                   const std::string& ctx_json, const EvalLimits& limits) {
  bool loaded = false;
  return run_checked(source, name, ctx_json, limits, &loaded);
}

TemplateCheck check_template(std::string_view source, const std::string& name) {
  // The template runs as Kratos runs it (a child process, Kratos's limits), called with a
  // ctx that fails when read: a body that reads ctx stops there; one that does not runs to
  // its end, as it would in Kratos for every identity.
  const std::string probe_ctx = std::string("error \"") + k_probe_marker + "\"";
  bool loaded = false;
  CheckedEvaluation c = run_checked(source, name, probe_ctx, EvalLimits{}, &loaded);
  const Evaluation& e = c.evaluation;
  if (e.status == EvalStatus::timed_out && loaded) {
    c.check.call_error = Finding{Severity::error, name,
                                 timed_out_message("the template's body", EvalLimits{}.timeout) +
                                     " before it reads ctx: every hook fails",
                                 ""};
  } else if (e.status == EvalStatus::failed && e.error.message == k_evaluation_died_message) {
    c.check.error = e.error;
  }
  return c.check;
}

}  // namespace core
