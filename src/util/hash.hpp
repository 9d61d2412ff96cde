#pragma once

#include <string>
#include <string_view>

namespace util {

enum class HashAlgorithm { sha1, sha256, sha512, sha3_512 };

// Lowercase hex digest of `data` (OpenSSL).
std::string hex_digest(std::string_view data, HashAlgorithm algorithm);

}  // namespace util
