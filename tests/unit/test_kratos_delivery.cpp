#include <catch2/catch.hpp>
#include <deque>

#include "core/kratos_delivery.hpp"
#include "fakes.hpp"

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
  SECTION("500 three times: rejected after three attempts, the hook fails with 502") {
    ScriptedClient client({status(500), status(500), status(500)});
    const auto d = core::deliver_like_kratos(client, clock, request);
    CHECK(d.outcome == core::DeliveryOutcome::rejected);
    CHECK(d.attempts.size() == 3);
    CHECK(d.kratos_status == 502);
  }
  SECTION("400: one attempt, no retry") {
    ScriptedClient client({status(400)});
    const auto d = core::deliver_like_kratos(client, clock, request);
    CHECK(d.outcome == core::DeliveryOutcome::rejected);
    CHECK(d.attempts.size() == 1);
    CHECK(clock.sleeps.empty());
  }
  SECTION("501 is not retried") {
    ScriptedClient client({status(501)});
    CHECK(core::deliver_like_kratos(client, clock, request).attempts.size() == 1);
  }
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
  SECTION("timeouts: unreachable, the hook fails with 504") {
    ScriptedClient client({no_answer(true), no_answer(true), no_answer(true)});
    const auto d = core::deliver_like_kratos(client, clock, request);
    CHECK(d.outcome == core::DeliveryOutcome::unreachable);
    CHECK(d.kratos_status == 504);
    CHECK(d.attempts.size() == 3);
  }
  SECTION("connection refused then success") {
    ScriptedClient client({no_answer(false), status(204)});
    CHECK(core::deliver_like_kratos(client, clock, request).outcome ==
          core::DeliveryOutcome::accepted);
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
