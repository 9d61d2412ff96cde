#include <catch2/catch.hpp>

#include "segment/segment_message.hpp"

namespace {

std::vector<std::string> check(const std::string& json, core::SegmentCall call) {
  const auto msg = core::Json::parse(json);
  std::vector<std::string> out;
  for (const auto& f : core::validate_message(msg, call, msg.dump().size())) {
    out.push_back(core::to_line(f));
  }
  return out;
}

using Call = core::SegmentCall;

}  // namespace

TEST_CASE("segment_message: ids and required fields per call") {
  CHECK(check(R"({"userId": "u1", "traits": {"email": "a@b.c"}})", Call::identify).empty());
  CHECK(check(R"({"anonymousId": "a1"})", Call::identify).empty());
  CHECK(check(R"({"traits": {}})", Call::identify) ==
        std::vector<std::string>{
            "error: neither 'userId' nor 'anonymousId' is set: every message needs one"});
  CHECK(check(R"({"userId": "  "})", Call::identify).size() == 1);
  CHECK(check(R"({"userId": "u1"})", Call::track) ==
        std::vector<std::string>{"error: no 'event': track needs the event name"});
  CHECK(check(R"({"userId": "u1", "event": ""})", Call::track) ==
        std::vector<std::string>{
            "error: /event: 'event' must be a non-empty string: track needs the event name"});
  CHECK(check(R"({"userId": "u1"})", Call::group) ==
        std::vector<std::string>{"error: no 'groupId': group needs the group's id"});
  CHECK(check(R"({"userId": "new"})", Call::alias) ==
        std::vector<std::string>{"error: no 'previousId': alias needs the old id"});
  CHECK(
      check(R"({"userId": "u", "properties": []})", Call::page) ==
      std::vector<std::string>{"error: /properties: 'properties' must be an object, not an array"});
  CHECK(check(R"([1])", Call::identify) ==
        std::vector<std::string>{"error: the message must be a JSON object, not an array"});
}

TEST_CASE("segment_message: reserved traits, duplicates and unknown fields are warnings") {
  const auto findings = check(
      R"({"userId": "u", "traits": {"age": "42", "createdAt": "yesterday", "firstName": "A",
          "first_name": "A", "address": "Main St", "email": "nope"}, "trait": {}})",
      Call::identify);
  CHECK(findings == std::vector<std::string>{
                        "warning: /traits/address: reserved trait 'address' should be an object, "
                        "not a string (destinations map it by type)",
                        "warning: /traits/age: reserved trait 'age' should be a number, not a "
                        "string (destinations map it by type)",
                        "warning: /traits/createdAt: reserved trait 'createdAt' should be an "
                        "ISO-8601 date string, not a string (destinations map it by type)",
                        "warning: /traits: both 'firstName' and 'first_name': Segment reserves one "
                        "trait under either spelling; send only one",
                        "warning: /traits/email: 'email' does not look like an address",
                        "warning: /trait: unknown top-level field 'trait': Segment ignores it (did "
                        "you mean to put it in traits or properties?)",
                    });
  CHECK(check(R"({"userId": "u", "traits": {"createdAt": "2026-11-02T09:14:51.426375Z"}})",
              Call::identify)
            .empty());
}

TEST_CASE("segment_message: limits, timestamp and messageId") {
  const core::Json big = {{"userId", "u"}, {"traits", {{"blob", std::string(33 * 1024, 'x')}}}};
  const auto findings = core::validate_message(big, Call::identify, big.dump().size());
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].message.find("over Segment's 32 KB limit") != std::string::npos);
  CHECK(check(R"({"userId": "u", "timestamp": "last tuesday"})", Call::identify) ==
        std::vector<std::string>{"error: /timestamp: 'timestamp' must be an ISO-8601 date string"});
  CHECK(check(R"({"userId": "u", "timestamp": "2026-11-02T09:14:51Z"})", Call::identify).empty());
  CHECK(check(R"({"userId": "u", "messageId": ")" + std::string(101, 'm') + R"("})",
              Call::identify) ==
        std::vector<std::string>{
            "error: /messageId: 'messageId' is longer than Segment's 100 characters"});
  // Characters, not bytes: 100 'é' (200 bytes of UTF-8) are within the limit, 101 are not.
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\xc3\xa9";
  CHECK(check(R"({"userId": "u", "messageId": ")" + accents + R"("})", Call::identify).empty());
  CHECK(check(R"({"userId": "u", "messageId": ")" + accents + R"(e"})", Call::identify).size() ==
        1);
  CHECK(core::call_from_path("/v1/track") == Call::track);
  CHECK_FALSE(core::call_from_path("/hooks/segment"));
}
