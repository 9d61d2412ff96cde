#pragma once

#include <string>
#include <typeinfo>

namespace core {

// libjsonnet's runtime errors, read where they are thrown.
//
// libjsonnet reports a runtime error by throwing it to the top of the evaluation, and the
// unwinding destroys everything the evaluation built: in a transform child that has loaded
// the standard library, tens of milliseconds of frees on copy-on-write pages for one
// failing identity. A child that is going to exit anyway can instead read the error at the
// throw, format it exactly as jsonnet_evaluate_snippet would, and leave.

// Called at the throw with the error's text, formatted as jsonnet_evaluate_snippet formats
// it (`RUNTIME ERROR: message`, then the stack trace). Must not return: the interpreter is
// mid-throw and cannot go on.
using RuntimeErrorHandler = void (*)(const std::string& text);

// Whether this process can read libjsonnet's errors at the throw: only the ory-segment
// executable carries the interposer (src/throw_hook.cpp) that calls at_cxa_throw; checked once
// per process, in a forked probe that evaluates a known error both ways and compares the texts
// (so a libjsonnet whose error type is laid out otherwise is detected, even by a crash).
// ORY_SEGMENT_NO_THROW_HOOK=1 makes it false: libjsonnet's own unwinding then reports errors.
bool runtime_errors_readable();

// From now on, in this process, every libjsonnet runtime error goes to `handler` instead
// of being thrown. Only for a process that ends with the evaluation (a forked child). A
// handler that returns aborts the process.
void on_runtime_error(RuntimeErrorHandler handler);

// Called by the interposed __cxa_throw with what is thrown: libjsonnet's RuntimeError (known
// by the type info libjsonnet exports, not by its name) goes to the handler, or to the probe;
// anything else, and everything while no handler is set, returns to be thrown as usual.
void at_cxa_throw(void* object, const std::type_info* type);

}  // namespace core
