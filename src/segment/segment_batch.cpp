#include "segment/segment_batch.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "util/hash.hpp"
#include "util/text.hpp"
#include "util/time_format.hpp"

namespace core {
namespace {

constexpr std::size_t k_envelope_bytes = 16;  // {"batch":[ ... ]} and commas margin

// Digits as a number, or nullopt (empty, other characters, too long).
std::optional<long long> number(const std::string& v) {
  if (v.empty() || v.size() > 15 || v.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(v);
}

std::chrono::milliseconds until(std::chrono::system_clock::time_point when,
                                std::chrono::system_clock::time_point now) {
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(when - now));
}

std::optional<std::chrono::milliseconds> date_wait(const std::string& v,
                                                   std::chrono::system_clock::time_point now) {
  const auto t = util::parse_rfc1123(v);
  if (!t) return std::nullopt;
  return until(std::chrono::system_clock::from_time_t(*t), now);
}

// Sleeps in slices so a stop request is honoured within ~100 ms.
bool wait(io::Clock& clock, std::chrono::milliseconds d, const std::atomic<bool>* stop) {
  const auto step = std::chrono::milliseconds(100);
  while (d.count() > 0) {
    if (stop && stop->load()) return false;
    const auto slice = std::min(d, step);
    clock.sleep_for(slice);
    d -= slice;
  }
  return !(stop && stop->load());
}

}  // namespace

std::string destination_key(const std::string& url, const std::string& authorization,
                            const std::string& salt) {
  if (!salt.empty()) return "salt\n" + salt;
  return "endpoint\n" + util::hex_digest("ory-segment destination\n" + url + "\n" + authorization,
                                         util::HashAlgorithm::sha256);
}

std::string destination_fingerprint(const std::string& destination_key) {
  return util::hex_digest(destination_key, util::HashAlgorithm::sha256).substr(0, 16);
}

std::string message_id(const std::string& identity_id, const std::string& template_digest,
                       const std::string& destination) {
  return "ory-segment-" +
         util::hex_digest(identity_id + "\n" + template_digest + "\n" + destination,
                          util::HashAlgorithm::sha256)
             .substr(0, 40);
}

std::string OwnMessageIds::repeated(const std::string& identity_id, const Json& message_id) {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (m_said) return "";
  if (m_first_identity.empty()) {
    m_first_identity = identity_id;
    m_first_id = message_id;
    return "";
  }
  if (m_first_identity == identity_id || m_first_id != message_id) return "";
  m_said = true;
  return "the template sets its own messageId, and it is the same (" + message_id.dump() +
         ") for identities " + m_first_identity + " and " + identity_id +
         ": Segment keeps one message per messageId a day, so it drops the others; build it "
         "from ctx.identity.id or ctx.flow.id (each identity has a flow of its own here), or "
         "leave it out and backfill makes one per identity and destination";
}

bool make_batch_message(const Json& output, const Json& identity, const MessageOptions& opts,
                        BatchMessage* out, std::string* err) {
  BatchMessage& m = *out;
  m = BatchMessage{};
  if (!output.is_object()) {
    m.stage = "validate";
    *err = "the transform output is not a JSON object";
    return false;
  }
  const auto named = call_from_message(output);
  if (opts.call_fixed && named && *named != opts.call) {
    m.stage = "validate";
    m.message = output;
    *err = "the message has '" + call_field(output) + "', a " + to_string(*named) +
           " call, but the backfill sends " + to_string(opts.call) + " calls";
    return false;
  }
  const SegmentCall call = opts.call_fixed ? opts.call : named.value_or(opts.call);
  m.message = output;
  m.message["type"] = to_string(call);
  const auto own = output.find("messageId");
  m.own_id = own != output.end() && !own->is_null();
  if (!m.own_id) {
    m.message["messageId"] =
        message_id(identity.value("id", std::string()), opts.template_digest, opts.destination);
  }
  if (opts.timestamp_from_created_at && !output.contains("timestamp")) {
    const auto created = identity.find("created_at");
    if (created != identity.end() && created->is_string()) m.message["timestamp"] = *created;
  }
  m.text = m.message.dump(-1, ' ', false, Json::error_handler_t::replace);
  for (const auto& f : validate_message(m.message, call, m.text.size())) {
    if (f.severity != Severity::error) continue;
    m.stage = m.text.size() > k_max_message_bytes ? "size" : "validate";
    *err = "Segment would drop this: " + to_string(f);
    return false;
  }
  return true;
}

std::size_t batch_cap(double events_per_second) {
  if (events_per_second <= 0) return k_max_batch_messages;
  return static_cast<std::size_t>(std::max(1.0, events_per_second / 10));
}

std::string Batcher::Batch::body() const {
  std::string out;
  out.reserve(bytes + k_envelope_bytes);
  out += "{\"batch\":[";
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (i > 0) out += ',';
    out += texts[i];
  }
  out += "]}";
  return out;
}

bool Batcher::add(long record, std::string text, std::string identity, Batch* full) {
  const bool fits = m_current.texts.size() < m_max_messages &&
                    m_current.bytes + text.size() + 1 + k_envelope_bytes <= k_max_batch_bytes;
  bool emitted = false;
  if (!fits && !m_current.texts.empty()) {
    *full = std::move(m_current);
    m_current = Batch{};
    emitted = true;
  }
  m_current.bytes += text.size() + 1;
  m_current.records.push_back(record);
  m_current.texts.push_back(std::move(text));
  m_current.identities.push_back(std::move(identity));
  return emitted;
}

bool Batcher::flush(Batch* out) {
  if (m_current.texts.empty()) return false;
  *out = std::move(m_current);
  m_current = Batch{};
  return true;
}

bool segment_client_retries(int status) {
  if (status == 0) return true;  // network error
  if (status == 408 || status == 410 || status == 429 || status == 460) return true;
  return status >= 500 && status != 501 && status != 505 && status != 511;
}

std::optional<std::chrono::milliseconds> rate_limit_wait(
    const io::HttpResponse& r, std::chrono::system_clock::time_point now) {
  const std::string after(util::trim(r.header("retry-after")));
  if (const auto seconds = number(after)) return std::chrono::milliseconds(*seconds * 1000);
  if (const auto wait = date_wait(after, now)) return wait;
  if (r.status != 429) return std::nullopt;
  const std::string reset(util::trim(r.header("x-ratelimit-reset")));
  if (const auto n = number(reset)) {
    using std::chrono::system_clock;
    if (*n >= 100000000000LL)
      return until(system_clock::time_point(std::chrono::milliseconds(*n)), now);
    if (*n >= 1000000000LL) return until(system_clock::time_point(std::chrono::seconds(*n)), now);
    return std::chrono::milliseconds(*n * 1000);
  }
  return date_wait(reset, now);
}

bool endpoint_refused(int status) {
  return status >= 400 && status < 500 && status != 408 && status != 429;
}

BatchDelivery deliver_batch(io::HttpClient& client, io::Clock& clock,
                            const std::function<double()>& jitter, const io::HttpRequest& request,
                            const RetryPolicy& policy, const std::atomic<bool>* stop) {
  BatchDelivery d;
  int retry_after_waits = 0;
  for (;;) {
    ++d.attempts;
    d.response = client.send(request);
    const io::HttpResponse& r = d.response;
    d.status = r.status;
    d.error = r.error;
    if (r.status >= 200 && r.status < 300) {
      d.delivered = true;
      return d;
    }
    if (!policy.retries(r.status)) return d;
    const auto after = rate_limit_wait(r, clock.wall_now());
    if (after && *after > policy.cap) {  // an outage, not a pause: no use waiting here
      d.error = "the server asks for a wait of " + std::to_string(after->count() / 1000) +
                " s before another attempt, beyond the " +
                std::to_string(policy.cap.count() / 1000) + " s a wait may take here";
      return d;
    }
    std::chrono::milliseconds delay;
    if (after && retry_after_waits < policy.max_retry_after_waits) {
      ++retry_after_waits;
      delay = std::min(*after, policy.cap);
    } else {
      if (d.retries >= policy.max_retries) return d;
      const double factor = std::pow(2.0, d.retries) * (1.0 + jitter());
      delay = std::min(policy.cap, std::chrono::milliseconds(static_cast<long>(
                                       static_cast<double>(policy.base.count()) * factor)));
      ++d.retries;
    }
    if (!wait(clock, delay, stop)) {
      d.interrupted = true;
      return d;
    }
  }
}

io::HttpRequest batch_request(const std::string& url, const io::Headers& headers,
                              std::string body) {
  io::HttpRequest request;
  request.url = url;
  request.headers = headers;
  request.body = std::move(body);
  request.timeout = std::chrono::seconds(30);
  request.max_body_bytes = std::size_t{64} << 10;
  return request;
}

std::string delivery_failure(const BatchDelivery& d) {
  const std::string attempts = " after " + std::to_string(d.attempts) + " attempts";
  if (d.status == 0) return "network error" + attempts + ": " + d.error;
  return "HTTP " + std::to_string(d.status) + attempts + (d.error.empty() ? "" : ": " + d.error);
}

}  // namespace core
