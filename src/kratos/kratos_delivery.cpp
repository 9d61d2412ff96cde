#include "kratos/kratos_delivery.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <ctime>

#include "kratos/kratos_request.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"
#include "util/time_format.hpp"
#include "util/url.hpp"

namespace core {
namespace {

using std::chrono::milliseconds;

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Go's isDomainOrSubdomain(sub, parent).
bool is_domain_or_subdomain(const std::string& sub, const std::string& parent) {
  if (sub == parent) return true;
  if (parent.find(':') != std::string::npos) return false;  // an IPv6 literal
  return util::ends_with(sub, "." + parent);
}

std::string host_port(const util::Url& u) { return u.host + ":" + u.port; }

// Go's shouldCopyHeaderOnRedirect for the sensitive headers.
bool keeps_credentials(const util::Url& initial, const util::Url& next) {
  if (host_port(initial) == host_port(next)) return true;
  return is_domain_or_subdomain(util::to_lower(next.host), util::to_lower(initial.host));
}

bool is_sensitive_header(const std::string& name) {
  const std::string n = util::to_lower(name);
  return n == "authorization" || n == "www-authenticate" || n == "cookie" || n == "cookie2";
}

struct HopResult {
  io::HttpResponse response;
  bool retryable_error = true;  // for a transport error: whether Kratos retries it
};

// One attempt: the request and the redirects Go's client follows, within one deadline.
HopResult go_client_do(io::HttpClient& client, io::Clock& clock, const io::HttpRequest& first,
                       const DeliveryPolicy& policy, Attempt* attempt) {
  const auto deadline = clock.now() + policy.attempt_timeout;
  io::HttpRequest request = first;
  bool include_body = true;
  bool strip_credentials = false;
  std::string why;
  const auto first_url = util::parse_url(first.url, &why);
  for (int sent = 1;; ++sent) {
    request.timeout =
        std::max(milliseconds(1), std::chrono::duration_cast<milliseconds>(deadline - clock.now()));
    HopResult hop;
    hop.response = client.send(request);
    const io::HttpResponse& r = hop.response;
    if (r.status == 0) {
      hop.retryable_error = !r.certificate_error;
      return hop;
    }
    if (!is_redirect(r.status)) return hop;
    const std::string location = r.header("location");
    if (location.empty()) return hop;  // Go returns a 3xx without Location as the answer
    const auto next = util::resolve_url(request.url, location, &why);
    if (!next) {
      hop.response = io::HttpResponse{};
      hop.response.error = "failed to parse Location header \"";
      hop.response.error.append(location).append("\": ").append(why);
      return hop;
    }
    const auto next_url = util::parse_url(*next, &why);
    if (sent >= policy.max_redirects) {
      hop.response = io::HttpResponse{};
      hop.response.error = "stopped after " + std::to_string(policy.max_redirects) + " redirects";
      hop.retryable_error = false;
      return hop;
    }
    if (next_url->scheme != "http" && next_url->scheme != "https") {
      hop.response = io::HttpResponse{};
      hop.response.error = "unsupported protocol scheme \"" + next_url->scheme + "\"";
      hop.retryable_error = false;
      return hop;
    }
    Redirect redirect;
    redirect.status = r.status;
    redirect.url = *next;
    redirect.method = request.method;
    if (r.status <= 303) {
      if (request.method != "GET" && request.method != "HEAD") redirect.method = "GET";
      include_body = false;
    }
    redirect.body_dropped = !include_body && !first.body.empty();
    if (!strip_credentials && first_url && !keeps_credentials(*first_url, *next_url)) {
      strip_credentials = true;
    }
    io::HttpRequest following = first;
    following.method = redirect.method;
    following.url = *next;
    if (!include_body) following.body.clear();
    following.headers.clear();
    for (const auto& header : first.headers) {
      if (strip_credentials && is_sensitive_header(header.first)) {
        redirect.credentials_dropped = true;
        continue;
      }
      if (util::to_lower(header.first) == "referer") continue;
      following.headers.push_back(header);
    }
    // Go sets Referer to the previous URL, unless that is https and the next is http.
    const auto previous = util::parse_url(request.url, &why);
    if (previous && !(previous->scheme == "https" && next_url->scheme == "http")) {
      following.headers.emplace_back("Referer", request.url);
    }
    attempt->redirects.push_back(redirect);
    request = std::move(following);
  }
}

}  // namespace

std::optional<milliseconds> parse_retry_after(const std::string& raw,
                                              std::chrono::system_clock::time_point now) {
  const std::string value(util::trim(raw));
  if (value.empty()) return std::nullopt;
  std::string_view digits = value;
  bool negative = false;
  if (digits.front() == '+' || digits.front() == '-') {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  if (all_digits(digits)) {
    if (negative) return std::nullopt;            // "a negative sleep doesn't make sense"
    if (digits.size() > 18) return std::nullopt;  // beyond int64: ParseInt fails
    return milliseconds(std::stoll(std::string(digits)) * 1000);
  }
  const auto when = util::parse_rfc1123(value);
  if (!when) return std::nullopt;
  const auto until = std::chrono::system_clock::from_time_t(*when) - now;
  if (until.count() <= 0) return milliseconds(0);
  return std::chrono::duration_cast<milliseconds>(until);
}

bool kratos_retries(const Attempt& a) {
  if (a.status == 0) return true;
  if (a.status == 429) return true;
  return a.status >= 500 && a.status != 501;
}

Delivery deliver_like_kratos(io::HttpClient& client, io::Clock& clock,
                             const io::HttpRequest& request, const DeliveryPolicy& policy) {
  Delivery d;
  milliseconds wait{0};
  bool last_timed_out = false;
  bool retryable = true;
  io::HttpRequest sent = request;
  const std::string trigger_id = util::random_uuid();
  for (int n = 1; n <= policy.max_attempts; ++n) {
    if (n > 1) clock.sleep_for(wait);
    const auto t0 = clock.now();
    Attempt a;
    if (policy.emit_analytics_event) {
      set_header(&sent.headers, "Ory-Webhook-Request-ID", util::random_uuid());
      set_header(&sent.headers, "Ory-Webhook-Trigger-ID", trigger_id);
    }
    const HopResult result = go_client_do(client, clock, sent, policy, &a);
    const io::HttpResponse& r = result.response;
    a.status = r.status;
    a.error = r.error;
    // What is shown of it: at most 64 KiB.
    constexpr std::size_t k_shown = std::size_t{64} << 10;
    const std::size_t total = std::max(r.body_bytes, r.body.size());
    a.response_body = r.body.substr(0, k_shown);
    a.dropped = r.header("x-ory-segment-dropped");
    if (total > k_shown) {
      a.response_body += "\n[" + std::to_string(total) + " bytes in all; the first " +
                         std::to_string(k_shown) + " shown" +
                         (r.body_truncated() ? ", the first 5 MB read, as Kratos reads them" : "") +
                         "]";
    }
    a.waited_before = n > 1 ? wait : milliseconds(0);
    a.elapsed = std::chrono::duration_cast<milliseconds>(clock.now() - t0);
    d.attempts.push_back(a);
    last_timed_out = r.timed_out;
    retryable = r.status != 0 ? kratos_retries(a) : result.retryable_error;
    if (r.status != 0 && r.status < 400) {
      d.outcome = DeliveryOutcome::accepted;
      return d;
    }
    if (!retryable || n == policy.max_attempts) break;
    // go-retryablehttp's DefaultBackoff: min * 2^attempt (capped), unless a 429 or 503
    // carries a Retry-After it can read.
    const long long factor = 1LL << std::min(n - 1, 30);
    wait = std::min(milliseconds(policy.first_backoff.count() * factor), policy.max_backoff);
    bool from_header = false;
    if (r.status == 429 || r.status == 503) {
      if (const auto asked = parse_retry_after(r.header("retry-after"), clock.wall_now())) {
        wait = *asked;
        from_header = true;
      }
    }
    if (policy.on_wait) policy.on_wait(wait, n + 1, from_header);
  }
  const Attempt& last = d.attempts.back();
  const std::string giving_up = request.method + " " + request.url + " giving up after " +
                                std::to_string(d.attempts.size()) + " attempt(s)";
  if (last.status != 0 && !retryable) {
    d.outcome = DeliveryOutcome::rejected;
    d.kratos_status = 502;
    d.kratos_error = "webhook failed with status code " + std::to_string(last.status);
  } else if (last.status != 0) {
    d.outcome = DeliveryOutcome::rejected;
    d.kratos_status = 500;
    d.kratos_error = giving_up;
  } else {
    d.outcome = DeliveryOutcome::unreachable;
    d.kratos_status = last_timed_out ? 504 : 500;
    d.kratos_error = giving_up + ": " + last.error;
  }
  return d;
}

}  // namespace core
