#pragma once

struct JsonnetVm;

namespace core {

// The native functions go_std's library calls (std.native('ory_...')): what Jsonnet cannot
// express with go-jsonnet's exact semantics (OpenSSL hashes, Go's rounding, trimming, case
// folding, splitting, stripping and JSON manifesting).
void register_go_std_natives(::JsonnetVm* vm);

}  // namespace core
