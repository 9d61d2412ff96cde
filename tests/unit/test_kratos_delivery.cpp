#include <catch2/catch.hpp>
#include <deque>

#include "fakes.hpp"
#include "kratos/kratos_delivery.hpp"

namespace {

using test::FakeClock;
using test::ScriptedClient;

io::HttpResponse status(int code, const std::string& retry_after = "") {
  io::HttpResponse r;
  r.status = code;
  if (!retry_after.empty()) r.headers.emplace_back("retry-after", retry_after);
  return r;
}

io::HttpResponse no_answer(bool timed_out) {
  io::HttpResponse r;
  r.error = timed_out ? "Operation timed out" : "Connection refused";
  r.timed_out = timed_out;
  return r;
}

// A redirect with `code` to `location` (none when "").
io::HttpResponse redirect(int code, const std::string& location) {
  io::HttpResponse r = status(code);
  if (!location.empty()) r.headers.emplace_back("location", location);
  return r;
}

// A POST with a body and basic auth: what a redirect may drop.
io::HttpRequest posted_with_credentials() {
  io::HttpRequest request;
  request.method = "POST";
  request.url = "http://127.0.0.1:1/v1/identify";
  request.body = "{}";
  request.headers = {{"Authorization", "Basic a2V5Og=="}, {"Content-Type", "application/json"}};
  return request;
}

}  // namespace

TEST_CASE("kratos_delivery: Kratos's retry policy") {
  FakeClock clock;
  io::HttpRequest request;
  request.url = "http://127.0.0.1:1/v1/identify";

  SECTION("503, 503, 200: three attempts, success, backoff 1 s then 2 s") {
    ScriptedClient client({status(503), status(503), status(200)});
    const auto d = core::deliver_like_kratos(client, clock, request);
    CHECK(d.outcome == core::DeliveryOutcome::accepted);
    CHECK(d.attempts.size() == 3);
    CHECK(clock.sleeps == std::vector<long>{1000, 2000});
    CHECK(client.sent[0].timeout == std::chrono::milliseconds(30000));
  }
  SECTION("500 three times: retries run out, go-retryablehttp gives up and Kratos reports 500") {
    ScriptedClient client({status(500), status(500), status(500)});
    const auto d = core::deliver_like_kratos(client, clock, request);
    CHECK(d.outcome == core::DeliveryOutcome::rejected);
    CHECK(d.attempts.size() == 3);
    CHECK(d.kratos_status == 500);
    CHECK(d.kratos_error == "POST http://127.0.0.1:1/v1/identify giving up after 3 attempt(s)");
  }
  SECTION("400: one attempt, no retry, the hook fails with 502") {
    ScriptedClient client({status(400)});
    const auto d = core::deliver_like_kratos(client, clock, request);
    CHECK(d.outcome == core::DeliveryOutcome::rejected);
    CHECK(d.attempts.size() == 1);
    CHECK(clock.sleeps.empty());
    CHECK(d.kratos_status == 502);
    CHECK(d.kratos_error == "webhook failed with status code 400");
  }
  SECTION("501 is not retried") {
    ScriptedClient client({status(501)});
    CHECK(core::deliver_like_kratos(client, clock, request).attempts.size() == 1);
  }
  SECTION("timeouts: unreachable, the hook fails with 504") {
    ScriptedClient client({no_answer(true), no_answer(true), no_answer(true)});
    const auto d = core::deliver_like_kratos(client, clock, request);
    CHECK(d.outcome == core::DeliveryOutcome::unreachable);
    CHECK(d.kratos_status == 504);
    CHECK(d.attempts.size() == 3);
  }
  SECTION("connection refused three times: 500, giving up with the last error") {
    ScriptedClient client({no_answer(false)});
    const auto d = core::deliver_like_kratos(client, clock, request);
    CHECK(d.outcome == core::DeliveryOutcome::unreachable);
    CHECK(d.kratos_status == 500);
    CHECK(d.kratos_error ==
          "POST http://127.0.0.1:1/v1/identify giving up after 3 attempt(s): Connection refused");
  }
  SECTION("timeouts then a 503: the last attempt decides, 500 not 504") {
    ScriptedClient client({no_answer(true), no_answer(true), status(503)});
    CHECK(core::deliver_like_kratos(client, clock, request).kratos_status == 500);
  }
  SECTION("a certificate that does not verify is not retried") {
    io::HttpResponse r = no_answer(false);
    r.certificate_error = true;
    ScriptedClient client({r});
    const auto d = core::deliver_like_kratos(client, clock, request);
    CHECK(d.attempts.size() == 1);
    CHECK(d.kratos_status == 500);
  }
  SECTION("connection refused then success") {
    ScriptedClient client({no_answer(false), status(204)});
    CHECK(core::deliver_like_kratos(client, clock, request).outcome ==
          core::DeliveryOutcome::accepted);
  }
}

TEST_CASE("kratos_delivery: Kratos's waits between attempts") {
  FakeClock clock;
  io::HttpRequest request;
  request.url = "http://127.0.0.1:1/v1/identify";

  SECTION("429 with Retry-After waits what the server asks") {
    ScriptedClient client({status(429, "7"), status(200)});
    const auto d = core::deliver_like_kratos(client, clock, request);
    CHECK(d.outcome == core::DeliveryOutcome::accepted);
    CHECK(clock.sleeps == std::vector<long>{7000});
    CHECK(d.attempts[1].waited_before == std::chrono::milliseconds(7000));
  }
  SECTION("Retry-After is ignored on other statuses") {
    ScriptedClient client({status(500, "9"), status(200)});
    core::deliver_like_kratos(client, clock, request);
    CHECK(clock.sleeps == std::vector<long>{1000});
  }
  SECTION("429 without Retry-After backs off as usual; a long wait is announced first") {
    std::vector<long> announced;
    core::DeliveryPolicy policy;
    policy.on_wait = [&](std::chrono::milliseconds w, int next, bool from_header) {
      announced.push_back(w.count());
      CHECK(next == static_cast<int>(announced.size()) + 1);
      CHECK(from_header == (w.count() == 120000));
    };
    ScriptedClient client({status(429), status(503, "120"), status(200)});
    core::deliver_like_kratos(client, clock, request, policy);
    CHECK(clock.sleeps == std::vector<long>{1000, 120000});
    CHECK(announced == clock.sleeps);
  }
  SECTION("Retry-After is not capped: an hour is an hour, as in Kratos") {
    ScriptedClient client({status(429, "3600"), status(200)});
    core::deliver_like_kratos(client, clock, request);
    CHECK(clock.sleeps == std::vector<long>{3600000});
  }
  SECTION("Retry-After as an HTTP date") {
    clock.wall = std::chrono::system_clock::from_time_t(784111767);  // Sun, 06 Nov 1994 08:49:27
    ScriptedClient client({status(503, "Sun, 06 Nov 1994 08:49:37 GMT"), status(200)});
    core::deliver_like_kratos(client, clock, request);
    CHECK(clock.sleeps == std::vector<long>{10000});
  }
  SECTION("backoff doubles and is capped at 30 s") {
    core::DeliveryPolicy policy;
    policy.max_attempts = 7;
    ScriptedClient client({status(502), status(502), status(502), status(502), status(502),
                           status(502), status(502)});
    core::deliver_like_kratos(client, clock, request, policy);
    CHECK(clock.sleeps == std::vector<long>{1000, 2000, 4000, 8000, 16000, 30000});
  }
}

TEST_CASE("kratos_delivery: Retry-After as go-retryablehttp reads it") {
  const auto now = std::chrono::system_clock::from_time_t(784111777);  // 06 Nov 1994 08:49:37
  using ms = std::chrono::milliseconds;
  CHECK(core::parse_retry_after("7", now) == ms(7000));
  CHECK(core::parse_retry_after(" 7 ", now) == ms(7000));
  CHECK(core::parse_retry_after("+7", now) == ms(7000));  // strconv.ParseInt takes a sign
  CHECK(core::parse_retry_after("0", now) == ms(0));
  CHECK_FALSE(core::parse_retry_after("-1", now));  // negative: ignored, usual backoff
  CHECK_FALSE(core::parse_retry_after("1.5", now));
  CHECK_FALSE(core::parse_retry_after("", now));
  CHECK_FALSE(core::parse_retry_after("soon", now));
  CHECK(core::parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now) == ms(60000));
  CHECK(core::parse_retry_after("sun, 06 nov 1994 08:50:37 UTC", now) == ms(60000));
  CHECK(core::parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now) == ms(0));  // past
  CHECK_FALSE(core::parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now));    // RFC 850
  CHECK_FALSE(core::parse_retry_after("Sun Nov  6 08:49:37 1994", now));          // asctime
  CHECK_FALSE(core::parse_retry_after("Sun, 31 Feb 1994 08:49:37 GMT", now));
  CHECK_FALSE(core::parse_retry_after("Sun, 06 Nov 1994 08:49:37 +0000", now));
}

TEST_CASE("kratos_delivery: redirects as Go's client follows them") {
  FakeClock clock;
  const io::HttpRequest request = posted_with_credentials();

  SECTION("301: followed as a GET without the body; what answers it decides") {
    ScriptedClient client({redirect(301, "/v1/other"), status(200)});
    const auto d = core::deliver_like_kratos(client, clock, request);
    CHECK(d.outcome == core::DeliveryOutcome::accepted);
    REQUIRE(client.sent.size() == 2);
    CHECK(client.sent[1].method == "GET");
    CHECK(client.sent[1].url == "http://127.0.0.1:1/v1/other");
    CHECK(client.sent[1].body.empty());
    REQUIRE(d.attempts[0].redirects.size() == 1);
    CHECK(d.attempts[0].redirects[0].body_dropped);
    CHECK_FALSE(d.attempts[0].redirects[0].credentials_dropped);
  }
  SECTION("a 301 to a 404 is a rejection, not a success") {
    ScriptedClient client({redirect(301, "http://127.0.0.1:1/gone"), status(404)});
    const auto d = core::deliver_like_kratos(client, clock, request);
    CHECK(d.outcome == core::DeliveryOutcome::rejected);
    CHECK(d.kratos_status == 502);
  }
  SECTION("302 and 303 also become GET; 307 and 308 keep the method and the body") {
    for (int code : {302, 303}) {
      ScriptedClient client({redirect(code, "/x"), status(200)});
      core::deliver_like_kratos(client, clock, request);
      CHECK(client.sent[1].method == "GET");
    }
    for (int code : {307, 308}) {
      ScriptedClient client({redirect(code, "/x"), status(200)});
      const auto d = core::deliver_like_kratos(client, clock, request);
      CHECK(client.sent[1].method == "POST");
      CHECK(client.sent[1].body == "{}");
      CHECK_FALSE(d.attempts[0].redirects[0].body_dropped);
    }
  }
  SECTION("once a 303 drops the body, a later 307 does not bring it back") {
    ScriptedClient client({redirect(303, "/a"), redirect(307, "/b"), status(200)});
    core::deliver_like_kratos(client, clock, request);
    CHECK(client.sent[2].method == "GET");
    CHECK(client.sent[2].body.empty());
  }
}

TEST_CASE("kratos_delivery: redirects, what they carry and where they stop") {
  FakeClock clock;
  const io::HttpRequest request = posted_with_credentials();

  SECTION("Authorization is dropped on a redirect to another host, kept for a subdomain") {
    ScriptedClient other({redirect(307, "http://example.test/v1/identify"), status(200)});
    const auto d = core::deliver_like_kratos(other, clock, request);
    CHECK(d.attempts[0].redirects[0].credentials_dropped);
    for (const auto& h : other.sent[1].headers) CHECK(h.first != "Authorization");

    io::HttpRequest on_domain = request;
    on_domain.url = "http://segment.test/v1/identify";
    ScriptedClient sub({redirect(307, "http://api.segment.test/v1/identify"), status(200)});
    core::deliver_like_kratos(sub, clock, on_domain);
    bool kept = false;
    for (const auto& h : sub.sent[1].headers) kept = kept || h.first == "Authorization";
    CHECK(kept);
  }
  SECTION("the redirected request carries a Referer, as Go sets it") {
    ScriptedClient client({redirect(307, "/b"), status(200)});
    core::deliver_like_kratos(client, clock, request);
    bool referer = false;
    for (const auto& h : client.sent[1].headers) {
      referer = referer || (h.first == "Referer" && h.second == request.url);
    }
    CHECK(referer);
  }
  SECTION("a 3xx without Location is the answer: Kratos counts it a success") {
    ScriptedClient client({redirect(301, "")});
    const auto d = core::deliver_like_kratos(client, clock, request);
    CHECK(d.outcome == core::DeliveryOutcome::accepted);
    CHECK(d.attempts[0].status == 301);
    CHECK(client.sent.size() == 1);
  }
  SECTION("ten redirects: the 10th stops the attempt, not retried, Kratos reports 500") {
    ScriptedClient client({redirect(302, "/loop")});
    const auto d = core::deliver_like_kratos(client, clock, request);
    CHECK(client.sent.size() == 10);
    CHECK(d.attempts.size() == 1);
    CHECK(d.outcome == core::DeliveryOutcome::unreachable);
    CHECK(d.kratos_status == 500);
    CHECK(d.kratos_error.find("stopped after 10 redirects") != std::string::npos);
  }
  SECTION("nine redirects then an answer are followed") {
    std::deque<io::HttpResponse> replies(9, redirect(307, "/next"));
    replies.push_back(status(200));
    ScriptedClient client(replies);
    CHECK(core::deliver_like_kratos(client, clock, request).outcome ==
          core::DeliveryOutcome::accepted);
  }
  SECTION("a redirect to another scheme is refused and not retried") {
    ScriptedClient client({redirect(302, "ftp://127.0.0.1/x")});
    const auto d = core::deliver_like_kratos(client, clock, request);
    CHECK(d.attempts.size() == 1);
    CHECK(d.kratos_error.find("unsupported protocol scheme \"ftp\"") != std::string::npos);
  }
  SECTION("each attempt follows the chain again; a retried 503 after a redirect") {
    ScriptedClient client({redirect(307, "/b"), status(503), redirect(307, "/b"), status(200)});
    const auto d = core::deliver_like_kratos(client, clock, request);
    CHECK(d.outcome == core::DeliveryOutcome::accepted);
    CHECK(d.attempts.size() == 2);
    CHECK(client.sent.size() == 4);
  }
}
