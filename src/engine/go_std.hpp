#pragma once

#include <string>

namespace core {

class JsonnetVm;

// Kratos evaluates templates with go-jsonnet v0.21; Debian's libjsonnet 0.18 lacks 35
// of its std functions. go_std adds them with go-jsonnet's semantics (including where
// go-jsonnet differs from the Jsonnet std library: std.round rounds half away from
// zero, std.trim strips Unicode white space, std.sha3 is SHA3-512).

// Registers the native functions the polyfill uses on `vm`, and serves the polyfill
// library under go_std_import_key(). `extra_fields` (Jsonnet object fields) are added to
// it, for the backfill helper's own hooks.
void install_go_std(JsonnetVm& vm, const std::string& extra_fields = "");

// The import key of the library: `std` extended with the missing functions.
const char* go_std_import_key();

// The names of the functions go_std adds, sorted.
const char* const* go_std_function_names(std::size_t* count);

}  // namespace core
