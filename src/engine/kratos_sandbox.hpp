#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace core {

// Kratos's sandbox for templates (oryx/jsonnetsecure) and what it does with their
// errors: the one place evaluate_template and TransformPool take them from.

// The time limit, the one definition every verb applies. Kratos gives an evaluation 1 s of
// wall time from taking a warm worker of its pool to its answer
// (oryx/jsonnetsecure/jsonnet_pool.go:240 at v26.2.0, `context.WithTimeoutCause(ctx,
// 1*time.Second, ...)`). A warm worker does nothing else meanwhile, so on an unloaded Kratos
// that is the template's own CPU time. Here it is counted as such: the CPU time of the child
// evaluating the template, from when the template starts (after the child has loaded its
// libraries, as Kratos's worker has before it is taken, and parsed the template, which
// libjsonnet does with a parse of its own std library that go-jsonnet does not make), so
// that a template Kratos runs in time is not failed because this machine is busy or slow. A child
// that uses no CPU and says nothing for k_stall_limit of wall time is stopped as well.
//
// Output up to 262,143 bytes: Kratos reads the evaluation's answer with a 256 KiB limit that
// counts the delimiter after it.
//
// Input up to 65,535 bytes: Kratos hands its jsonnet worker one JSON document per
// evaluation, processParameters {Filename, Snippet, TLACodes: [{ctx}], ...} marshalled by
// encoding/json (strings quoted with <, > and & escaped) and followed by a NUL, and the worker
// reads it with a default bufio.Scanner, whose 64 KiB buffer must hold it and the NUL
// (oryx/jsonnetsecure/cmd.go:78-90, jsonnet_pool.go:142 and :254-257, jsonnet.go:31-34,
// request/builder.go:139-158 at master b86338da0; cmd.go:67-79, jsonnet_pool.go:136 and
// :225-228, jsonnet.go:30-33, request/builder.go:149-168 at v26.2.0). The template counts
// twice: as its text (Snippet) and as its body URI (Filename), which for base64:// holds it
// again. Over that, the worker stops reading and Kratos gets an error or an empty answer:
// the hook never sends the message.
struct EvalLimits {
  std::chrono::milliseconds timeout{1000};
  std::size_t max_output = (std::size_t{256} << 10) - 1;
  std::size_t max_input = (std::size_t{64} << 10) - 1;
  // The body URI Kratos passes as Filename; "": base64:// of the template, as build-action
  // writes it.
  std::string template_uri;
};

// The size of the document Kratos's worker reads for `snippet` at `template_uri` with
// `ctx_json` (compact, as Kratos's json.Encoder writes it, without its newline).
std::size_t worker_input_size(std::string_view template_uri, std::string_view snippet,
                              std::string_view ctx_json);

// "Kratos's jsonnet worker reads at most 65,535 bytes ...": the hook fails.
std::string input_too_large_message(std::size_t size, std::size_t max_input);
constexpr std::chrono::seconds k_stall_limit{30};
// How long a child may take to start and load its libraries before the limit's clock runs.
constexpr std::chrono::seconds k_start_limit{10};

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
