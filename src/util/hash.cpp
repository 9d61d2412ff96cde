#include "util/hash.hpp"

#include <openssl/evp.h>

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

}  // namespace util
