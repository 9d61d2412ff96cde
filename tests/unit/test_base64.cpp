#include <catch2/catch.hpp>

#include "util/base64.hpp"

TEST_CASE("base64: RFC 4648 section 10 test vectors") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    CAPTURE(plain);
    CHECK(util::base64_encode(plain) == encoded);
    std::string decoded;
    util::Base64Error err;
    REQUIRE(util::base64_decode(encoded, &decoded, &err));
    CHECK(decoded == plain);
  }
}

TEST_CASE("base64: all byte values round-trip on one line with the standard alphabet") {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  const std::string encoded = util::base64_encode(bytes + bytes + "x");
  CHECK(encoded.find('\n') == std::string::npos);
  CHECK(encoded.find('-') == std::string::npos);
  CHECK(encoded.find('_') == std::string::npos);
  CHECK(encoded.find('+') != std::string::npos);
  CHECK(encoded.find('/') != std::string::npos);
  std::string decoded;
  util::Base64Error err;
  REQUIRE(util::base64_decode(encoded, &decoded, &err));
  CHECK(decoded == bytes + bytes + "x");
}

TEST_CASE("base64: strict decoding names the first problem and where it is") {
  std::string out;
  util::Base64Error err;
  SECTION("a line break, as GNU base64 wraps") {
    CHECK_FALSE(util::base64_decode("Zm9v\nYmFy", &out, &err));
    CHECK(err.offset == 4);
    CHECK(err.message == "a line break is not in the standard base64 alphabet");
  }
  SECTION("URL-safe alphabet") {
    CHECK_FALSE(util::base64_decode("ab-_", &out, &err));
    CHECK(err.offset == 2);
    CHECK(err.message ==
          "'-' is not in the standard base64 alphabet (this looks like URL-safe base64)");
  }
  SECTION("missing padding") {
    CHECK_FALSE(util::base64_decode("Zm8", &out, &err));
    CHECK(err.message == "length 3 is not a multiple of 4 (missing '=' padding?)");
  }
  SECTION("padding in the middle") {
    CHECK_FALSE(util::base64_decode("Zg==Zm9v", &out, &err));
    CHECK(err.offset == 2);
    CHECK(err.message == "'=' padding in the middle of the data");
  }
  SECTION("too much padding") {
    CHECK_FALSE(util::base64_decode("Z===", &out, &err));
    CHECK(err.message == "too much '=' padding");
  }
  SECTION("a non-ASCII byte") {
    CHECK_FALSE(util::base64_decode("Zm9\xc3\xa9", &out, &err));
    CHECK(err.offset == 3);
    CHECK(err.message == "byte 0xc3 is not in the standard base64 alphabet");
  }
}
