#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "io/http_client.hpp"

namespace core {

// Kratos's web_hook HTTP policy, from its HTTP client (driver/registry_default.go:
// ory/x httpx.NewResilientClient with 2 retries and a 30 s timeout; hashicorp
// go-retryablehttp's DefaultRetryPolicy and DefaultBackoff; Go's net/http client):
// 3 attempts of 30 s each, redirects included; a wait of 1 s doubling up to 30 s between
// attempts, or what Retry-After says on a 429 or 503 (seconds or an HTTP date, no cap);
// retried: connection errors and timeouts, 429, 5xx but 501; not retried: a certificate
// that does not verify, too many redirects, a redirect to another scheme.
struct DeliveryPolicy {
  int max_attempts = 3;
  std::chrono::milliseconds attempt_timeout{30000};
  std::chrono::milliseconds first_backoff{1000};
  std::chrono::milliseconds max_backoff{30000};
  int max_redirects = 10;  // Go's default CheckRedirect
  // The web_hook's emit_analytics_event (default true): Kratos then sets
  // Ory-Webhook-Trigger-ID (one per hook run) and Ory-Webhook-Request-ID (a new UUID per
  // attempt) on each request (selfservice/hook/web_hook.go:331, :561-566).
  bool emit_analytics_event = true;
  // Called before each wait between attempts, with the attempt about to be made (2, 3, ...)
  // and whether the wait is the server's Retry-After.
  std::function<void(std::chrono::milliseconds wait, int next_attempt, bool retry_after)> on_wait;
};

// A redirect followed within an attempt, as Go's client follows it.
struct Redirect {
  int status = 0;                    // 301, 302, 303, 307 or 308
  std::string method;                // of the request that follows
  std::string url;                   // that request's URL
  bool body_dropped = false;         // 301/302/303: the request that follows has no body
  bool credentials_dropped = false;  // another host: Authorization and Cookie not sent
};

struct Attempt {
  int status = 0;     // of the last response; 0: no response
  std::string error;  // transport error
  std::string response_body;
  std::string dropped;  // the answer's X-Ory-Segment-Dropped (listen: why it dropped the message)
  std::chrono::milliseconds elapsed{0};
  std::chrono::milliseconds waited_before{0};  // backoff or Retry-After before this attempt
  std::vector<Redirect> redirects;
};

enum class DeliveryOutcome {
  accepted,     // a final status below 400 (a 3xx without Location counts: Go stops there)
  rejected,     // a status >= 400 that is not retried, or retries ran out on one
  unreachable,  // no response after every attempt, or an error that is not retried
};

struct Delivery {
  DeliveryOutcome outcome = DeliveryOutcome::unreachable;
  std::vector<Attempt> attempts;
  // The error the hook fails with, as Kratos reports it: 502 "webhook failed with status
  // code N" for a status >= 400 it does not retry; 504 when the last attempt timed out;
  // 500 for any other error, after the attempts run out ("POST URL giving up after 3
  // attempt(s)") or at once for one that is not retried. 0 and "" when accepted.
  int kratos_status = 0;
  std::string kratos_error;
};

// Whether Kratos's client retries after this attempt.
bool kratos_retries(const Attempt& attempt);

// The wait a Retry-After value asks for, as go-retryablehttp reads it: whole seconds
// (strconv.ParseInt: an optional sign, digits) or an RFC 1123 date (past: no wait);
// nullopt when it is neither, and Kratos backs off as usual.
std::optional<std::chrono::milliseconds> parse_retry_after(
    const std::string& value, std::chrono::system_clock::time_point now);

// Sends `request` the way Kratos's web_hook does.
Delivery deliver_like_kratos(io::HttpClient& client, io::Clock& clock,
                             const io::HttpRequest& request, const DeliveryPolicy& policy = {});

}  // namespace core
