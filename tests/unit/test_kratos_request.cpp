#include <catch2/catch.hpp>

#include "kratos/kratos_context.hpp"
#include "kratos/kratos_request.hpp"

namespace {

core::DeployedAction action_with(std::vector<std::pair<std::string, std::string>> headers) {
  core::DeployedAction a;
  a.url = "https://api.segment.io/v1/identify";
  a.method = "POST";
  a.headers = std::move(headers);
  a.auth = {core::ActionAuth::Kind::basic, "Authorization", "Basic a2V5Og=="};
  return a;
}

std::string header(const core::KratosRequest& r, const std::string& name) {
  std::string found = "<absent>";
  for (const auto& [n, v] : r.http.headers) {
    if (n == name) found = found == "<absent>" ? v : found + "|" + v;
  }
  return found;
}

}  // namespace

TEST_CASE("kratos_request: canonical header names, as Go's textproto") {
  CHECK(core::canonical_header_name("x-api-key") == "X-Api-Key");
  CHECK(core::canonical_header_name("CONTENT-TYPE") == "Content-Type");
  CHECK(core::canonical_header_name("user-agent") == "User-Agent");
  CHECK(core::canonical_header_name("x_y") == "X_y");
  CHECK(core::canonical_header_name("bad name") == "bad name");
}

TEST_CASE("kratos_request: the headers Kratos and Go's client send") {
  core::KratosRequest r;
  std::string err;
  SECTION("defaults: JSON, Go's User-Agent and Accept-Encoding, the basic auth, sorted") {
    REQUIRE(core::kratos_request(action_with({}), &r, &err));
    CHECK(r.encoding == core::BodyEncoding::json);
    CHECK(r.http.transparent_gzip);
    const io::Headers expected = {{"Accept-Encoding", "gzip"},
                                  {"Authorization", "Basic a2V5Og=="},
                                  {"Content-Type", "application/json"},
                                  {"User-Agent", "Go-http-client/1.1"}};
    CHECK(r.http.headers == expected);
    CHECK(r.http.method == "POST");
  }
  SECTION("a Content-Type in any case is used once, never two") {
    REQUIRE(core::kratos_request(action_with({{"content-type", "application/json"}}), &r, &err));
    CHECK(header(r, "Content-Type") == "application/json");
  }
  SECTION("an empty Content-Type is replaced by application/json") {
    REQUIRE(core::kratos_request(action_with({{"Content-Type", ""}}), &r, &err));
    CHECK(header(r, "Content-Type") == "application/json");
  }
  SECTION("a form Content-Type selects the URL-encoded body") {
    REQUIRE(core::kratos_request(
        action_with({{"Content-Type", "application/x-www-form-urlencoded"}}), &r, &err));
    CHECK(r.encoding == core::BodyEncoding::form);
  }
  SECTION("any other Content-Type fails the hook with Kratos's message") {
    for (const char* type : {"application/json; charset=utf-8", "text/plain", "Application/JSON"}) {
      CHECK_FALSE(core::kratos_request(action_with({{"Content-Type", type}}), &r, &err));
      CHECK(err.find("invalid config - incorrect Content-Type for request with body") == 0);
    }
  }
  SECTION("Content-Type twice in different case is refused: Kratos's pick is random") {
    CHECK_FALSE(core::kratos_request(
        action_with({{"Content-Type", "application/json"}, {"content-type", "text/plain"}}), &r,
        &err));
    CHECK(err.find("Content-Type twice") != std::string::npos);
  }
  SECTION("a configured User-Agent or Accept-Encoding is kept, Go adds nothing") {
    REQUIRE(core::kratos_request(
        action_with({{"user-agent", "ory"}, {"accept-encoding", "identity"}}), &r, &err));
    CHECK(header(r, "User-Agent") == "ory");
    CHECK(header(r, "Accept-Encoding") == "identity");
    CHECK_FALSE(r.http.transparent_gzip);
  }
  SECTION("basic_auth replaces a configured Authorization") {
    REQUIRE(core::kratos_request(action_with({{"authorization", "Bearer x"}}), &r, &err));
    CHECK(header(r, "Authorization") == "Basic a2V5Og==");
  }
  SECTION("an api_key cookie joins the configured Cookie header") {
    core::DeployedAction a = action_with({{"Cookie", "a=1"}});
    a.auth = {core::ActionAuth::Kind::api_key_cookie, "key", "v"};
    REQUIRE(core::kratos_request(a, &r, &err));
    CHECK(header(r, "Cookie") == "a=1; key=v");
  }
  SECTION("an api_key header is sent under its canonical name") {
    core::DeployedAction a = action_with({});
    a.auth = {core::ActionAuth::Kind::api_key_header, "x-write-key", "v"};
    REQUIRE(core::kratos_request(a, &r, &err));
    CHECK(header(r, "X-Write-Key") == "v");
  }
}

TEST_CASE("kratos_request: the body for each encoding") {
  std::string body, err;
  REQUIRE(core::kratos_body(core::BodyEncoding::json, "{\n   \"a\": 1\n}\n", &body, &err));
  CHECK(body == "{\n   \"a\": 1\n}\n");
  REQUIRE(core::kratos_body(core::BodyEncoding::form,
                            R"({"b": "x y&z", "a": "é", "n": null, "~k": "-_.~"})", &body, &err));
  CHECK(body == "a=%C3%A9&b=x+y%26z&n=&~k=-_.~");
  CHECK_FALSE(core::kratos_body(core::BodyEncoding::form, R"({"a": 1})", &body, &err));
  CHECK(err.find("json: cannot unmarshal number into Go value of type string") == 0);
  CHECK_FALSE(core::kratos_body(core::BodyEncoding::form, R"(["a"])", &body, &err));
  CHECK(err.find("cannot unmarshal array into Go value of type map[string]string") !=
        std::string::npos);
  CHECK(core::form_encode({{"userId", "u 1"}, {"event", "Signed Up"}}) ==
        "event=Signed+Up&userId=u+1");
}
