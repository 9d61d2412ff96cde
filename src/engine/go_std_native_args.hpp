#pragma once

// What go_std's native callbacks share: reading their arguments, failing.
extern "C" {
#include <libjsonnet.h>
}

#include <cstddef>
#include <string>

#include "util/text.hpp"

namespace core::native_args {

using Args = const JsonnetJsonValue* const*;

inline JsonnetJsonValue* fail(::JsonnetVm* vm, int* success, const std::string& message) {
  *success = 0;
  return jsonnet_json_make_string(vm, message.c_str());
}

inline double number_arg(::JsonnetVm* vm, const JsonnetJsonValue* v) {
  double d = 0;
  jsonnet_json_extract_number(vm, v, &d);
  return d;
}

inline std::string string_arg(::JsonnetVm* vm, const JsonnetJsonValue* v) {
  const char* s = jsonnet_json_extract_string(vm, v);
  return s ? s : "";
}

// libjsonnet hands a native its string arguments as C strings: one holding a NUL arrives cut
// short. The go_std wrappers pass std.length(s) beside such a string; a native that gets
// fewer code points answers null, and the wrapper takes a path that keeps the NUL.
inline bool cut_short(::JsonnetVm* vm, const std::string& s, const JsonnetJsonValue* length) {
  return static_cast<double>(util::code_points(s)) != number_arg(vm, length);
}

// A native callback go_std calls as std.native(name), with `arity` positional parameters.
struct Native {
  const char* name;
  JsonnetNativeCallback* callback;
  int arity;
};

template <std::size_t N>
void register_natives(::JsonnetVm* vm, const Native (&natives)[N]) {
  static const char* const k_params[] = {"a", "b", "c", "d", nullptr};
  for (const Native& n : natives) {
    jsonnet_native_callback(vm, n.name, n.callback, vm, k_params + (4 - n.arity));
  }
}

}  // namespace core::native_args
