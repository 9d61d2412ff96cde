#include <catch2/catch.hpp>

#include "util/json_pointer.hpp"
#include "util/text.hpp"
#include "util/url.hpp"

TEST_CASE("text: find_invalid_utf8") {
  CHECK_FALSE(util::find_invalid_utf8("plain ascii").has_value());
  CHECK_FALSE(util::find_invalid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80").has_value());
  CHECK(util::find_invalid_utf8("ab\xff").value() == 2);
  CHECK(util::find_invalid_utf8("\xc3").value() == 0);              // truncated
  CHECK(util::find_invalid_utf8("x\xc0\xaf").value() == 1);         // overlong
  CHECK(util::find_invalid_utf8("\xed\xa0\x80").value() == 0);      // surrogate
  CHECK(util::find_invalid_utf8("\xf4\x90\x80\x80").value() == 0);  // > U+10FFFF
}

TEST_CASE("text: line_col_at counts 1-based lines and byte columns") {
  const std::string text = "ab\ncd\n\nefg";
  CHECK(util::line_col_at(text, 0).line == 1);
  CHECK(util::line_col_at(text, 4).line == 2);
  CHECK(util::line_col_at(text, 4).column == 2);
  CHECK(util::line_col_at(text, 7).line == 4);
  CHECK(util::line_col_at(text, 7).column == 1);
}

TEST_CASE("text: closest_match suggests likely typos only") {
  const std::vector<std::string> calls = {"identify", "track", "page", "screen", "group", "alias"};
  CHECK(util::closest_match("identfy", calls).value() == "identify");
  CHECK(util::closest_match("Track", calls).value() == "track");
  CHECK_FALSE(util::closest_match("purchase", calls).has_value());
}

TEST_CASE("text: replace_chars replaces each listed character, once") {
  CHECK(util::replace_chars("a~b/c~", {{'~', "~0"}, {'/', "~1"}}) == "a~0b~1c~0");
  // A replacement's text is not replaced again.
  CHECK(util::replace_chars("~/", {{'~', "/"}, {'/', "~1"}}) == "/~1");
  CHECK(util::replace_chars("plain", {{'x', "y"}}) == "plain");
  CHECK(util::replace_chars("", {{'x', "y"}}).empty());
}

TEST_CASE("json_pointer: tokens are escaped per RFC 6901") {
  CHECK(util::escape_pointer_token("a/b~c") == "a~1b~0c");
  CHECK(util::escape_pointer_token("hooks") == "hooks");
}

TEST_CASE("url: parse_url and is_loopback_host") {
  std::string err;
  auto u = util::parse_url("HTTPS://user@api.segment.io:443/v1/identify?x=1#f", &err);
  REQUIRE(u);
  CHECK(u->scheme == "https");
  CHECK(u->host == "api.segment.io");
  CHECK(u->port == "443");
  CHECK(u->path == "/v1/identify");
  CHECK(u->query == "x=1");
  u = util::parse_url("http://[::1]:8765/v1/batch", &err);
  REQUIRE(u);
  CHECK(u->host == "::1");
  CHECK(u->port == "8765");
  CHECK_FALSE(util::parse_url("api.segment.io/v1/identify", &err));
  CHECK(err == "is not an absolute URL (expected scheme://host/...)");
  CHECK_FALSE(util::parse_url("https:///v1", &err));
  CHECK(err == "has no host");
  CHECK_FALSE(util::parse_url("https://a b/", &err));
  CHECK_FALSE(util::parse_url("https://host:99999/", &err));
  CHECK(util::is_loopback_host("localhost"));
  CHECK(util::is_loopback_host("127.0.0.1"));
  CHECK(util::is_loopback_host("127.1.2.3"));
  CHECK(util::is_loopback_host("::1"));
  CHECK_FALSE(util::is_loopback_host("127.0.0.1.example.com"));
  CHECK_FALSE(util::is_loopback_host("10.0.0.1"));
}

TEST_CASE("url: resolve_url resolves a Location as RFC 3986 says") {
  std::string err;
  const std::string base = "http://127.0.0.1:8080/v1/identify?x=1";
  const auto r = [&](const std::string& ref) {
    return util::resolve_url(base, ref, &err).value_or("<none>");
  };
  CHECK(r("https://api.segment.io/v1/identify") == "https://api.segment.io/v1/identify");
  CHECK(r("//other.test/p") == "http://other.test/p");
  CHECK(r("/v1/track") == "http://127.0.0.1:8080/v1/track");
  CHECK(r("track") == "http://127.0.0.1:8080/v1/track");
  CHECK(r("../v2/identify") == "http://127.0.0.1:8080/v2/identify");
  CHECK(r("./a/./b/../c") == "http://127.0.0.1:8080/v1/a/c");
  CHECK(r("?y=2") == "http://127.0.0.1:8080/v1/identify?y=2");
  CHECK(r("") == base);
  CHECK(r("/p#frag") == "http://127.0.0.1:8080/p");
  CHECK(util::resolve_url("http://[::1]:9/a/b", "c", &err) == "http://[::1]:9/a/c");
  CHECK_FALSE(util::resolve_url(base, "http://", &err));
  CHECK_FALSE(util::resolve_url(base, "/a b", &err));
}

TEST_CASE("text: code_points counts characters, not bytes") {
  CHECK(util::code_points("") == 0);
  CHECK(util::code_points("abc") == 3);
  CHECK(util::code_points("\xc3\xa9t\xc3\xa9") == 3);     // été
  CHECK(util::code_points("\xf0\x9f\x98\x80!") == 2);     // an emoji, then '!'
  CHECK(util::code_points(std::string("a\0b", 3)) == 3);  // NUL is a character
}

TEST_CASE("url: passwords in URLs are redacted from messages") {
  CHECK(util::redact_url_passwords("url 'http://user:pa55@h.example/x' is bad") ==
        "url 'http://user:***@h.example/x' is bad");
  CHECK(util::redact_url_passwords("https://u:p@a/ and https://v:q:r@b:8080?x") ==
        "https://u:***@a/ and https://v:***@b:8080?x");
  CHECK(util::redact_url_passwords("http://user@h/ keeps a user without a password") ==
        "http://user@h/ keeps a user without a password");
  CHECK(util::redact_url_passwords("no url: a@b, c://") == "no url: a@b, c://");
  CHECK(util::redact_url_passwords("http://h/path@x:y") == "http://h/path@x:y");
  CHECK(util::redact_url_passwords("http://a:b@c:d@h/") == "http://a:***@h/");
  CHECK(util::redact_secrets("Basic S3Y= at http://u:p@h/S3Y=/S3Y=", "S3Y=") ==
        "Basic <redacted> at http://u:***@h/<redacted>/<redacted>");
  CHECK(util::redact_secrets("nothing secret", "") == "nothing secret");
}

TEST_CASE("url: read as libcurl reads it, so the host checked is the host connected to") {
  std::string err;
  for (const auto& [text, host] : std::vector<std::pair<std::string, std::string>>{
           {"http://10.0.0.1\\@127.0.0.1/", "127.0.0.1"},
           {"http://127.1/v1/batch", "127.0.0.1"},
           {"http://user:pw@h.example:8080/x?y", "h.example"},
           {"http://[::1]:8765/v1", "::1"}}) {
    CAPTURE(text);
    const auto u = util::parse_url(text, &err);
    REQUIRE(u);
    CHECK(u->host == host);
  }
  CHECK_FALSE(util::parse_url("http://127.0.0.1:0/v1/batch", &err));
  CHECK(err == "has an invalid port (0)");
  CHECK_FALSE(util::parse_url("http://user@/x", &err));
  CHECK(err == "has no host");
  const auto u = util::parse_url("http://h/prefix/v1/batch?x=1", &err);
  REQUIRE(u);
  CHECK(u->path == "/prefix/v1/batch");
  CHECK(u->query == "x=1");
}

TEST_CASE("counted: the noun agrees with the number") {
  CHECK(util::counted(1, "request") == "1 request");
  CHECK(util::counted(0, "request") == "0 requests");
  CHECK(util::counted(1200, "retry") == "1,200 retries");
  CHECK(util::counted(1, "retry") == "1 retry");
  CHECK(util::counted(2, "day") == "2 days");
}

TEST_CASE("escape_controls leaves no control character a terminal would act on") {
  CHECK(util::escape_controls("plain, ünïcode: 名前") == "plain, ünïcode: 名前");
  CHECK(util::escape_controls("a\nb\rc\td") == "a\\nb\\rc\\td");
  CHECK(util::escape_controls("\x1b[2J\x7f") == "\\x1b[2J\\x7f");
  // C1 controls in UTF-8 (CSI is U+009B); U+00A0 and above are text.
  CHECK(util::escape_controls("\xc2\x9b"
                              "31m \xc2\x85 \xc2\xa0") == "\\u009b31m \\u0085 \xc2\xa0");
  CHECK(util::escape_controls("a\xc2") == "a\xc2");  // a cut sequence at the end: no C1
}
