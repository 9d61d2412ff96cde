#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/kratos_sandbox.hpp"
#include "util/finding.hpp"

namespace core {

// Every `import`, `importstr` and `importbin` in `source` (outside strings and
// comments), as warnings: Kratos's sandbox refuses each one that is evaluated (lazily, so
// one that is never reached does no harm).
std::vector<Finding> find_imports(std::string_view source, const std::string& name);

struct TemplateCheck {
  std::optional<Finding> error;       // the template cannot load under Kratos
  std::optional<Finding> call_error;  // it loads, but Kratos's call of it fails: every hook fails
  std::vector<Finding> warnings;      // it runs, but something in it fails if reached (imports)
};

// Parses and statically checks a template the way Kratos loads it: no imports, the
// context bound as the top-level argument `ctx`.
TemplateCheck check_template(std::string_view source, const std::string& name);

struct Evaluation {
  EvalStatus status = EvalStatus::failed;
  std::string body;  // the manifested JSON exactly as Kratos sends it
  Finding error;     // for every status but ok
  std::chrono::microseconds elapsed{0};
};

// Runs a template exactly as Kratos does: `ctx_json` bound as the top-level argument
// `ctx`, imports disabled, go-jsonnet's std functions available, output manifested
// with sorted keys and 3-space indent. Runs in a child process so the time limit is
// enforced whatever the template does.
Evaluation evaluate_template(std::string_view source, const std::string& name,
                             const std::string& ctx_json, const EvalLimits& limits = {});

// check_template and evaluate_template in one evaluation (libjsonnet parses its std library
// once per evaluation): what test-identify runs. `check.error` when the template does not
// load (then `evaluation` is that failure too); `check.call_error` when Kratos's call of it
// fails; the import warnings.
struct CheckedEvaluation {
  TemplateCheck check;
  Evaluation evaluation;
};
CheckedEvaluation evaluate_checked(std::string_view source, const std::string& name,
                                   const std::string& ctx_json, const EvalLimits& limits = {});

// The warning for libjsonnet's error `err` when it says the call of the template cannot bind
// `ctx` (a function without that parameter, or with another one without a default).
std::optional<Finding> call_error_for(const std::string& err, const std::string& name);

class JsonnetVm;

// The pieces of evaluate_template that TransformPool builds on.

// go-jsonnet reads chomped text blocks (`|||-`: the block without its final newline);
// libjsonnet 0.18 refuses them. Rewrites each as `(|||...|||)[:-1]`, keeping every line
// and column of the block where it was; what follows the closing `|||` on its line moves
// k_chomp_suffix's length to the right (chomped_block_ends says where).
std::string rewrite_chomped_blocks(std::string_view source);
constexpr std::size_t k_chomp_suffix_size = 6;  // ")[:-1]"

// Where rewrite_chomped_blocks inserts its suffix: the line and column (1-based, in `source`)
// just after each chomped block's closing `|||`, in order.
struct LineColumn {
  std::size_t line, column;
};
std::vector<LineColumn> chomped_block_ends(std::string_view source);

// A column libjsonnet reports on `line` of the rewritten template, as a column of the user's.
std::size_t user_column(std::string_view source, std::size_t line, std::size_t column);

// Sets a VM up as Kratos's: go-jsonnet's std (plus `std_extra` fields), the template
// served under its own name (chomped text blocks rewritten).
void prepare_kratos_vm(JsonnetVm* vm, std::string_view source, const std::string& name,
                       const std::string& std_extra = "");

// The file name for code that imports go-jsonnet's std and calls the template in a prepared
// VM: in the template's directory, because libjsonnet caches an import per directory of the
// file that imports it, so the std loaded there is the template's own, loaded once.
std::string main_file_beside(const std::string& template_name);

// `(import "<the template>")`, for code that calls the template in a prepared VM.
std::string template_import_expression();

// `if std.native('ory_segment_started')() != null then null else local std = import
// "<go-jsonnet's std>"; `: put in front of the user's first line, so every other line keeps
// its number; the columns of line 1 are corrected in diagnostics. The native call marks where
// the template's own evaluation begins, once libjsonnet has parsed it (and, as it does for
// every file, its std again); prepare_kratos_vm registers it as a no-op.
const std::string& std_prefix();

// "NAME:LINE:COL" of a byte offset in the user's file, as libjsonnet counts columns.
std::string source_location(const std::string& name, std::string_view source, std::size_t offset);

// (jsonnet_errors.cpp) libjsonnet's error text as a finding located in the user's file (the
// innermost frame there), with a hint for a missing field.
Finding finding_from_jsonnet(const std::string& raw, const std::string& name,
                             std::string_view source);

// The finding finding_from_jsonnet gives for a runtime error `message` whose innermost frame
// in the user's file is the expression at [begin, end).
Finding finding_at(const std::string& message, const std::string& name, std::string_view source,
                   std::size_t begin, std::size_t end);

}  // namespace core
