#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace util {

// Decompresses gzip data (RFC 1952; several members in a row, as Go's gzip reader reads
// them). Stops with an error once the output would pass `max_out` bytes, so a small
// request cannot expand into a large allocation. `err` says what is wrong.
bool gunzip(std::string_view data, std::size_t max_out, std::string* out, std::string* err);

// Compresses `data` as one gzip member (for tests and clients).
std::string gzip(std::string_view data);

}  // namespace util
