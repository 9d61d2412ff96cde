// go-jsonnet v0.21 std functions that libjsonnet 0.18 lacks. Expected values follow
// go-jsonnet's definitions (its std.jsonnet, or the Go builtins that replace them).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engine/go_std.hpp"
#include "engine/transform.hpp"

namespace {

using nlohmann::json;

// Evaluates `expr` as the body of a template and returns the manifested value.
json eval(const std::string& expr) {
  const auto e = core::evaluate_template("function(ctx) " + expr + "\n", "t.jsonnet", "{}");
  INFO(expr << " -> " << e.error.message);
  REQUIRE(e.status == core::EvalStatus::ok);
  return json::parse(e.body);
}

std::string eval_error(const std::string& expr) {
  const auto e = core::evaluate_template("function(ctx) " + expr + "\n", "t.jsonnet", "{}");
  REQUIRE(e.status == core::EvalStatus::failed);
  return e.error.message;
}

}  // namespace

// tests/reference/test_go_std_reference.cpp checks std's names against go-jsonnet itself.
TEST_CASE("go_std: the 35 functions it adds to libjsonnet 0.18's std are there") {
  std::size_t count = 0;
  const char* const* names = core::go_std_function_names(&count);
  CHECK(count == 35);
  std::string fields = "[";
  for (std::size_t i = 0; i < count; ++i)
    fields += std::string(i ? "," : "") + "'" + names[i] + "'";
  fields += "]";
  CHECK(eval("[f for f in " + fields + " if !std.objectHasAll(std, f)]") == json::array());
}

TEST_CASE("go_std: round is Go's math.Round (half away from zero)") {
  CHECK(eval("[std.round(-2.5), std.round(2.5), std.round(-0.4), std.round(1.4999), "
             "std.round(0.49999999999999994), std.round(-3.5)]") ==
        json::parse("[-3, 3, -0.0, 1, 0, -4]"));
  const auto e = core::evaluate_template("function(ctx) std.round(-0.4)", "t", "{}");
  CHECK(e.body == "-0\n");
}

TEST_CASE("go_std: parity predicates use the integral part, as Go does") {
  CHECK(eval("[std.isEven(2.7), std.isEven(-3.5), std.isOdd(-3.5), std.isOdd(3), std.isEven(0)]") ==
        json::parse("[true, false, true, true, true]"));
  CHECK(eval("[std.isInteger(2.0), std.isInteger(2.5), std.isDecimal(-0.5), std.isDecimal(4)]") ==
        json::parse("[true, false, true, false]"));
}

TEST_CASE("go_std: strings") {
  CHECK(eval("std.trim(' \\t\\n\\u00a0\\u2003hi there\\u3000\\u0085\\r')") == "hi there");
  CHECK(eval("std.trim('\\ufeffx')") == "\xef\xbb\xbfx");  // U+FEFF is not white space in Go
  CHECK(eval("std.trim('   ')") == "");
  CHECK(eval("[std.equalsIgnoreCase('ÉCOLE', 'école'), std.equalsIgnoreCase('\\u212a', 'k'), "
             "std.equalsIgnoreCase('Straße', 'STRASSE'), std.equalsIgnoreCase('a', 'ab')]") ==
        json::parse("[true, true, false, false]"));
  CHECK(eval("[std.isEmpty(''), std.isEmpty('a')]") == json::parse("[true, false]"));
  CHECK(eval("std.escapeStringXML('<a href=\\'x\\'>&\"</a>')") ==
        "&lt;a href=&apos;x&apos;&gt;&amp;&quot;&lt;/a&gt;");
  CHECK(eval("[std.splitLimitR('a.b.c', '.', 1), std.splitLimitR('a..b', '.', -1), "
             "std.splitLimitR('aaa', 'aa', 1), std.splitLimitR('abc', '.', 3)]") ==
        json::parse(R"([["a.b","c"],["a","","b"],["a",""],["abc"]])"));
  CHECK(eval_error("std.splitLimitR('a', '', 1)") ==
        "std.splitLimitR second parameter should have length 1 or greater, got 0");
  CHECK(eval_error("std.splitLimitR('a', '.', -2)") ==
        "std.splitLimitR third parameter should be -1 or non-negative, got -2");
}

TEST_CASE("go_std: hashes are lowercase hex of the UTF-8 bytes, sha3 is SHA3-512") {
  CHECK(eval("std.sha256('')") ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(eval("std.sha256('é')") ==
        "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c");
  CHECK(eval("std.sha1('abc')") == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(
      eval("std.sha512('abc')") ==
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fe"
      "ebbd454d4423643ce80e2a9ac94fa54ca49f");
  CHECK(
      eval("std.sha3('abc')") ==
      "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3"
      "934057340b4cf408d5a56592f8274eec53f0");
  CHECK(eval_error("std.sha256(1)") == "Unexpected type number, expected string");
}

TEST_CASE("go_std: numbers") {
  const auto e = core::evaluate_template(
      "function(ctx) [std.atan2(1, 1), std.hypot(3, 4), std.deg2rad(90), "
      "std.rad2deg(std.deg2rad(180)), "
      "std.log2(8), std.log10(1000), std.sum([1, 2, 3.5]), std.avg([1, 2]), std.sum([])]",
      "t", "{}");
  REQUIRE(e.status == core::EvalStatus::ok);
  // log10 is log(x)/log(10) in go-jsonnet, hence 2.9999999999999996.
  CHECK(e.body ==
        "[\n   0.78539816339744828,\n   5,\n   1.5707963267948966,\n   180,\n   3,\n"
        "   2.9999999999999996,\n   6.5,\n   1.5,\n   0\n]\n");
  CHECK(eval_error("std.avg([])") == "Cannot calculate average of an empty array.");
  CHECK(eval_error("std.sum([1, 'a'])") == "Unexpected type string, expected number");
}

TEST_CASE("go_std: arrays and objects") {
  CHECK(eval("[std.all([]), std.any([]), std.all([true, true]), std.any([false, true])]") ==
        json::parse("[true, false, true, true]"));
  CHECK(eval_error("std.all([true, 1])") == "element \"1\" of type number is not a boolean");
  CHECK(eval("[std.contains([1, [2], {a: 1}], {a: 1}), std.contains([1], 2)]") ==
        json::parse("[true, false]"));
  CHECK(eval("[std.remove([1, 2, 1], 1), std.remove([1], 5), std.removeAt([1, 2, 3], 1)]") ==
        json::parse("[[2, 1], [1], [1, 3]]"));
  CHECK(eval("[std.minArray([3, 1, 2]), std.maxArray(['b', 'a']), std.minArray([], onEmpty=null), "
             "std.minArray([{v: 2}, {v: 1}], function(x) x.v), std.maxArray([1, 3, 3])]") ==
        json::parse(R"([1, "b", null, {"v": 1}, 3])"));
  CHECK(eval_error("std.maxArray([])") == "Expected at least one element in array. Got none");
  CHECK(eval("[std.xor(true, false), std.xnor(true, false), std.xor(true, true)]") ==
        json::parse("[true, false, false]"));
  CHECK(eval("std.objectKeysValues({b: 1, a: 2, h:: 3})") ==
        json::parse(R"([{"key":"a","value":2},{"key":"b","value":1}])"));
  CHECK(eval("std.length(std.objectKeysValuesAll({b: 1, h:: 3}))") == 2);
  CHECK(eval("std.objectRemoveKey({a: 1, b: 2}, 'a')") == json::parse(R"({"b": 2})"));
  CHECK(eval("[std.flattenDeepArray([1, [2, [3, []]]]), std.flattenDeepArray(5)]") ==
        json::parse("[[1, 2, 3], [5]]"));
}

TEST_CASE(
    "go_std: std functions libjsonnet 0.18 has with other semantics, as go-jsonnet has them") {
  CHECK(
      eval("[\"abcdef\"[-3:], [1,2,3][:-1], [1,2,3][-10:-1:2], std.split(\"a::b::c\", \"::\"), "
           "std.splitLimit(\"a::b::c\", \"::\", 1), std.base64(\"é\"), std.base64([0, 255]), "
           "std.exp(x=0), std.log(x=1), std.md5(s=\"a\"), std.removeAt(arr=[1,2,3], i=1), "
           "std.makeArray(func=function(i) i * 2, sz=3), std.id(7), "
           "std.objectHasEx(obj={a:: 1}, fname=\"a\", hidden=true), "
           "std.manifestJsonMinified({a: 0.1}), std.stripChars(\"xxaxx\", \"x\")]") ==
      json::parse(R"(["def",[1,2],[1],["a","b","c"],["a","b::c"],"w6k=","AP8=",1,0,)"
                  R"("0cc175b9c0f1b6a831c399e269772661",[1,3],[0,2,4],7,true,"{\"a\":0.1}","a"])"));
  CHECK(eval_error("std.substr(\"abc\", 1.5, 1)") ==
        "substr second parameter should be an integer, got 1.500000");
  CHECK(eval_error("std.makeArray(2.5, function(i) i)") == "Expected an integer, but got 2.5");
  CHECK(eval_error("std.base64(\"λ\")") ==
        "base64 encountered invalid codepoint value in the array (must be 0 <= X <= 255), got "
        "955");
  CHECK(eval_error("std.base64([256])") ==
        "base64 encountered invalid codepoint value in the array (must be 0 <= X <= 255), got "
        "256");
  CHECK(eval_error("\"abc\"[::0]") == "got 0 but step must be greater than 0");
  CHECK(eval_error("\"abc\"[::-1]") == "got [0:3:-1] but negative steps are not supported");
}

TEST_CASE("go_std: stripChars takes runes from both ends, of strings and arrays of them") {
  CHECK(eval("[std.stripChars(std.join('', ['ab' for i in std.range(1, 1000)]) + 'c' + 'ba', "
             "'ab'), std.lstripChars('λλx', 'λ'), std.rstripChars('xλλ', ['λ']), "
             "std.stripChars('', 'a'), std.stripChars('aaa', 'a')]") ==
        json::parse(R"(["c", "x", "x", "", ""])"));
}

TEST_CASE("go_std: strings holding NUL bytes, which native callbacks cannot see past") {
  // sha256("a\0b"), as Go computes it over the three bytes.
  CHECK(eval("std.sha256('a\\u0000b')") ==
        "59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138");
  CHECK(eval("std.sha256('ab')") !=
        eval("std.sha256('a\\u0000b')"));  // not the hash of the part before the NUL
  CHECK(eval("std.trim('\\u0000 a \\u0000')") == std::string("\0 a \0", 5));
  CHECK(eval("std.trim(' a\\u0000 ')") == std::string("a\0", 2));
  CHECK(eval("std.stripChars('\\u0000a\\u0000', '\\u0000')") == "a");
  CHECK(eval("std.stripChars(' a\\u0000 ', ' ')") == std::string("a\0", 2));
  CHECK(eval("std.equalsIgnoreCase('A\\u0000b', 'a\\u0000B')") == true);
  CHECK(eval("std.equalsIgnoreCase('A\\u0000b', 'a\\u0001B')") == false);
  CHECK(eval("std.equalsIgnoreCase('a\\u0000', 'a')") == false);
}

TEST_CASE("go_std: equalsIgnoreCase is Go's strings.EqualFold") {
  CHECK(eval("std.equalsIgnoreCase('\\u0130', 'i')") == false);  // İ has no simple folding
  CHECK(eval("std.equalsIgnoreCase('\\u0131', 'I')") == false);  // nor has ı
  CHECK(eval("std.equalsIgnoreCase('\\u212a', 'k')") == true);   // the Kelvin sign folds to k
  CHECK(eval("std.equalsIgnoreCase('Straße', 'STRASSE')") == false);
  CHECK(eval("std.equalsIgnoreCase('ÉCOLE', 'école')") == true);
}

TEST_CASE("go_std: parseInt is Go's strconv.ParseInt") {
  CHECK(eval("std.parseInt('+5')") == 5);
  CHECK(eval("std.parseInt('-0')").dump() == "0");  // float64(int64(0)): not -0
  CHECK(eval("std.parseInt('007')") == 7);
  CHECK(eval("std.parseInt(str='-9223372036854775808')") == -9223372036854775808.0);
  CHECK_FALSE(eval_error("std.parseInt('5\\u00006')").empty());  // not 5: the NUL is seen
  for (const char* bad : {"9223372036854775808", " 5", "", "-", "1_0", "0x10"}) {
    CAPTURE(bad);
    CHECK(eval_error(std::string("std.parseInt('") + bad + "')").find("is not a base 10 integer") !=
          std::string::npos);
  }
}

TEST_CASE("go_std: parseJson fails as go-jsonnet does, never ending the evaluation") {
  // A number beyond a double's range ended libjsonnet's evaluation ("please report this").
  CHECK(eval_error(R"(std.parseJson('{"a": 1e999}'))")
            .find("failed to parse JSON: json: cannot unmarshal number 1e999 into Go value of "
                  "type float64") != std::string::npos);
  // A syntax error: its place and reason, not the text read.
  const std::string syntax = eval_error("std.parseJson('{bad')");
  CHECK(syntax.find("failed to parse JSON: parse error at line 1, column 2") != std::string::npos);
  CHECK(syntax.find("last read") == std::string::npos);
  // What parses is libjsonnet's parse, as before.
  CHECK(eval(R"(std.parseJson('[1, 2.50, "\u00e9", null, {"b": 1, "a": 2}]'))") ==
        json::parse(R"([1, 2.5, "é", null, {"a": 2, "b": 1}])"));
  CHECK(eval_error("std.parseJson(5)").find("Unexpected type number, expected string") !=
        std::string::npos);
}
