#include "util/base64.hpp"

#include <array>
#include <cstdint>

namespace util {
namespace {

constexpr std::string_view k_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> make_reverse_table() {
  std::array<int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (std::size_t i = 0; i < k_alphabet.size(); ++i) {
    table[static_cast<unsigned char>(k_alphabet[i])] = static_cast<int8_t>(i);
  }
  return table;
}

constexpr auto k_reverse = make_reverse_table();

std::string describe_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (c == '\n') return "a line break";
  if (c == '\r') return "a carriage return";
  if (c == ' ') return "a space";
  if (c == '\t') return "a tab";
  if (u < 0x20 || u >= 0x7f) {
    static constexpr char k_hex[] = "0123456789abcdef";
    return std::string("byte 0x") + k_hex[u >> 4] + k_hex[u & 0xf];
  }
  return std::string("'") + c + "'";
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                       (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                       uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    out += k_alphabet[(n >> 18) & 63];
    out += k_alphabet[(n >> 12) & 63];
    out += k_alphabet[(n >> 6) & 63];
    out += k_alphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    if (rest == 2) n |= uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
    out += k_alphabet[(n >> 18) & 63];
    out += k_alphabet[(n >> 12) & 63];
    out += rest == 2 ? k_alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool base64_decode(std::string_view text, std::string* out, Base64Error* err) {
  out->clear();
  out->reserve(text.size() / 4 * 3);
  std::size_t padding_at = text.size();
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '=') {
      if (padding_at == text.size()) padding_at = i;
      continue;
    }
    if (k_reverse[static_cast<unsigned char>(c)] < 0) {
      err->offset = i;
      err->message = describe_char(c) + " is not in the standard base64 alphabet";
      if (c == '-' || c == '_') err->message += " (this looks like URL-safe base64)";
      return false;
    }
    if (padding_at != text.size()) {
      err->offset = padding_at;
      err->message = "'=' padding in the middle of the data";
      return false;
    }
  }
  if (text.size() % 4 != 0) {
    err->offset = text.size();
    err->message =
        "length " + std::to_string(text.size()) + " is not a multiple of 4 (missing '=' padding?)";
    return false;
  }
  const std::size_t pad = text.size() - padding_at;
  if (pad > 2) {
    err->offset = padding_at;
    err->message = "too much '=' padding";
    return false;
  }
  uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < padding_at; ++i) {
    acc = (acc << 6) | static_cast<uint32_t>(k_reverse[static_cast<unsigned char>(text[i])]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return true;
}

}  // namespace util
