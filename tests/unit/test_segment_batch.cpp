#include <catch2/catch.hpp>
#include <deque>

#include "fakes.hpp"
#include "segment/segment_batch.hpp"

namespace {

using test::FakeClock;
using test::ScriptedClient;

io::HttpResponse status(int code, const std::string& retry_after = "") {
  io::HttpResponse r;
  r.status = code;
  if (!retry_after.empty()) r.headers.emplace_back("retry-after", retry_after);
  if (code == 0) r.error = "Connection refused";
  return r;
}

const std::function<double()> k_no_jitter = [] { return 0.0; };

}  // namespace

TEST_CASE("segment_batch: which statuses Segment's clients retry") {
  for (int s : {0, 408, 410, 429, 460, 500, 502, 503, 504}) {
    CAPTURE(s);
    CHECK(core::segment_client_retries(s));
  }
  for (int s : {400, 401, 403, 404, 413, 501, 505, 511}) {
    CAPTURE(s);
    CHECK_FALSE(core::segment_client_retries(s));
  }
}

TEST_CASE("segment_batch: deliver_batch") {
  FakeClock clock;
  io::HttpRequest req;
  SECTION("400 is never retried") {
    ScriptedClient client({status(400)});
    const auto d = core::deliver_batch(client, clock, k_no_jitter, req, {}, nullptr);
    CHECK_FALSE(d.delivered);
    CHECK(d.attempts == 1);
    CHECK(clock.slept() == 0);
  }
  SECTION("backoff min(0.5 s * 2^n * (1 + jitter), 60 s), up to 10 retries") {
    ScriptedClient client({status(503)});
    const auto d = core::deliver_batch(
        client, clock, [] { return 0.5; }, req, {}, nullptr);
    CHECK_FALSE(d.delivered);
    CHECK(d.attempts == 11);
    CHECK(d.retries == 10);
    // 750, 1500, 3000, 6000, 12000, 24000, 48000, then capped at 60000 three times.
    CHECK(clock.slept() == 750 + 1500 + 3000 + 6000 + 12000 + 24000 + 48000 + 3 * 60000);
  }
  SECTION("Retry-After is honoured without spending the retry budget") {
    ScriptedClient client({status(429, "2"), status(429, "2"), status(429, "2"), status(200)});
    core::RetryPolicy policy;
    policy.max_retries = 1;
    const auto d = core::deliver_batch(client, clock, k_no_jitter, req, policy, nullptr);
    CHECK(d.delivered);
    CHECK(d.retries == 0);
    CHECK(clock.slept() == 6000);
  }
  SECTION("a wait beyond the cap (a day's Retry-After) is an outage: no wait, no retry") {
    ScriptedClient client({status(429, "86400"), status(200)});
    const auto d = core::deliver_batch(client, clock, k_no_jitter, req, {}, nullptr);
    CHECK_FALSE(d.delivered);
    CHECK(d.attempts == 1);
    CHECK(clock.slept() == 0);
    CHECK(d.error ==
          "the server asks for a wait of 86400 s before another attempt, beyond the 60 s a wait "
          "may take here");
  }
  SECTION("network errors are retried") {
    ScriptedClient client({status(0), status(0), status(200)});
    const auto d = core::deliver_batch(client, clock, k_no_jitter, req, {}, nullptr);
    CHECK(d.delivered);
    CHECK(d.attempts == 3);
  }
  SECTION("a stop request ends the waiting") {
    ScriptedClient client({status(503)});
    std::atomic<bool> stop{true};
    const auto d = core::deliver_batch(client, clock, k_no_jitter, req, {}, &stop);
    CHECK(d.interrupted);
    CHECK(d.attempts == 1);
  }
}

TEST_CASE("segment_batch: batches stay within 500 KB and 2,500 messages") {
  core::Batcher batcher;
  core::Batcher::Batch full;
  std::vector<core::Batcher::Batch> batches;
  const std::string big(20 * 1024, 'x');
  for (int i = 0; i < 100; ++i) {
    if (batcher.add(i, "{\"userId\":\"" + big + "\"}", "{}", &full)) batches.push_back(full);
  }
  if (batcher.flush(&full)) batches.push_back(full);
  std::size_t total = 0;
  for (const auto& b : batches) {
    CHECK(b.body().size() <= core::k_max_batch_bytes);
    total += b.records.size();
  }
  CHECK(total == 100);
  CHECK(batches.size() == 5);
  core::Batcher small;
  batches.clear();
  for (int i = 0; i < 6000; ++i) {
    if (small.add(i, "{}", "{}", &full)) batches.push_back(full);
  }
  if (small.flush(&full)) batches.push_back(full);
  REQUIRE(batches.size() == 3);
  CHECK(batches[0].records.size() == 2500);
  CHECK(batches[2].records.size() == 1000);
  CHECK(batches[0].body().rfind("{\"batch\":[{},{}", 0) == 0);
}

TEST_CASE(
    "segment_batch: a destination is a digest of the endpoint and its credentials, or a salt") {
  const std::string a =
      core::destination_key("https://api.segment.io/v1/batch", "Basic a2V5MTo=", "");
  CHECK(a == core::destination_key("https://api.segment.io/v1/batch", "Basic a2V5MTo=", ""));
  CHECK(a != core::destination_key("https://api.segment.io/v1/batch", "Basic a2V5Mjo=", ""));
  CHECK(a !=
        core::destination_key("https://events.eu1.segmentapis.com/v1/batch", "Basic a2V5MTo=", ""));
  CHECK(a.find("a2V5MTo") == std::string::npos);  // never the key itself
  CHECK(core::destination_key("u1", "k1", "run-7") == core::destination_key("u2", "k2", "run-7"));
  CHECK(core::destination_fingerprint(a).size() == 16);
  CHECK(core::destination_fingerprint(a) !=
        core::destination_fingerprint(core::destination_key("u1", "k1", "run-7")));
}

TEST_CASE("segment_batch: messages") {
  const core::Json identity = {{"id", "abc"}, {"created_at", "2026-01-01T00:00:00Z"}};
  core::MessageOptions opts;
  opts.template_digest = "d1";
  core::BatchMessage m;
  std::string err;
  REQUIRE(core::make_batch_message({{"userId", "abc"}, {"traits", {{"email", "a@b.c"}}}}, identity,
                                   opts, &m, &err));
  CHECK(m.message["type"] == "identify");
  CHECK(m.message["timestamp"] == "2026-01-01T00:00:00Z");
  CHECK(m.message["messageId"] == core::message_id("abc", "d1", ""));
  CHECK_FALSE(m.own_id);
  CHECK(m.message["messageId"].get<std::string>().size() <= 100);
  CHECK(core::message_id("abc", "d1", "x") == core::message_id("abc", "d1", "x"));
  CHECK(core::message_id("abc", "d1", "x") != core::message_id("abc", "d2", "x"));
  CHECK(core::message_id("abc", "d1", "x") != core::message_id("abd", "d1", "x"));
  CHECK(core::message_id("abc", "d1", "x") != core::message_id("abc", "d1", "y"));
  // A template's own messageId is kept as it is.
  REQUIRE(core::make_batch_message({{"userId", "abc"}, {"messageId", "mine"}}, identity, opts, &m,
                                   &err));
  CHECK(m.message["messageId"] == "mine");
  CHECK(m.own_id);
  opts.timestamp_from_created_at = false;
  REQUIRE(core::make_batch_message({{"userId", "abc"}}, identity, opts, &m, &err));
  CHECK_FALSE(m.message.contains("timestamp"));
  CHECK_FALSE(core::make_batch_message({{"traits", {}}}, identity, opts, &m, &err));
  CHECK(m.stage == "validate");
  CHECK(err ==
        "Segment would drop this: neither 'userId' nor 'anonymousId' is set: every message needs "
        "one");
  CHECK_FALSE(
      core::make_batch_message({{"userId", "u"}, {"traits", {{"blob", std::string(40000, 'x')}}}},
                               identity, opts, &m, &err));
  CHECK(m.stage == "size");
}

TEST_CASE("segment_batch: a 429's Retry-After or X-RateLimit-Reset says how long to wait") {
  using std::chrono::milliseconds;
  const auto now = std::chrono::system_clock::from_time_t(1767225600);  // 2026-01-01T00:00:00Z
  const auto wait = [&](int code, const std::string& name, const std::string& value) {
    io::HttpResponse r;
    r.status = code;
    r.headers.emplace_back(name, value);
    return core::rate_limit_wait(r, now);
  };
  CHECK(wait(429, "retry-after", "3") == milliseconds(3000));
  CHECK(wait(503, "retry-after", "3") == milliseconds(3000));
  CHECK(wait(429, "retry-after", "Thu, 01 Jan 2026 00:00:07 GMT") == milliseconds(7000));
  CHECK(wait(429, "retry-after", "Wed, 31 Dec 2025 23:00:00 GMT") == milliseconds(0));  // past
  // X-RateLimit-Reset: an HTTP date (Segment's Public API), Unix seconds or milliseconds, or
  // seconds from now.
  CHECK(wait(429, "x-ratelimit-reset", "Thu, 01 Jan 2026 00:00:05 GMT") == milliseconds(5000));
  CHECK(wait(429, "x-ratelimit-reset", "1767225604") == milliseconds(4000));
  CHECK(wait(429, "x-ratelimit-reset", "1767225602500") == milliseconds(2500));
  CHECK(wait(429, "x-ratelimit-reset", "9") == milliseconds(9000));
  CHECK_FALSE(wait(503, "x-ratelimit-reset", "9"));  // only a 429 is about the rate
  CHECK_FALSE(wait(429, "x-ratelimit-reset", "soon"));
  CHECK_FALSE(wait(429, "x-other", "9"));
  SECTION("honoured without spending the retry budget") {
    FakeClock clock;
    clock.wall = now;
    io::HttpResponse limited;
    limited.status = 429;
    limited.headers.emplace_back("x-ratelimit-reset", "1767225605");
    ScriptedClient client({limited, status(200)});
    core::RetryPolicy policy;
    policy.max_retries = 0;
    io::HttpRequest req;
    const auto d = core::deliver_batch(client, clock, k_no_jitter, req, policy, nullptr);
    CHECK(d.delivered);
    CHECK(clock.slept() == 5000);
  }
}

TEST_CASE("segment_batch: each message is the call it names, unless the call was given") {
  const core::Json identity = {{"id", "abc"}};
  core::MessageOptions opts;
  opts.call_fixed = false;
  core::BatchMessage m;
  std::string err;
  REQUIRE(core::make_batch_message({{"userId", "abc"}, {"event", "Signed Up"}}, identity, opts, &m,
                                   &err));
  CHECK(m.message["type"] == "track");
  REQUIRE(
      core::make_batch_message({{"userId", "abc"}, {"groupId", "g"}}, identity, opts, &m, &err));
  CHECK(m.message["type"] == "group");
  REQUIRE(core::make_batch_message({{"userId", "abc"}}, identity, opts, &m, &err));
  CHECK(m.message["type"] == "identify");  // names none: the default
  opts.call_fixed = true;
  CHECK_FALSE(core::make_batch_message({{"userId", "abc"}, {"event", "Signed Up"}}, identity, opts,
                                       &m, &err));
  CHECK(m.stage == "validate");
  CHECK(err == "the message has 'event', a track call, but the backfill sends identify calls");
  CHECK(core::call_from_message({{"event", "x"}, {"groupId", "g"}}) == std::nullopt);  // several
  CHECK(core::call_from_message({{"type", "page"}, {"name", "Home"}}) == core::SegmentCall::page);
}
