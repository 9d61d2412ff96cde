#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "io/http_client.hpp"

namespace core {

// Kratos's web_hook HTTP policy (FACTS.md section 1): 3 attempts, 30 s each, backoff
// 1 s doubling up to 30 s, retries on connection errors, 429 and 5xx except 501,
// Retry-After honoured on 429 and 503.
struct DeliveryPolicy {
  int max_attempts = 3;
  std::chrono::milliseconds attempt_timeout{30000};
  std::chrono::milliseconds first_backoff{1000};
  std::chrono::milliseconds max_backoff{30000};
};

struct Attempt {
  int status = 0;     // 0: no response
  std::string error;  // transport error
  std::string response_body;
  std::chrono::milliseconds elapsed{0};
  std::chrono::milliseconds waited_before{0};  // backoff or Retry-After before this attempt
};

enum class DeliveryOutcome {
  accepted,     // a status below 400
  rejected,     // a status >= 400 that is not retried, or retries ran out on one
  unreachable,  // no response after every attempt
};

struct Delivery {
  DeliveryOutcome outcome = DeliveryOutcome::unreachable;
  std::vector<Attempt> attempts;
  int kratos_status = 0;  // what the hook reports: 502, or 504 after timeouts; 0 when accepted
};

// Whether Kratos retries after this attempt.
bool kratos_retries(const Attempt& attempt);

// Sends `request` the way Kratos's web_hook does.
Delivery deliver_like_kratos(io::HttpClient& client, io::Clock& clock, io::HttpRequest request,
                             const DeliveryPolicy& policy = {});

}  // namespace core
