#include "engine/jsonnet_throw.hpp"

extern "C" {
#include <libjsonnet.h>
}

#include <dlfcn.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <typeinfo>
#include <vector>

#include "io/forked_child.hpp"

namespace core {
namespace {

// libjsonnet's RuntimeError and what it holds (core/vm.h and core/static_error.h of its
// source): read only after the probe has shown the layout is this one.
struct Location {
  unsigned long line;
  unsigned long column;
};
struct LocationRange {
  std::string file;
  Location begin, end;
};
struct TraceFrame {
  LocationRange location;
  std::string name;
};
struct RuntimeError {
  std::vector<TraceFrame> stack_trace;
  std::string msg;
};

// The type info of libjsonnet's `RuntimeError` (global namespace in 0.18), as libjsonnet
// exports it: the object its throws name. nullptr when no loaded library exports it.
const std::type_info* runtime_error_type() {
  static const auto* type =
      static_cast<const std::type_info*>(::dlsym(RTLD_DEFAULT, "_ZTI12RuntimeError"));
  return type;
}
// The evaluations here keep every frame (jsonnet_max_trace 0, prepare_kratos_vm), so the
// innermost one in the user's file is always there, however deep the code around it.

enum class Mode { off, probe, handle };
Mode g_mode = Mode::off;
RuntimeErrorHandler g_handler = nullptr;
std::string* g_probe_text = nullptr;

std::ostream& operator<<(std::ostream& o, const Location& l) {
  return o << l.line << ":" << l.column;
}

// libjsonnet's operator<< for a LocationRange.
std::ostream& operator<<(std::ostream& o, const LocationRange& l) {
  if (!l.file.empty()) o << l.file;
  if (l.begin.line != 0) {
    if (!l.file.empty()) o << ":";
    if (l.begin.line == l.end.line) {
      if (l.begin.column == l.end.column - 1) {
        o << l.begin;
      } else {
        o << l.begin << "-" << l.end.column;
      }
    } else {
      o << "(" << l.begin << ")-(" << l.end << ")";
    }
  }
  return o;
}

// What jsonnet_evaluate_snippet returns for `e` (with jsonnet_max_trace 0: every frame).
std::string format(const RuntimeError& e) {
  std::ostringstream ss;
  ss << "RUNTIME ERROR: " << e.msg << "\n";
  for (const TraceFrame& f : e.stack_trace) ss << "\t" << f.location << "\t" << f.name << "\n";
  return ss.str();
}

// A runtime error with many frames, with locations on one line and over several.
constexpr const char* k_probe_code =
    "local f(n) =\n"
    "  if n == 0 then error 'probe: ' + n\n"
    "  else [f(n - 1)][0];\n"
    "{\n"
    "  a: (\n"
    "    f(30)\n"
    "  ),\n"
    "}\n";

// In the probe child: 0 when the text read at the throw is libjsonnet's own.
[[noreturn]] void run_probe() {
  std::string at_throw;
  g_probe_text = &at_throw;
  g_mode = Mode::probe;
  ::JsonnetVm* vm = jsonnet_make();
  jsonnet_max_trace(vm, 0);
  int error = 0;
  char* out = jsonnet_evaluate_snippet(vm, "probe.jsonnet", k_probe_code, &error);
  const bool same = error != 0 && out && at_throw == out && !at_throw.empty();
  ::_exit(same ? 0 : 1);
}

bool probe() {
  std::string err;
  const auto child = io::ForkedChild::start([](int /*fd*/) { run_probe(); }, &err);
  if (!child) return false;
  const int status = child->reap(io::ForkedChild::Clock::now() + std::chrono::seconds(5));
  return io::ForkedChild::exited_with(status, 0);
}

}  // namespace

bool runtime_errors_readable() {
  static const bool readable = [] {
    const char* off = std::getenv("ORY_SEGMENT_NO_THROW_HOOK");
    if (off && std::string(off) == "1") return false;
    return runtime_error_type() != nullptr && probe();
  }();
  return readable;
}

void on_runtime_error(RuntimeErrorHandler handler) {
  g_handler = handler;
  g_mode = handler ? Mode::handle : Mode::off;
}

void at_cxa_throw(void* object, const std::type_info* type) {
  if (g_mode == Mode::off || !type || type != runtime_error_type()) return;
  const std::string text = format(*static_cast<const RuntimeError*>(object));
  if (g_mode == Mode::handle) {
    g_handler(text);
    std::abort();  // a handler that returned: the throw cannot go on from here
  }
  *g_probe_text = text;
}

}  // namespace core
