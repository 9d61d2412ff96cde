#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace util {

// Standard (RFC 4648 section 4) alphabet with '=' padding, on one line: Go's
// base64.StdEncoding, which is what Kratos decodes `base64://` bodies with.
std::string base64_encode(std::string_view bytes);

struct Base64Error {
  std::size_t offset = 0;  // byte offset of the offending character
  std::string message;
};

// Strict decoding: only the standard alphabet, length a multiple of four, padding
// only at the end. Returns false and fills `err` on the first problem.
bool base64_decode(std::string_view text, std::string* out, Base64Error* err);

}  // namespace util
