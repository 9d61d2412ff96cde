#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core {

// A finding about a template, located in the user's file.
struct Diagnostic {
  std::string location;  // "NAME:LINE:COL", or just "NAME" when there is no position
  std::string message;
  std::string hint;  // a suggested fix, when one is known
};

// "LOCATION: MESSAGE".
std::string to_string(const Diagnostic& d);

// Every `import`, `importstr` and `importbin` in `source` (outside strings and
// comments), which Kratos's sandbox refuses.
std::vector<Diagnostic> find_imports(std::string_view source, const std::string& name);

struct TemplateCheck {
  std::optional<Diagnostic> error;   // the template cannot run under Kratos
  std::vector<Diagnostic> warnings;  // it runs, but probably not as intended
};

// Parses and statically checks a template the way Kratos loads it: no imports, the
// context bound as the top-level argument `ctx`.
TemplateCheck check_template(std::string_view source, const std::string& name);

// Kratos's sandbox (oryx/jsonnetsecure): 1 s and 256 KiB of output.
struct EvalLimits {
  std::chrono::milliseconds timeout{1000};
  std::size_t max_output = std::size_t{256} << 10;
};

enum class EvalStatus {
  ok,                // `body` holds what Kratos sends
  cancelled,         // the error text contains "cancel": Kratos skips the hook
  failed,            // any other evaluation error: the hook fails
  timed_out,         // over the time limit
  output_too_large,  // over the output cap
};

struct Evaluation {
  EvalStatus status = EvalStatus::failed;
  std::string body;  // the manifested JSON exactly as Kratos sends it
  Diagnostic error;  // for every status but ok
  std::chrono::microseconds elapsed{0};
};

// Runs a template exactly as Kratos does: `ctx_json` bound as the top-level argument
// `ctx`, imports disabled, go-jsonnet's std functions available, output manifested
// with sorted keys and 3-space indent. Runs in a child process so the time limit is
// enforced whatever the template does.
Evaluation evaluate_template(std::string_view source, const std::string& name,
                             const std::string& ctx_json, const EvalLimits& limits = {});

class JsonnetVm;

// Shared with transform_pool, which evaluates many identities per evaluation.
namespace detail {
// Sets a VM up as Kratos's: go-jsonnet's std (plus `std_extra` fields), the template
// served under its own name.
void prepare_vm(JsonnetVm* vm, std::string_view source, const std::string& name,
                const std::string& std_extra = "");
// "NAME:LINE:COL" of a byte offset in the user's file, as libjsonnet counts columns.
std::string location(const std::string& name, std::string_view source, std::size_t offset);
// `(import "<the template>")`, for code that calls the template.
std::string import_expression();
Diagnostic diagnostic_from_jsonnet(const std::string& raw, const std::string& name,
                                   std::string_view source);
bool is_cancel(const std::string& message);
}  // namespace detail

}  // namespace core
