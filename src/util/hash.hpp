#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace util {

enum class HashAlgorithm { sha1, sha256, sha512, sha3_512 };

// Lowercase hex digest of `data` (OpenSSL).
std::string hex_digest(std::string_view data, HashAlgorithm algorithm);

// FNV-1a, 64 bits, continuing from `state` (start from k_fnv1a64_start): a running
// fingerprint of a stream, cheap enough for every record of a backfill's input. Not for
// anything an adversary chooses.
constexpr std::uint64_t k_fnv1a64_start = 0xcbf29ce484222325ULL;
std::uint64_t fnv1a64(std::string_view data, std::uint64_t state = k_fnv1a64_start);

// A random (version 4) UUID, lowercase, from OpenSSL's generator.
std::string random_uuid();

// A version-4-shaped UUID derived from `data` (its sha256): the same data, the same UUID.
std::string uuid_from(std::string_view data);

// Whether `s` is a UUID in its text form (8-4-4-4-12 hex digits, any case).
bool is_uuid(std::string_view s);

}  // namespace util
