#include "util/hash.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <cctype>

#include <cstdio>

namespace util {

std::string hex_digest(std::string_view data, HashAlgorithm algorithm) {
  const EVP_MD* md = algorithm == HashAlgorithm::sha1     ? EVP_sha1()
                     : algorithm == HashAlgorithm::sha256 ? EVP_sha256()
                     : algorithm == HashAlgorithm::sha512 ? EVP_sha512()
                                                          : EVP_sha3_512();
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1) return "";
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(std::size_t{len} * 2);
  for (unsigned int i = 0; i < len; ++i) {
    hex += k_hex[out[i] >> 4];
    hex += k_hex[out[i] & 15];
  }
  return hex;
}

std::uint64_t fnv1a64(std::string_view data, std::uint64_t state) {
  for (const char c : data) {
    state ^= static_cast<unsigned char>(c);
    state *= 0x100000001b3ULL;
  }
  return state;
}

namespace {

std::string format_uuid(unsigned char* b) {
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

}  // namespace

std::string random_uuid() {
  unsigned char b[16] = {0};
  if (RAND_bytes(b, sizeof b) != 1) {
    // OpenSSL's generator failed (no entropy): a UUID from the clock would repeat; say so
    // in the value rather than send a guessable id.
    return "00000000-0000-4000-8000-000000000000";
  }
  return format_uuid(b);
}

std::string uuid_from(std::string_view data) {
  const std::string hex = hex_digest(data, HashAlgorithm::sha256);
  unsigned char b[16];
  for (std::size_t i = 0; i < sizeof b; ++i) {
    b[i] = static_cast<unsigned char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  }
  return format_uuid(b);
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

}  // namespace util
