#include "engine/go_std_natives.hpp"

extern "C" {
#include <libjsonnet.h>
}

#include <locale.h>

#include <algorithm>
#include <cmath>
#include <cwctype>
#include <string>
#include <vector>

#include "engine/go_std_native_args.hpp"
#include "engine/go_std_values.hpp"
#include "util/base64.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"

namespace core {
namespace {

using namespace native_args;

// The digest of a string (and its length in code points) or, when the string holds a NUL,
// null: go_std then hashes std.base64(std.encodeUTF8(s)) with ory_digest_base64.
JsonnetJsonValue* digest(::JsonnetVm* vm, Args argv, int* success, util::HashAlgorithm algorithm) {
  const std::string s = string_arg(vm, argv[0]);
  *success = 1;
  if (cut_short(vm, s, argv[1])) return jsonnet_json_make_null(vm);
  const std::string hex = util::hex_digest(s, algorithm);
  if (hex.empty()) return fail(vm, success, "hash computation failed");
  return jsonnet_json_make_string(vm, hex.c_str());
}

// Go's strconv.ParseInt(s, 10, 64), as go-jsonnet's builtinParseInt calls it: an optional
// sign, then decimal digits only, within int64; null for anything else (the wrapper fails).
JsonnetJsonValue* native_parse_int(void* ctx, Args argv, int* success) {
  auto* vm = static_cast<::JsonnetVm*>(ctx);
  const std::string s = string_arg(vm, argv[0]);
  *success = 1;
  if (cut_short(vm, s, argv[1])) return jsonnet_json_make_null(vm);
  std::size_t i = 0;
  const bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) i = 1;
  if (i == s.size()) return jsonnet_json_make_null(vm);
  unsigned long long magnitude = 0;
  const unsigned long long limit = negative ? 9223372036854775808ULL : 9223372036854775807ULL;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return jsonnet_json_make_null(vm);
    const auto digit = static_cast<unsigned long long>(s[i] - '0');
    if (magnitude > (limit - digit) / 10) return jsonnet_json_make_null(vm);  // out of range
    magnitude = magnitude * 10 + digit;
  }
  // float64(int64): the exact integer, rounded once to the nearest double; -0 is 0.
  const double value = negative ? -static_cast<double>(magnitude) : static_cast<double>(magnitude);
  return jsonnet_json_make_number(vm, value == 0 ? 0.0 : value);
}

// ory_digest_base64(algorithm, base64 of the bytes): the digest of bytes that may hold NULs.
JsonnetJsonValue* native_digest_base64(void* ctx, Args argv, int* success) {
  auto* vm = static_cast<::JsonnetVm*>(ctx);
  const std::string name = string_arg(vm, argv[0]);
  std::string bytes;
  util::Base64Error err;
  if (!util::base64_decode(string_arg(vm, argv[1]), &bytes, &err)) {
    return fail(vm, success, "ory_digest_base64: bad base64");
  }
  const util::HashAlgorithm algorithm = name == "sha1"     ? util::HashAlgorithm::sha1
                                        : name == "sha256" ? util::HashAlgorithm::sha256
                                        : name == "sha512" ? util::HashAlgorithm::sha512
                                                           : util::HashAlgorithm::sha3_512;
  const std::string hex = util::hex_digest(bytes, algorithm);
  if (hex.empty()) return fail(vm, success, "hash computation failed");
  *success = 1;
  return jsonnet_json_make_string(vm, hex.c_str());
}

JsonnetJsonValue* native_sha1(void* ctx, Args argv, int* success) {
  return digest(static_cast<::JsonnetVm*>(ctx), argv, success, util::HashAlgorithm::sha1);
}
JsonnetJsonValue* native_sha256(void* ctx, Args argv, int* success) {
  return digest(static_cast<::JsonnetVm*>(ctx), argv, success, util::HashAlgorithm::sha256);
}
JsonnetJsonValue* native_sha512(void* ctx, Args argv, int* success) {
  return digest(static_cast<::JsonnetVm*>(ctx), argv, success, util::HashAlgorithm::sha512);
}
JsonnetJsonValue* native_sha3_512(void* ctx, Args argv, int* success) {
  return digest(static_cast<::JsonnetVm*>(ctx), argv, success, util::HashAlgorithm::sha3_512);
}

JsonnetJsonValue* native_round(void* ctx, Args argv, int* success) {
  auto* vm = static_cast<::JsonnetVm*>(ctx);
  *success = 1;
  return jsonnet_json_make_number(vm, std::round(number_arg(vm, argv[0])));  // half away from 0
}

JsonnetJsonValue* native_atan2(void* ctx, Args argv, int* success) {
  auto* vm = static_cast<::JsonnetVm*>(ctx);
  *success = 1;
  return jsonnet_json_make_number(vm, std::atan2(number_arg(vm, argv[0]), number_arg(vm, argv[1])));
}

JsonnetJsonValue* native_hypot(void* ctx, Args argv, int* success) {
  auto* vm = static_cast<::JsonnetVm*>(ctx);
  *success = 1;
  return jsonnet_json_make_number(vm, std::hypot(number_arg(vm, argv[0]), number_arg(vm, argv[1])));
}

// The code point at byte `i` and its length; malformed bytes count as one U+FFFD.
char32_t decode_at(const std::string& s, std::size_t i, std::size_t* len) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
  if (c >= 0x80 && (c < 0xc2 || c > 0xf4 || i + n > s.size())) {
    *len = 1;
    return 0xfffd;
  }
  char32_t cp = n == 1 ? c : c & (0x3fu >> (n - 1));
  for (std::size_t k = 1; k < n; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3fu);
  *len = n;
  return cp;
}

std::vector<char32_t> decode_utf8(const std::string& s) {
  std::vector<char32_t> out;
  for (std::size_t i = 0, len = 0; i < s.size(); i += len) out.push_back(decode_at(s, i, &len));
  return out;
}

// Go's unicode.IsSpace, which strings.TrimSpace uses.
bool is_go_space(char32_t c) {
  switch (c) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

JsonnetJsonValue* native_trim_space(void* ctx, Args argv, int* success) {
  auto* vm = static_cast<::JsonnetVm*>(ctx);
  const std::string s = string_arg(vm, argv[0]);
  if (cut_short(vm, s, argv[1])) {
    *success = 1;
    return jsonnet_json_make_null(vm);
  }
  // Byte offsets of the first and the end of the last code point that is not space.
  std::size_t start = s.size(), stop = 0;
  for (std::size_t i = 0, len = 0; i < s.size(); i += len) {
    if (!is_go_space(decode_at(s, i, &len))) {
      if (start == s.size()) start = i;
      stop = i + len;
    }
  }
  *success = 1;
  const std::string trimmed = start == s.size() ? std::string() : s.substr(start, stop - start);
  return jsonnet_json_make_string(vm, trimmed.c_str());
}

// Go's strings.EqualFold: equal under simple Unicode case folding.
JsonnetJsonValue* native_equals_fold(void* ctx, Args argv, int* success) {
  auto* vm = static_cast<::JsonnetVm*>(ctx);
  const std::string sa = string_arg(vm, argv[0]), sb = string_arg(vm, argv[1]);
  if (static_cast<double>(util::code_points(sa) + util::code_points(sb)) !=
      number_arg(vm, argv[2])) {
    *success = 1;
    return jsonnet_json_make_null(vm);  // a NUL in either: go_std compares rune by rune
  }
  const auto a = decode_utf8(sa);
  const auto b = decode_utf8(sb);
  static const locale_t k_utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", nullptr);
  bool equal = a.size() == b.size();
  for (std::size_t i = 0; equal && i < a.size(); ++i) {
    const auto x = static_cast<wint_t>(a[i]), y = static_cast<wint_t>(b[i]);
    // U+0130 (İ) and U+0131 (ı) have case mappings but no simple case folding: Go's
    // unicode.SimpleFold leaves them alone, so they only equal themselves.
    const auto dotted_i = [](wint_t c) { return c == 0x130 || c == 0x131; };
    equal = x == y || (!dotted_i(x) && !dotted_i(y) &&
                       (towlower_l(x, k_utf8) == towlower_l(y, k_utf8) ||
                        towupper_l(x, k_utf8) == towupper_l(y, k_utf8)));
  }
  *success = 1;
  return jsonnet_json_make_bool(vm, equal ? 1 : 0);
}

// go-jsonnet's builtinLstripChars / builtinRstripChars for a string of characters: runes
// are taken off the left ('l' in the third argument) and the right ('r') while `chars`
// holds them.
JsonnetJsonValue* native_strip_chars(void* ctx, Args argv, int* success) {
  auto* vm = static_cast<::JsonnetVm*>(ctx);
  const std::string s = string_arg(vm, argv[0]);
  const std::string chars = string_arg(vm, argv[1]);
  const std::string sides = string_arg(vm, argv[2]);
  if (static_cast<double>(util::code_points(s) + util::code_points(chars)) !=
      number_arg(vm, argv[3])) {
    *success = 1;
    return jsonnet_json_make_null(vm);  // a NUL in either: go_std strips rune by rune
  }
  const auto set = decode_utf8(chars);
  const auto member = [&](char32_t c) { return std::find(set.begin(), set.end(), c) != set.end(); };
  std::size_t from = 0, to = s.size(), len = 0;
  if (sides.find('l') != std::string::npos) {
    while (from < s.size() && member(decode_at(s, from, &len))) from += len;
  }
  if (sides.find('r') != std::string::npos) {
    while (to > from) {
      std::size_t start = to - 1;  // back to the first byte of the last code point
      while (start > from && (static_cast<unsigned char>(s[start]) & 0xc0) == 0x80) --start;
      if (!member(decode_at(s, start, &len))) break;
      to = start;
    }
  }
  *success = 1;
  return jsonnet_json_make_string(vm, s.substr(from, to - from).c_str());
}

// The arguments of std.splitLimit and std.splitLimitR (`name`), checked as go-jsonnet does.
struct SplitArgs {
  std::string str, c;
  long long maxsplits = -1;
};
bool split_args(::JsonnetVm* vm, Args argv, const char* name, SplitArgs* out, std::string* err) {
  out->str = string_arg(vm, argv[0]);
  out->c = string_arg(vm, argv[1]);
  const double max_d = number_arg(vm, argv[2]);
  if (max_d != std::floor(max_d)) {
    *err = "Unexpected non-integer value";
    return false;
  }
  out->maxsplits = static_cast<long long>(max_d);
  if (out->maxsplits < -1) {
    *err = std::string(name) + " third parameter should be -1 or non-negative, got " +
           std::to_string(out->maxsplits);
    return false;
  }
  if (out->c.empty()) {
    *err = std::string(name) + " second parameter should have length 1 or greater, got 0";
    return false;
  }
  return true;
}

// go-jsonnet's builtinSplitLimit: strings.SplitN from the left, at most `maxsplits` times.
std::vector<std::string> split_left(const SplitArgs& a) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (long long n = 0; a.maxsplits == -1 || n < a.maxsplits; ++n) {
    const std::size_t at = a.str.find(a.c, start);
    if (at == std::string::npos) break;
    parts.push_back(a.str.substr(start, at - start));
    start = at + a.c.size();
  }
  parts.push_back(a.str.substr(start));
  return parts;
}

// go-jsonnet's builtinSplitLimitR: splits from the right, at most `maxsplits` times.
std::vector<std::string> split_right(const SplitArgs& a) {
  std::string str = a.str;
  const std::string& c = a.c;
  const long long maxsplits = a.maxsplits;
  long long count = 0;
  for (std::size_t pos = str.find(c); pos != std::string::npos; pos = str.find(c, pos + c.size())) {
    ++count;
  }
  if (maxsplits > -1 && count > maxsplits) count = maxsplits;
  std::vector<std::string> parts(static_cast<std::size_t>(count) + 1);
  for (long long i = count; i > 0; --i) {
    const std::size_t index = str.rfind(c);
    parts[static_cast<std::size_t>(i)] = str.substr(index + c.size());
    str.erase(index);
  }
  parts[0] = str;
  return parts;
}

JsonnetJsonValue* split_native(void* ctx, Args argv, int* success, const char* name,
                               std::vector<std::string> (*split)(const SplitArgs&)) {
  auto* vm = static_cast<::JsonnetVm*>(ctx);
  SplitArgs a;
  std::string err;
  if (!split_args(vm, argv, name, &a, &err)) return fail(vm, success, err);
  JsonnetJsonValue* arr = jsonnet_json_make_array(vm);
  for (const auto& part : split(a)) {
    jsonnet_json_array_append(vm, arr, jsonnet_json_make_string(vm, part.c_str()));
  }
  *success = 1;
  return arr;
}

JsonnetJsonValue* native_split_limit(void* ctx, Args argv, int* success) {
  return split_native(ctx, argv, success, "std.splitLimit", split_left);
}

JsonnetJsonValue* native_split_limit_r(void* ctx, Args argv, int* success) {
  return split_native(ctx, argv, success, "std.splitLimitR", split_right);
}

}  // namespace

void register_go_std_natives(::JsonnetVm* vm) {
  static const Native k_natives[] = {
      {"ory_sha1", native_sha1, 2},
      {"ory_sha256", native_sha256, 2},
      {"ory_sha512", native_sha512, 2},
      {"ory_sha3_512", native_sha3_512, 2},
      {"ory_digest_base64", native_digest_base64, 2},
      {"ory_parse_int", native_parse_int, 2},
      {"ory_round", native_round, 1},
      {"ory_trim_space", native_trim_space, 2},
      {"ory_atan2", native_atan2, 2},
      {"ory_hypot", native_hypot, 2},
      {"ory_equals_fold", native_equals_fold, 3},
      {"ory_split_limit", native_split_limit, 3},
      {"ory_strip_chars", native_strip_chars, 4},
      {"ory_split_limit_r", native_split_limit_r, 3},
      {"ory_manifest_json_ex", native_manifest_json_ex, 4},
      {"ory_manifest_yaml_doc", native_manifest_yaml_doc, 3},
      {"ory_prune", native_prune, 1},
      {"ory_json_problem", native_json_problem, 2},
      {"ory_format_pieces", native_format_pieces, 2},
      {"ory_format_join", native_format_join, 1},
  };
  register_natives(vm, k_natives);
}

}  // namespace core
