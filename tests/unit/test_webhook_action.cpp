#include <catch2/catch.hpp>

#include "kratos/webhook_action.hpp"
#include "segment/segment_api.hpp"

namespace {

core::ActionSpec valid_spec() {
  core::ActionSpec spec;
  spec.url = "https://api.segment.io/v1/identify";
  spec.body = "base64://ZnVuY3Rpb24oY3R4KSB7fQo=";
  spec.write_key = "KEY";
  return spec;
}

// What validate says is wrong; "" when it accepts the spec.
std::string problem(const core::ActionSpec& spec, core::InsecureUrl insecure) {
  std::string err;
  return core::validate(spec, insecure, &err) ? std::string() : err;
}

}  // namespace

TEST_CASE("segment_api: URLs per call and region") {
  CHECK(core::segment_url(core::SegmentRegion::us, core::SegmentCall::identify) ==
        "https://api.segment.io/v1/identify");
  CHECK(core::segment_url(core::SegmentRegion::eu, core::SegmentCall::track) ==
        "https://events.eu1.segmentapis.com/v1/track");
  CHECK_FALSE(core::parse_segment_call("batch"));
  CHECK(core::parse_segment_call("alias") == core::SegmentCall::alias);
}

TEST_CASE("webhook_action: build_action has the docs' shape") {
  core::ActionSpec spec = valid_spec();
  const auto action = core::build_action(spec);
  CHECK(action == core::Json::parse(R"({"hook":"web_hook","config":{
      "auth":{"type":"basic_auth","config":{"user":"KEY","password":""}},
      "url":"https://api.segment.io/v1/identify","method":"POST",
      "body":"base64://ZnVuY3Rpb24oY3R4KSB7fQo="}})"));
  spec.id = "segment";
  spec.headers = {{"X-Source", "ory"}};
  spec.ignore_response = true;
  spec.emit_analytics_event = false;
  const auto full = core::build_action(spec);
  CHECK(full["config"]["id"] == "segment");
  CHECK(full["config"]["headers"]["X-Source"] == "ory");
  CHECK(full["config"]["response"] == core::Json{{"ignore", true}});
  CHECK(full["config"]["emit_analytics_event"] == false);
}

TEST_CASE("webhook_action: validate applies Kratos's schema rules") {
  core::ActionSpec spec = valid_spec();
  CHECK(problem(spec, core::InsecureUrl::refuse).empty());

  SECTION("plain http off the machine needs explicit consent") {
    spec.url = "http://segment.internal/v1/identify";
    CHECK(problem(spec, core::InsecureUrl::refuse) ==
          "url 'http://segment.internal/v1/identify' uses plain http to a host that is not "
          "loopback: the write key would travel in clear; use https:// or pass "
          "--allow-insecure-url");
    CHECK(problem(spec, core::InsecureUrl::allow).empty());
    spec.url = "http://127.0.0.1:8765/v1/identify";
    CHECK(problem(spec, core::InsecureUrl::refuse).empty());
  }
  SECTION("url must be absolute http(s)") {
    spec.url = "ftp://example.com/x";
    CHECK(problem(spec, core::InsecureUrl::refuse) ==
          "url 'ftp://example.com/x' must use http:// or https://");
    spec.url = "/v1/identify";
    CHECK(problem(spec, core::InsecureUrl::refuse).find("not an absolute URL") !=
          std::string::npos);
  }
  SECTION("ignore and parse are exclusive") {
    spec.ignore_response = spec.parse_response = true;
    CHECK(problem(spec, core::InsecureUrl::refuse)
              .rfind("response.ignore and response.parse cannot both be set", 0) == 0);
  }
  SECTION("body schemes") {
    // Kratos reads a bare path as file:// (deprecated); build-action writes the scheme.
    spec.body = "/etc/segment.jsonnet";
    CHECK(problem(spec, core::InsecureUrl::refuse) ==
          "body '/etc/segment.jsonnet' has no scheme: write it as file:///etc/segment.jsonnet "
          "(Kratos still reads a bare path as one, but calls it deprecated)");
    spec.body = "base64://Zm9v\nYmFy";
    CHECK(problem(spec, core::InsecureUrl::refuse) ==
          "body: invalid base64 at offset 13: a line break is not in the standard base64 "
          "alphabet; the body must be one line (GNU base64 wraps at 76 columns): re-encode it "
          "with 'ory-segment encode'");
    spec.body = "file:///etc/config/kratos/segment.jsonnet";
    CHECK(problem(spec, core::InsecureUrl::refuse).empty());
  }
  SECTION("headers and method") {
    spec.headers = {{"Bad Name", "x"}};
    CHECK(problem(spec, core::InsecureUrl::refuse) ==
          "header name 'Bad Name' is not a valid token");
    spec.headers = {{"X-Ok", "a\r\nInjected: 1"}};
    CHECK(problem(spec, core::InsecureUrl::refuse) ==
          "header 'X-Ok' has a line break or NUL in its value");
    spec.headers.clear();
    spec.method = "PO ST";
    CHECK(problem(spec, core::InsecureUrl::refuse) == "method 'PO ST' is not a valid HTTP method");
  }
  SECTION("the key is never echoed") {
    spec.write_key = "SECRET\nKEY";
    const std::string said = problem(spec, core::InsecureUrl::refuse);
    CHECK_FALSE(said.empty());
    CHECK(said.find("SECRET") == std::string::npos);
  }
}

TEST_CASE("webhook_action: find_web_hooks walks configs in document order") {
  const auto config = core::Json::parse(R"({"selfservice":{"flows":{
      "registration":{"after":{"password":{"hooks":[{"hook":"session"},
         {"hook":"web_hook","config":{"url":"https://a","method":"POST"}}]}}},
      "login":{"after":{"hooks":[{"hook":"web_hook","config":{}}]}},
      "we/ird~key":{"hooks":[{"hook":"web_hook"}]}}}})");
  const auto hooks = core::find_web_hooks(config);
  REQUIRE(hooks.size() == 3);
  CHECK(hooks[0].pointer == "/selfservice/flows/registration/after/password/hooks/1");
  CHECK(hooks[1].pointer == "/selfservice/flows/login/after/hooks/0");
  CHECK(hooks[2].pointer == "/selfservice/flows/we~1ird~0key/hooks/0");
  CHECK(core::find_web_hooks(core::Json{{"hook", "web_hook"}})[0].pointer.empty());
}
