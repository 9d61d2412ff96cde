#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "io/http_client.hpp"
#include "segment/segment_api.hpp"
#include "segment/segment_message.hpp"

namespace core {

using Json = nlohmann::ordered_json;

// ---- Messages for Segment's batch API -------------------------------------------------

struct MessageOptions {
  SegmentCall call = SegmentCall::identify;
  // The call was given (--call, the URL's path): a message that names another fails. Else each
  // message is the call its fields name (core::call_from_message), `call` when they name none.
  bool call_fixed = true;
  bool timestamp_from_created_at = true;
  std::string template_digest;  // sha256 of the template; part of every messageId
  std::string destination;      // destination_key(): part of every messageId
};

// What a backfill's messageIds are scoped to: the endpoint and its credentials (a digest of
// them: the key itself is never part of anything sent or saved), or the user's `salt` instead.
// Segment drops a messageId it has seen in about the last day whichever source it came to, so
// ids that did not depend on the destination would make a second backfill (staging, then
// production) lose most of its messages.
std::string destination_key(const std::string& url, const std::string& authorization,
                            const std::string& salt);
// A short, printable fingerprint of a destination_key(), for the state file.
std::string destination_fingerprint(const std::string& destination_key);

// Deterministic per (identity, template, destination), so a resent message is de-duplicated
// by Segment, and a backfill to another destination is not.
std::string message_id(const std::string& identity_id, const std::string& template_digest,
                       const std::string& destination);

// Watches the messageIds a template sets itself: the first time two identities get the same
// one (Segment would keep only one of their messages), repeated() says so, once. Thread-safe.
class OwnMessageIds {
 public:
  std::string repeated(const std::string& identity_id, const Json& message_id);

 private:
  std::mutex m_mutex;
  std::string m_first_identity;
  Json m_first_id;
  bool m_said = false;
};

struct BatchMessage {
  Json message;         // the transform output plus type, messageId and (optionally) timestamp
  std::string text;     // compact JSON, as it goes into the batch
  std::string stage;    // when refused: the check that failed, "validate" or "size"
  bool own_id = false;  // the template set the messageId (kept as it is)
};

// The transform output made into a batch message (its own messageId kept, else message_id()) and
// checked with Segment's rules. False, with `err` and `out->stage`, when Segment would drop it
// (`out->message` then holds what was refused, for the failed file).
bool make_batch_message(const Json& output, const Json& identity, const MessageOptions& opts,
                        BatchMessage* out, std::string* err);

// ---- Batches ---------------------------------------------------------------------------

// Messages per batch under a limit of `events_per_second` (0: none): a tenth of a second's
// worth, so a batch never holds a burst of more (Segment's 2,500 without a limit).
std::size_t batch_cap(double events_per_second);

// Collects message texts into request bodies within Segment's limits: at most 2,500
// messages and 500 KB per request (body included).
class Batcher {
 public:
  struct Batch {
    std::vector<long> records;  // input record numbers, one per message
    std::vector<std::string> texts;
    std::vector<std::string> identities;  // each message's identity (JSON), for the failed file
    std::string body() const;             // {"batch":[...]}
    std::size_t bytes = 0;
  };

  // Batches of at most `max_messages` (and Segment's 2,500): smaller ones spread a limited
  // rate of events evenly.
  explicit Batcher(std::size_t max_messages = k_max_batch_messages)
      : m_max_messages(std::min(max_messages, k_max_batch_messages)) {}

  // Adds a message; returns a full batch when this one no longer fit in the current one.
  bool add(long record, std::string text, std::string identity, Batch* full);
  // The partial batch, if any.
  bool flush(Batch* out);

 private:
  std::size_t m_max_messages;
  Batch m_current;
};

// ---- Delivery, as Segment's own client libraries retry --------------------------------

// analytics-node / analytics-java: never 400; retry network errors, 408, 410, 429, 460 and
// 5xx except 501, 505 and 511.
bool segment_client_retries(int status);

// Whether an answer refuses the batch for good (4xx other than 408 and 429: a rerun would get
// the same); anything else that is not a 2xx (no answer, a timeout, 5xx, 429) is an outage.
bool endpoint_refused(int status);

struct RetryPolicy {
  bool (*retries)(int status) = segment_client_retries;  // which failures get another attempt
  int max_retries = 10;
  std::chrono::milliseconds base{500};
  std::chrono::milliseconds cap{60000};
  int max_retry_after_waits = 100;  // Retry-After does not spend the budget; this bounds it
};

struct BatchDelivery {
  bool delivered = false;
  int status = 0;  // last status, 0 for a network error
  std::string error;
  int attempts = 0;
  int retries = 0;
  bool interrupted = false;
  io::HttpResponse response;  // the last one
};

// How long a 429 or 503 asks to wait: Retry-After (seconds or an HTTP date), else, on a 429,
// X-RateLimit-Reset (an HTTP date, as Segment's APIs write it; or digits: Unix seconds, Unix
// milliseconds, or seconds from now for a small number); nullopt when neither says. `now`: the
// wall clock.
std::optional<std::chrono::milliseconds> rate_limit_wait(const io::HttpResponse& response,
                                                         std::chrono::system_clock::time_point now);

// Sends one request (a batch) with retries: backoff min(base * 2^n * (1 + jitter), cap), jitter in
// [0,1) from `jitter`; rate_limit_wait() honoured without spending the retry budget. A server
// that asks for a wait beyond `cap` (Retry-After: 86400) is not waited for: the delivery fails
// at once, `error` saying so. Stops waiting early when `stop` becomes true.
BatchDelivery deliver_batch(io::HttpClient& client, io::Clock& clock,
                            const std::function<double()>& jitter, const io::HttpRequest& request,
                            const RetryPolicy& policy, const std::atomic<bool>* stop);

// The POST of a batch `body` to `url` with `headers` (Content-Type included): 30 s per
// attempt, at most 64 KB of the answer kept (Segment answers {"success":true}).
io::HttpRequest batch_request(const std::string& url, const io::Headers& headers, std::string body);

// Why a delivery failed, for the failed file and the summary: "HTTP 400 after 1 attempts: ..."
// or "network error after 5 attempts: ...".
std::string delivery_failure(const BatchDelivery& d);

}  // namespace core
