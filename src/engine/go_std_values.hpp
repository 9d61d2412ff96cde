#pragma once

#include "engine/go_std_native_args.hpp"

// go_std's natives on whole values, which libjsonnet hands a native as the JSON text of
// `'' + value` (its C++ manifester): the manifesters, std.prune, std.format's %s.
// register_go_std_natives registers them.
namespace core {

JsonnetJsonValue* native_manifest_json_ex(void* ctx, native_args::Args argv, int* success);
JsonnetJsonValue* native_manifest_yaml_doc(void* ctx, native_args::Args argv, int* success);
JsonnetJsonValue* native_prune(void* ctx, native_args::Args argv, int* success);
JsonnetJsonValue* native_format_pieces(void* ctx, native_args::Args argv, int* success);
JsonnetJsonValue* native_format_join(void* ctx, native_args::Args argv, int* success);
JsonnetJsonValue* native_json_problem(void* ctx, native_args::Args argv, int* success);

}  // namespace core
