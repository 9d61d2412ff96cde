#include "core/go_std.hpp"

extern "C" {
#include <libjsonnet.h>
}

#include <locale.h>
#include <cmath>
#include <cstring>
#include <cwctype>
#include <string>
#include <vector>

#include "core/jsonnet_vm.hpp"
#include "util/hash.hpp"

namespace core {
namespace {

constexpr const char* k_import_key = "ory-segment:go-std";

// Everything that Jsonnet itself can express, written as go-jsonnet v0.21 defines it
// (its std.jsonnet, or its Go builtins where those replace the Jsonnet definition).
constexpr const char* k_library = R"jsonnet(
local native = std.native;
local id = function(x) x;
local pi = 3.14159265358979311600;
local requireType(name, v, type) =
  if std.type(v) == type then v
  else error 'Unexpected type ' + std.type(v) + ', expected ' + type;
local trunc(x) = if x >= 0 then std.floor(x) else std.ceil(x);
local indexOf(arr, elem) =
  local n = std.length(arr);
  local aux(i) = if i >= n then -1 else if arr[i] == elem then i else aux(i + 1) tailstrict;
  aux(0);
// all() stops at the first false, any() at the first true; both check every element up
// to there is a boolean, as go-jsonnet's builtins do.
local allOrAny(name, arr, stop) =
  assert std.isArray(arr) : name + '() parameter should be an array, got ' + std.type(arr);
  local n = std.length(arr);
  local aux(i) =
    if i >= n then !stop
    else
      local e = arr[i];
      assert std.isBoolean(e) : 'element "%s" of type %s is not a boolean' % [e, std.type(e)];
      if e == stop then stop else aux(i + 1) tailstrict;
  aux(0);
std {
  all(arr):: allOrAny('all', arr, false),
  any(arr):: allOrAny('any', arr, true),
  atan2(y, x):: native('ory_atan2')(requireType('y', y, 'number'), requireType('x', x, 'number')),
  hypot(x, y):: native('ory_hypot')(requireType('x', x, 'number'), requireType('y', y, 'number')),
  sum(arr)::
    std.foldl(function(acc, e) acc + requireType('element', e, 'number'),
              requireType('arr', arr, 'array'), 0),
  avg(arr)::
    if std.length(requireType('arr', arr, 'array')) == 0 then
      error 'Cannot calculate average of an empty array.'
    else self.sum(arr) / std.length(arr),
  contains(arr, elem):: indexOf(requireType('arr', arr, 'array'), elem) >= 0,
  remove(arr, elem)::
    local at = indexOf(requireType('arr', arr, 'array'), elem);
    if at < 0 then arr else self.removeAt(arr, at),
  removeAt(arr, at)::
    assert std.isNumber(at) && trunc(at) == at : 'Unexpected value, expected an integer';
    [requireType('arr', arr, 'array')[i] for i in std.range(0, std.length(arr) - 1) if i != at],
  deg2rad(x):: x * pi / 180,
  rad2deg(x):: x * 180 / pi,
  log2(x):: std.log(x) / std.log(2),
  log10(x):: std.log(x) / std.log(10),
  round(x):: native('ory_round')(requireType('x', x, 'number')),
  isEven(x):: std.mod(trunc(requireType('x', x, 'number')), 2) == 0,
  isOdd(x):: std.mod(trunc(requireType('x', x, 'number')), 2) != 0,
  isInteger(x):: requireType('x', x, 'number') - trunc(x) == 0,
  isDecimal(x):: requireType('x', x, 'number') - trunc(x) != 0,
  isEmpty(str):: std.length(requireType('str', str, 'string')) == 0,
  equalsIgnoreCase(str1, str2)::
    native('ory_equals_fold')(requireType('str1', str1, 'string'),
                              requireType('str2', str2, 'string')),
  trim(str):: native('ory_trim_space')(requireType('str', str, 'string')),
  splitLimitR(str, c, maxsplits)::
    native('ory_split_limit_r')(requireType('str', str, 'string'), requireType('c', c, 'string'),
                                requireType('maxsplits', maxsplits, 'number')),
  xor(x, y):: requireType('x', x, 'boolean') != requireType('y', y, 'boolean'),
  xnor(x, y):: requireType('x', x, 'boolean') == requireType('y', y, 'boolean'),
  sha1(s):: native('ory_sha1')(requireType('s', s, 'string')),
  sha256(s):: native('ory_sha256')(requireType('s', s, 'string')),
  sha512(s):: native('ory_sha512')(requireType('s', s, 'string')),
  sha3(s):: native('ory_sha3_512')(requireType('s', s, 'string')),
  minArray(arr, keyF=id, onEmpty=error 'Expected at least one element in array. Got none')::
    if std.length(requireType('arr', arr, 'array')) == 0 then onEmpty
    else std.foldl(function(best, e) if keyF(best) > keyF(e) then e else best, arr, arr[0]),
  maxArray(arr, keyF=id, onEmpty=error 'Expected at least one element in array. Got none')::
    if std.length(requireType('arr', arr, 'array')) == 0 then onEmpty
    else std.foldl(function(best, e) if keyF(best) < keyF(e) then e else best, arr, arr[0]),
  objectKeysValues(o):: [{ key: k, value: o[k] } for k in std.objectFields(o)],
  objectKeysValuesAll(o):: [{ key: k, value: o[k] } for k in std.objectFieldsAll(o)],
  objectRemoveKey(obj, key)::
    { [k]: obj[k] for k in std.objectFields(requireType('obj', obj, 'object'))
      if k != requireType('key', key, 'string') },
  flattenDeepArray(value)::
    if std.isArray(value) then [y for x in value for y in self.flattenDeepArray(x)]
    else [value],
  escapeStringXML(str_)::
    local escapes = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };
    std.join('', [if std.objectHas(escapes, ch) then escapes[ch] else ch
                  for ch in std.stringChars(std.toString(str_))]),
}
)jsonnet";

constexpr const char* k_names[] = {
    "all",
    "any",
    "atan2",
    "avg",
    "contains",
    "deg2rad",
    "equalsIgnoreCase",
    "escapeStringXML",
    "flattenDeepArray",
    "hypot",
    "isDecimal",
    "isEmpty",
    "isEven",
    "isInteger",
    "isOdd",
    "log10",
    "log2",
    "maxArray",
    "minArray",
    "objectKeysValues",
    "objectKeysValuesAll",
    "objectRemoveKey",
    "rad2deg",
    "remove",
    "removeAt",
    "round",
    "sha1",
    "sha256",
    "sha3",
    "sha512",
    "splitLimitR",
    "sum",
    "trim",
    "xnor",
    "xor",
};

using Args = const JsonnetJsonValue* const*;

JsonnetJsonValue* fail(::JsonnetVm* vm, int* success, const std::string& message) {
  *success = 0;
  return jsonnet_json_make_string(vm, message.c_str());
}

double number_arg(::JsonnetVm* vm, const JsonnetJsonValue* v) {
  double d = 0;
  jsonnet_json_extract_number(vm, v, &d);
  return d;
}

std::string string_arg(::JsonnetVm* vm, const JsonnetJsonValue* v) {
  const char* s = jsonnet_json_extract_string(vm, v);
  return s ? s : "";
}

JsonnetJsonValue* digest(::JsonnetVm* vm, Args argv, int* success, util::HashAlgorithm algorithm) {
  const std::string hex = util::hex_digest(string_arg(vm, argv[0]), algorithm);
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
  const auto a = decode_utf8(string_arg(vm, argv[0]));
  const auto b = decode_utf8(string_arg(vm, argv[1]));
  static const locale_t k_utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", nullptr);
  bool equal = a.size() == b.size();
  for (std::size_t i = 0; equal && i < a.size(); ++i) {
    const auto x = static_cast<wint_t>(a[i]), y = static_cast<wint_t>(b[i]);
    equal = x == y || towlower_l(x, k_utf8) == towlower_l(y, k_utf8) ||
            towupper_l(x, k_utf8) == towupper_l(y, k_utf8);
  }
  *success = 1;
  return jsonnet_json_make_bool(vm, equal ? 1 : 0);
}

// go-jsonnet's builtinSplitLimitR: splits from the right, at most `maxsplits` times.
JsonnetJsonValue* native_split_limit_r(void* ctx, Args argv, int* success) {
  auto* vm = static_cast<::JsonnetVm*>(ctx);
  std::string str = string_arg(vm, argv[0]);
  const std::string c = string_arg(vm, argv[1]);
  const double max_d = number_arg(vm, argv[2]);
  if (max_d != std::floor(max_d)) return fail(vm, success, "Unexpected non-integer value");
  const auto maxsplits = static_cast<long long>(max_d);
  if (maxsplits < -1) {
    return fail(vm, success,
                "std.splitLimitR third parameter should be -1 or non-negative, got " +
                    std::to_string(maxsplits));
  }
  if (c.empty()) {
    return fail(vm, success,
                "std.splitLimitR second parameter should have length 1 or greater, got 0");
  }
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
  JsonnetJsonValue* arr = jsonnet_json_make_array(vm);
  for (const auto& part : parts)
    jsonnet_json_array_append(vm, arr, jsonnet_json_make_string(vm, part.c_str()));
  *success = 1;
  return arr;
}

}  // namespace

void install_go_std(JsonnetVm& wrapper, const std::string& extra_fields) {
  ::JsonnetVm* vm = wrapper.handle();
  static const char* const k_one[] = {"s", nullptr};
  static const char* const k_two[] = {"a", "b", nullptr};
  static const char* const k_three[] = {"a", "b", "c", nullptr};
  jsonnet_native_callback(vm, "ory_sha1", native_sha1, vm, k_one);
  jsonnet_native_callback(vm, "ory_sha256", native_sha256, vm, k_one);
  jsonnet_native_callback(vm, "ory_sha512", native_sha512, vm, k_one);
  jsonnet_native_callback(vm, "ory_sha3_512", native_sha3_512, vm, k_one);
  jsonnet_native_callback(vm, "ory_round", native_round, vm, k_one);
  jsonnet_native_callback(vm, "ory_trim_space", native_trim_space, vm, k_one);
  jsonnet_native_callback(vm, "ory_atan2", native_atan2, vm, k_two);
  jsonnet_native_callback(vm, "ory_hypot", native_hypot, vm, k_two);
  jsonnet_native_callback(vm, "ory_equals_fold", native_equals_fold, vm, k_two);
  jsonnet_native_callback(vm, "ory_split_limit_r", native_split_limit_r, vm, k_three);
  wrapper.serve(k_import_key, k_import_key,
                extra_fields.empty() ? std::string(k_library)
                                     : "(" + std::string(k_library) + ") + {" + extra_fields + "}");
}

const char* go_std_import_key() { return k_import_key; }

const char* const* go_std_function_names(std::size_t* count) {
  *count = sizeof k_names / sizeof k_names[0];
  return k_names;
}

}  // namespace core
