#include <catch2/catch.hpp>

#include "segment/segment_endpoint.hpp"
#include "util/base64.hpp"
#include "util/gzip.hpp"

namespace {

std::string basic(const std::string& key) { return "Basic " + util::base64_encode(key + ":"); }

}  // namespace

TEST_CASE("segment_endpoint: routes, methods and auth") {
  auto r = core::handle_tracking_request("", "POST", "/v1/identify", "", R"({"userId":"u"})");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"success":true})");
  REQUIRE(r.messages.size() == 1);
  CHECK_FALSE(r.messages[0].dropped);
  CHECK(core::handle_tracking_request("", "GET", "/v1/identify", "", "{}").status == 405);
  CHECK(core::handle_tracking_request("", "POST", "/v2/identify", "", "{}").status == 404);
  CHECK(core::handle_tracking_request("", "POST", "/v1/purchase", "", "{}").status == 404);
  CHECK(core::handle_tracking_request("k", "POST", "/v1/identify", basic("k"), R"({"userId":"u"})")
            .status == 200);
  // Segment answers 200 to a wrong or missing key and drops the data.
  r = core::handle_tracking_request("k", "POST", "/v1/identify", basic("x"), R"({"userId":"u"})");
  CHECK(r.status == 200);
  REQUIRE(r.messages.size() == 1);
  CHECK(r.messages[0].dropped);
  CHECK(r.messages[0].reason == "unknown write key (Segment answers 200 and drops the data)");
  r = core::handle_tracking_request("k", "POST", "/v1/identify", "Bearer k", R"({"userId":"u"})");
  CHECK(r.status == 200);
  CHECK(r.messages[0].reason == "no write key (Segment answers 200 and drops the data)");
  // Invalid JSON still gets 400 before the key matters.
  CHECK(core::handle_tracking_request("k", "POST", "/v1/identify", basic("x"), "{").status == 400);
  core::EndpointOptions strict;
  strict.strict_auth = true;
  r = core::handle_tracking_request("k", "POST", "/v1/identify", basic("x"), R"({"userId":"u"})",
                                    strict);
  CHECK(r.status == 401);
  CHECK(r.messages.empty());
  CHECK(core::handle_tracking_request("k", "POST", "/v1/identify", "Bearer k", R"({"userId":"u"})",
                                      strict)
            .status == 401);
  CHECK(core::handle_tracking_request("k", "POST", "/v1/identify", "",
                                      R"({"userId":"u","writeKey":"k"})")
            .status == 200);
}

TEST_CASE("segment_endpoint: gzip bodies") {
  core::EndpointOptions gz;
  gz.content_encoding = "gzip";
  auto r = core::handle_tracking_request("", "POST", "/v1/identify", "",
                                         util::gzip(R"({"userId":"u"})"), gz);
  CHECK(r.status == 200);
  REQUIRE(r.messages.size() == 1);
  CHECK(r.messages[0].message["userId"] == "u");
  // Two gzip members in a row read as one body, as Go's gzip reader reads them.
  r = core::handle_tracking_request("", "POST", "/v1/identify", "",
                                    util::gzip(R"({"userId":)") + util::gzip(R"("v"})"), gz);
  CHECK(r.status == 200);
  const std::string whole = util::gzip(R"({"userId":"u"})");
  CHECK(core::handle_tracking_request("", "POST", "/v1/identify", "",
                                      whole.substr(0, whole.size() - 4), gz)
            .status == 400);
  gz.content_encoding = "deflate";
  CHECK(core::handle_tracking_request("", "POST", "/v1/identify", "", whole, gz).status == 400);
  gz.content_encoding = "identity";
  CHECK(core::handle_tracking_request("", "POST", "/v1/identify", "", R"({"userId":"u"})", gz)
            .status == 200);
}

TEST_CASE("segment_endpoint: what the fuzzer found stays fixed") {
  // Invalid UTF-8 inside a string: 400 with the bytes replaced, not an exception.
  auto r = core::handle_tracking_request("", "POST", "/v1/batch", "",
                                         "{\"batch\":[{\"type\":\"track\",\"userId\":\"\xe2\"}]}");
  CHECK(r.status == 400);
  CHECK(r.body.find("invalid JSON") != std::string::npos);
  // A number no double can hold: 400, not an uncaught out_of_range.
  r = core::handle_tracking_request("", "POST", "/v1/page", "", "44e444e'");
  CHECK(r.status == 400);
}

TEST_CASE("segment_endpoint: batches") {
  auto r = core::handle_tracking_request(
      "", "POST", "/v1/batch", "",
      R"({"batch":[{"type":"identify","userId":"u"},{"type":"track","userId":"u"},{"userId":"v"},{"type":"purchase","userId":"w"}],"context":{"ip":"1.2.3.4"}})");
  REQUIRE(r.status == 200);
  REQUIRE(r.messages.size() == 4);
  CHECK_FALSE(r.messages[0].dropped);
  CHECK(r.messages[0].message["context"]["ip"] == "1.2.3.4");
  CHECK(r.messages[1].reason == "no 'event': track needs the event name");
  CHECK(r.messages[2].reason == "no 'type'");
  CHECK(r.messages[3].reason == "unknown message type 'purchase'");
  CHECK(core::handle_tracking_request("", "POST", "/v1/batch", "", R"({"batch":{}})").status ==
        400);
}
