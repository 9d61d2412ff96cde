#include "core/kratos_delivery.hpp"

#include <algorithm>
#include <cstdlib>

namespace core {
namespace {

// Retry-After in seconds (the HTTP-date form is not used by Segment); nullopt if absent.
std::chrono::milliseconds retry_after(const io::HttpResponse& r,
                                      std::chrono::milliseconds fallback) {
  const std::string value = r.header("retry-after");
  if (value.empty()) return fallback;
  char* end = nullptr;
  const long seconds = std::strtol(value.c_str(), &end, 10);
  if (end == value.c_str() || seconds < 0) return fallback;
  return std::chrono::milliseconds(std::min(seconds, 3600L) * 1000);
}

}  // namespace

bool kratos_retries(const Attempt& a) {
  if (a.status == 0) return true;
  if (a.status == 429) return true;
  return a.status >= 500 && a.status != 501;
}

Delivery deliver_like_kratos(io::HttpClient& client, io::Clock& clock, io::HttpRequest request,
                             const DeliveryPolicy& policy) {
  Delivery d;
  request.timeout = policy.attempt_timeout;
  std::chrono::milliseconds backoff = policy.first_backoff;
  std::chrono::milliseconds wait{0};
  bool last_timed_out = false;
  for (int n = 1; n <= policy.max_attempts; ++n) {
    if (wait.count() > 0) clock.sleep_for(wait);
    const auto t0 = clock.now();
    const io::HttpResponse r = client.send(request);
    Attempt a;
    a.status = r.status;
    a.error = r.error;
    a.response_body = r.body;
    a.waited_before = wait;
    a.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - t0);
    d.attempts.push_back(a);
    last_timed_out = r.timed_out;
    if (r.status != 0 && r.status < 400) {
      d.outcome = DeliveryOutcome::accepted;
      d.kratos_status = 0;
      return d;
    }
    if (!kratos_retries(a)) break;
    wait = backoff;
    if (r.status == 429 || r.status == 503) wait = retry_after(r, backoff);
    backoff = std::min(backoff * 2, policy.max_backoff);
  }
  const Attempt& last = d.attempts.back();
  d.outcome = last.status == 0 ? DeliveryOutcome::unreachable : DeliveryOutcome::rejected;
  d.kratos_status = last_timed_out ? 504 : 502;
  return d;
}

}  // namespace core
