#include "engine/kratos_sandbox.hpp"

namespace core {

const char* const k_evaluation_died_message =
    "the evaluation process died (out of memory or stack?)";

namespace {

// Kratos (request/builder.go, addJSONBody) cancels when go-jsonnet's error text contains
// this; libjsonnet's error text has the same shape ("RUNTIME ERROR: " + the message, then
// the stack), so the rule applies to it as it is.
const std::string k_cancel_marker = "RUNTIME ERROR: cancel";

}  // namespace

bool is_cancel(const std::string& message) {
  return ("RUNTIME ERROR: " + message).find(k_cancel_marker) != std::string::npos;
}

EvalStatus status_of_error(const std::string& error_text) {
  return error_text.find(k_cancel_marker) != std::string::npos ? EvalStatus::cancelled
                                                               : EvalStatus::failed;
}

std::string timed_out_message(const std::string& what, std::chrono::milliseconds limit) {
  const auto ms = limit.count();
  const std::string text =
      ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
  return what + " exceeds Kratos's " + text + " limit (stopped)";
}

std::string output_too_large_message(std::size_t max_output) {
  return "the output exceeds Kratos's " + std::to_string((max_output + 1023) / 1024) + " KiB limit";
}

}  // namespace core
