#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace core {

// Kratos's sandbox for templates (oryx/jsonnetsecure) and what it does with their
// errors: the one place evaluate_template and TransformPool take them from.

// 1 s, and output up to 262,143 bytes: Kratos reads the evaluation's answer with a 256 KiB
// limit that counts the delimiter after it.
struct EvalLimits {
  std::chrono::milliseconds timeout{1000};
  std::size_t max_output = (std::size_t{256} << 10) - 1;
};

enum class EvalStatus {
  ok,                // the body is what Kratos sends
  cancelled,         // the error is a cancel (is_cancel): Kratos skips the hook
  failed,            // any other evaluation error: the hook fails
  timed_out,         // over the time limit
  output_too_large,  // over the output cap
};

// Kratos's cancel rule for what `error` is given (a message): it starts with "cancel".
// `error "please cancel"` and `error {reason: "cancel"}` fail the hook.
bool is_cancel(const std::string& message);

// cancelled or failed, for an evaluation's whole error text (libjsonnet's, as it prints
// it): cancelled when it holds "RUNTIME ERROR: cancel", as Kratos decides on go-jsonnet's.
EvalStatus status_of_error(const std::string& error_text);

// "WHAT exceeds Kratos's 1 s limit (stopped)".
std::string timed_out_message(const std::string& what = "the evaluation",
                              std::chrono::milliseconds limit = EvalLimits{}.timeout);

// "the output exceeds Kratos's 256 KiB limit" (the limit rounded up to KiB).
std::string output_too_large_message(std::size_t max_output = EvalLimits{}.max_output);

// For an evaluation process that ended without an answer.
extern const char* const k_evaluation_died_message;

}  // namespace core
