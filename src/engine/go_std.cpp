#include "engine/go_std.hpp"

#include <string>

#include "engine/go_std_natives.hpp"
#include "engine/jsonnet_vm.hpp"

namespace core {
namespace {

constexpr const char* k_import_key = "ory-segment:go-std";

// Everything that Jsonnet itself can express, written as go-jsonnet v0.21 defines it
// (its std.jsonnet, or its Go builtins where those replace the Jsonnet definition).
constexpr const char* k_library = R"jsonnet(
local native = std.native;
local ory_prune = native('ory_prune');
local id = function(x) x;
local pi = 3.14159265358979311600;
local requireType(name, v, type) =
  if std.type(v) == type then v
  else error 'Unexpected type ' + std.type(v) + ', expected ' + type;
local trunc(x) = if x >= 0 then std.floor(x) else std.ceil(x);
// A hash of the string's UTF-8 bytes; a string holding a NUL goes as base64 (see natives).
local digest(fn, name, str) =
  local s = requireType('s', str, 'string');
  local h = native(fn)(s, std.length(s));
  if h != null then h else native('ory_digest_base64')(name, std.base64(std.encodeUTF8(s)));
local stripChars(str, chars, sides) =
  local s = requireType('str', str, 'string');
  local fast = if std.isString(chars)
               then native('ory_strip_chars')(s, chars, sides, std.length(s) + std.length(chars));
  // The native answers null for a string holding a NUL (it cannot see past one).
  if fast != null then fast
  else
    local set = if std.isString(chars) then std.stringChars(chars) else chars;
    local n = std.length(s);
    local first(i) = if i < n && std.member(set, s[i]) then first(i + 1) tailstrict else i;
    local last(i) = if i > 0 && std.member(set, s[i - 1]) then last(i - 1) tailstrict else i;
    local from = if std.member(sides, 'l') then first(0) else 0;
    local to = if std.member(sides, 'r') then std.max(from, last(n)) else n;
    std.substr(s, from, to - from);
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
  // No native function is registered in Kratos's VM: go-jsonnet's std.native gives null for
  // every name (and wants a string). The tool's own natives stay out of a template's reach.
  native(name):: if std.isString(name) then null
                 else error 'Unexpected type ' + std.type(name) + ', expected string',
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
  removeAt(arr, i)::
    assert std.isNumber(i) && trunc(i) == i : 'Unexpected value, expected an integer';
    [requireType('arr', arr, 'array')[k] for k in std.range(0, std.length(arr) - 1) if k != i],
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
    local a = requireType('str1', str1, 'string'), b = requireType('str2', str2, 'string');
    local fold(x, y) = native('ory_equals_fold')(x, y, std.length(x) + std.length(y));
    local whole = fold(a, b);
    // null: a NUL in either; then rune by rune, a NUL equal only to itself.
    if whole != null then whole
    else std.length(a) == std.length(b) &&
         std.foldl(function(same, i) same && (a[i] == b[i] || (a[i] != '\u0000' &&
                                                               b[i] != '\u0000' &&
                                                               fold(a[i], b[i]))),
                   std.range(0, std.length(a) - 1), true),
  trim(str)::
    local s = requireType('str', str, 'string');
    local t = native('ory_trim_space')(s, std.length(s));
    // null: s holds a NUL, which a native cannot see past; Go's unicode.IsSpace set instead.
    if t != null then t
    else stripChars(s, '\t\n\u000b\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004' +
                           '\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000',
                    'lr'),
  splitLimitR(str, c, maxsplits)::
    native('ory_split_limit_r')(requireType('str', str, 'string'), requireType('c', c, 'string'),
                                requireType('maxsplits', maxsplits, 'number')),
  xor(x, y):: requireType('x', x, 'boolean') != requireType('y', y, 'boolean'),
  xnor(x, y):: requireType('x', x, 'boolean') == requireType('y', y, 'boolean'),
  sha1(s):: digest('ory_sha1', 'sha1', s),
  sha256(s):: digest('ory_sha256', 'sha256', s),
  sha512(s):: digest('ory_sha512', 'sha512', s),
  sha3(s):: digest('ory_sha3_512', 'sha3', s),
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

  // Functions libjsonnet 0.18 has with other semantics or other parameter names (named
  // arguments must bind as in go-jsonnet's builtins.go), or lacks.
  id(x):: x,
  // Go's strconv.ParseInt: "+5" is 5, "-0" is 0, beyond int64 fails.
  parseInt(str)::
    local s = requireType('str', str, 'string');
    local n = native('ory_parse_int')(s, std.length(s));
    if n == null then error s + ' is not a base 10 integer' else n,
  pi:: pi,
  // go-jsonnet's "failed to parse JSON: ..." where libjsonnet's parse would end the
  // evaluation (a number beyond a double's range) or quote the text; libjsonnet's parse else.
  parseJson(str)::
    local s = requireType('str', str, 'string');
    local problem = native('ory_json_problem')(s, std.length(s));
    if problem == null then std.parseJson(s) else error 'failed to parse JSON: ' + problem,
  primitiveEquals(x, y):: std.primitiveEquals(x, y),
  objectFieldsEx(obj, hidden):: std.objectFieldsEx(obj, hidden),
  objectHasEx(obj, fname, hidden):: std.objectHasEx(obj, fname, hidden),
  log(x):: std.log(x),
  exp(x):: std.exp(x),
  mantissa(x):: std.mantissa(x),
  exponent(x):: std.exponent(x),
  modulo(x, y):: std.modulo(x, y),
  md5(s):: std.md5(s),
  makeArray(sz, func)::
    assert std.isNumber(sz) && trunc(sz) == sz : 'Expected an integer, but got ' + sz;
    std.makeArray(sz, func),
  substr(str, from, len)::
    assert std.isString(str) : 'substr first parameter should be a string, got ' + std.type(str);
    assert std.isNumber(from) : 'substr second parameter should be a number, got ' + std.type(from);
    assert trunc(from) == from : 'substr second parameter should be an integer, got %f' % from;
    assert from >= 0 : 'substr second parameter should be greater than zero, got %f' % from;
    assert std.isNumber(len) : 'substr third parameter should be a number, got ' + std.type(len);
    assert trunc(len) == len : 'substr third parameter should be an integer, got %f' % len;
    assert len >= 0 : 'substr third parameter should be greater than zero, got %d' % len;
    std.substr(str, from, len),
  // A string's code points must be bytes (go-jsonnet checks each rune), and then its UTF-8
  // encoding is what is encoded, not the code points.
  base64(input)::
    local byte(b) =
      assert std.isNumber(b) && trunc(b) == b :
             'base64 encountered a non-integer value in the array, got ' + std.type(b);
      assert b >= 0 && b <= 255 :
             'base64 encountered invalid codepoint value in the array (must be 0 <= X <= 255), got %d' % b;
      b;
    if std.isString(input) then
      std.base64(std.encodeUTF8(std.join('', [std.char(byte(std.codepoint(c)))
                                               for c in std.stringChars(input)])))
    else if std.isArray(input) then std.base64([byte(b) for b in input])
    else error 'base64 can only base64 encode strings / arrays of single bytes, got ' +
               std.type(input),
  // Negative index and end count from the end (go-jsonnet's std.jsonnet); `a[i:j:k]`
  // desugars to this.
  slice(indexable, index, end, step)::
    local length = std.length(indexable);
    local from = if index == null then 0 else if index < 0 then std.max(0, length + index) else index;
    local to = if end == null then length else if end < 0 then length + end else end;
    local by = if step == null then 1 else step;
    assert by >= 0 : 'got [%s:%s:%s] but negative steps are not supported' % [from, to, by];
    assert step != 0 : 'got %s but step must be greater than 0' % step;
    assert std.isString(indexable) || std.isArray(indexable) :
           'std.slice accepts a string or an array, but got: %s' % std.type(indexable);
    local last = std.min(to, length);
    local picked = if from >= last then [] else std.range(0, std.floor((last - 1 - from) / by));
    if std.isString(indexable) then std.join('', [indexable[from + k * by] for k in picked])
    else [indexable[from + k * by] for k in picked],
  splitLimit(str, c, maxsplits)::
    native('ory_split_limit')(requireType('str', str, 'string'), requireType('c', c, 'string'),
                              requireType('maxsplits', maxsplits, 'number')),
  split(str, c):: self.splitLimit(str, c, -1),
  // go-jsonnet strips one rune at a time while it is a member of `chars` (a string or an
  // array); the string case runs natively (libjsonnet's is quadratic).
  lstripChars(str, chars):: stripChars(str, chars, 'l'),
  rstripChars(str, chars):: stripChars(str, chars, 'r'),
  stripChars(str, chars):: stripChars(str, chars, 'lr'),
  // Without std.equals where the answer does not need it: libjsonnet 0.18 writes these in
  // Jsonnet around `==`, itself std.equals in Jsonnet (some 16 us a call). This library is
  // the template's std, and libjsonnet desugars the template's `==`, `!=` and `%` to its
  // std.equals and std.mod: so they run here. Same results, same errors.
  equals(x, y)::
    local t = std.type(x);
    if !std.primitiveEquals(t, std.type(y)) then false
    else if std.primitiveEquals(t, 'array') || std.primitiveEquals(t, 'object') then std.equals(x, y)
    else std.primitiveEquals(x, y),
  isArray(v):: std.primitiveEquals(std.type(v), 'array'),
  isBoolean(v):: std.primitiveEquals(std.type(v), 'boolean'),
  isFunction(v):: std.primitiveEquals(std.type(v), 'function'),
  isNumber(v):: std.primitiveEquals(std.type(v), 'number'),
  isObject(v):: std.primitiveEquals(std.type(v), 'object'),
  isString(v):: std.primitiveEquals(std.type(v), 'string'),
  mod(a, b)::
    local t = std.type(a);
    if std.primitiveEquals(t, 'string') then self.format(a, b)
    else if std.primitiveEquals(t, 'number') && std.primitiveEquals(std.type(b), 'number')
    then std.modulo(a, b)
    else std.mod(a, b),
  // A string maps to an array of what func gives for each character (go-jsonnet's builtin;
  // libjsonnet joins them).
  map(func, arr)::
    local t = std.type(arr);
    if std.primitiveEquals(std.type(func), 'function') &&
       (std.primitiveEquals(t, 'array') || std.primitiveEquals(t, 'string'))
    then std.makeArray(std.length(arr), function(i) func(arr[i]))
    else std.map(func, arr),
  // A format of plain %s and %% codes natively (libjsonnet's std.format, in Jsonnet, takes
  // about 1 ms); %s is std.toString of the value, which is `'' + v`. Every other format,
  // and every error, is libjsonnet's std.format's.
  format(str, vals)::
    local pieces = if std.primitiveEquals(std.type(str), 'string')
                   then native('ory_format_pieces')(str, std.length(str));
    local t = std.type(vals);
    local vs = if std.primitiveEquals(t, 'array') then vals else [vals];
    local n = std.length(vs);
    local joined =
      if std.primitiveEquals(std.type(pieces), 'null') || std.primitiveEquals(t, 'object') ||
         !std.primitiveEquals(std.length(pieces), n + 1) then null
      else native('ory_format_join')('' + [pieces, std.makeArray(n, function(i) '' + vs[i])]);
    if std.primitiveEquals(std.type(joined), 'null') then std.format(str, vals) else joined,
  // go-jsonnet's builtin, natively: libjsonnet's std.prune prunes each element twice and
  // tests types with std.equals (0.4 ms for a five-field object). The native gets `[a]` as
  // libjsonnet's JSON and answers `[pruned a]`, or null when a string in it holds a NUL,
  // which it cannot hand back; libjsonnet's std.prune runs then. A value a function is
  // nested in cannot be manifested: a known difference (go-jsonnet keeps the function).
  // libjsonnet's own, defined here: a call found in this object, not in the std it extends,
  // costs some microseconds less, and templates call it for every optional trait.
  get(o, f, default=null, inc_hidden=true)::
    if std.objectHasEx(o, f, inc_hidden) then o[f] else default,
  prune(a)::
    local pruned = ory_prune('' + [a]);
    if std.primitiveEquals(std.type(pruned), 'null') then std.prune(a) else pruned[0],
  manifestJsonEx(value, indent, newline='\n', key_val_sep=': ')::
    native('ory_manifest_json_ex')('' + [value],
                                   requireType('indent', indent, 'string'),
                                   requireType('newline', newline, 'string'),
                                   requireType('key_val_sep', key_val_sep, 'string')),
  manifestJson(value):: self.manifestJsonEx(value, '    '),
  manifestJsonMinified(value):: self.manifestJsonEx(value, '', '', ':'),
  manifestYamlDoc(value, indent_array_in_object=false, quote_keys=true)::
    native('ory_manifest_yaml_doc')('' + [value],
                                    '' + requireType('indent_array_in_object',
                                                     indent_array_in_object, 'boolean'),
                                    '' + requireType('quote_keys', quote_keys, 'boolean')),
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

}  // namespace

void install_go_std(JsonnetVm& wrapper, const std::string& extra_fields) {
  register_go_std_natives(wrapper.handle());
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
