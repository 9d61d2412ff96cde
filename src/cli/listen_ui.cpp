#include "cli/listen_ui.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <mutex>
#include <utility>

#include "util/base64.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"

namespace cli {
namespace {

using Clock = std::chrono::steady_clock;

// The page: HTML, CSS and JavaScript in one file, in the binary (cmake/embed_text.cmake).
constexpr std::string_view k_page =
#include "listen_ui_page.inc"
    ;

// What a client learns of a header: never a credential.
std::string shown_header_value(const std::string& name, const std::string& value,
                               const std::string& write_key) {
  if (name == "authorization" || name == "proxy-authorization") {
    const auto space = value.find(' ');
    return (space == std::string::npos ? "" : value.substr(0, space + 1)) + "<redacted>";
  }
  if (!write_key.empty() && value.find(write_key) != std::string::npos) return "<redacted>";
  return value;
}

// 'sha256-...' of an inline element's text, for the page's Content-Security-Policy: only the
// page's own script and style run, whatever a message holds.
std::string csp_hash(std::string_view open_tag, std::string_view close_tag) {
  const auto begin = k_page.find(open_tag) + open_tag.size();
  const auto end = k_page.find(close_tag, begin);
  const std::string hex =
      util::hex_digest(k_page.substr(begin, end - begin), util::HashAlgorithm::sha256);
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return "'sha256-" + util::base64_encode(bytes) + "'";
}

std::string dump(const core::Json& j) {
  return j.dump(-1, ' ', false, core::Json::error_handler_t::replace);
}

std::string string_field(const core::Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const char* verdict_of(const core::ReceivedMessage& m) {
  return m.duplicate ? "duplicate" : m.dropped ? "dropped" : "kept";
}

// What one stream sends when its queue has news: a marker for what it missed, then the
// events, as one JSON array.
std::string stream_text(const util::EventFeed::Batch& batch) {
  std::string out;
  if (batch.dropped > 0) {
    out += "event: dropped\ndata: " +
           dump({{"count", batch.dropped},
                 {"why", "the page holds the latest " +
                             std::to_string(util::FeedLimits{}.history_events) +
                             " messages, and drops the oldest when it falls behind"}}) +
           "\n\n";
  }
  if (batch.events.empty()) return out;
  out += "data: [";
  for (std::size_t i = 0; i < batch.events.size(); ++i) {
    out += (i ? "," : "") + batch.events[i]->text();
  }
  out += "]\n\n";
  return out;
}

}  // namespace

ListenUi::ListenUi(const std::string& host, int port, std::string write_key)
    : m_host(util::to_lower(host).find(':') != std::string::npos ? "[" + util::to_lower(host) + "]"
                                                                 : util::to_lower(host)),
      m_port(port),
      m_write_key(std::move(write_key)),
      m_run(util::random_uuid()) {}

std::string ListenUi::url() const {
  return "http://" + m_host + ":" + std::to_string(m_port) + "/";
}

bool ListenUi::allowed_host(const std::string& host_header) const {
  // A page of another site that rebinds its name to this address is refused: its requests
  // name that site.
  const std::string port = ":" + std::to_string(m_port);
  const std::string host = util::to_lower(host_header);
  for (const std::string& name :
       {m_host, std::string("127.0.0.1"), std::string("localhost"), std::string("[::1]")}) {
    if (host == name + port) return true;
  }
  return false;
}

std::optional<io::ServerResponse> ListenUi::answer(const io::ServerRequest& req) {
  const std::string path = req.target.substr(0, req.target.find('?'));
  if (path != "/" && path != "/events") return std::nullopt;
  const auto refuse = [](int status, const std::string& why) {
    return io::ServerResponse{status, {{"Content-Type", "text/plain; charset=utf-8"}}, why + "\n"};
  };
  if (req.method != "GET") {
    io::ServerResponse r = refuse(405, "only GET is answered here");
    r.headers.emplace_back("Allow", "GET");
    return r;
  }
  if (!allowed_host(req.header("host"))) {
    return refuse(403, "the page answers only to the address listen listens on");
  }
  if (path == "/") return page();
  // The page's place is taken here, before the answer, so no more than k_max_pages are open
  // however many ask at once.
  std::shared_ptr<util::EventFeed::Subscription> subscription = m_feed.subscribe(k_max_pages);
  if (!subscription) return refuse(503, "too many pages open");
  return stream(std::move(subscription));
}

io::ServerResponse ListenUi::page() const {
  static const std::string policy = "default-src 'none'; script-src " +
                                    csp_hash("<script>", "</script>") + "; style-src " +
                                    csp_hash("<style>", "</style>") +
                                    "; connect-src 'self'; base-uri 'none'; form-action 'none'; "
                                    "frame-ancestors 'none'";
  return io::ServerResponse{200,
                            {{"Content-Type", "text/html; charset=utf-8"},
                             {"Content-Security-Policy", policy},
                             {"X-Content-Type-Options", "nosniff"},
                             {"Referrer-Policy", "no-referrer"},
                             {"Cache-Control", "no-store"}},
                            std::string(k_page)};
}

io::ServerResponse ListenUi::stream(std::shared_ptr<util::EventFeed::Subscription> subscription) {
  io::ServerResponse r{200,
                       {{"Content-Type", "text/event-stream; charset=utf-8"},
                        {"Cache-Control", "no-store"},
                        {"X-Content-Type-Options", "nosniff"}},
                       ""};
  const std::string hello = dump({{"run", m_run}, {"listening", url()}});
  r.stream = [hello, subscription = std::move(subscription)](io::ResponseStream& out) {
    constexpr std::chrono::seconds k_write_limit{10};
    if (!out.write("retry: 1000\nevent: hello\ndata: " + hello + "\n\n", k_write_limit)) return;
    auto last_write = Clock::now();
    while (!out.done() && !subscription->closed()) {
      std::string text = stream_text(subscription->wait(std::chrono::milliseconds(250)));
      // A comment now and then: a proxy or the browser keeps the connection.
      if (text.empty() && Clock::now() - last_write > std::chrono::seconds(15)) text = ":\n\n";
      if (text.empty()) continue;
      if (!out.write(text, k_write_limit)) return;
      last_write = Clock::now();
    }
  };
  return r;
}

void ListenUi::publish_event(core::Json event) {
  event["seq"] = ++m_seq;
  m_feed.publish(std::make_shared<const util::FeedItem>(dump(event)));
}

namespace {

// What the page shows of a request, kept in a few allocations (a parsed message is some dozens,
// and keeping those for the history costs the endpoint more than anything else the page does):
// the request as received, its headers as one text. Its messages are read again from it,
// once, when a page first reads one: the endpoint is pure, so they are the same messages.
struct RequestFacts {
  std::string method, target, received_at, authorization, body;
  std::string headers;  // "name\nvalue\n" for each
  core::EndpointOptions options;
  mutable std::once_flag parsed;
  mutable std::vector<core::ReceivedMessage> messages;

  const core::Json& message(std::size_t i, const std::string& write_key) const {
    std::call_once(parsed, [&] {
      messages =
          core::handle_tracking_request(write_key, method, target, authorization, body, options)
              .messages;
    });
    static const core::Json none;
    return i < messages.size() ? messages[i].message : none;
  }
};

core::Json shown_headers(const io::ServerHeaders& headers, const std::string& write_key) {
  core::Json out = core::Json::array();
  for (const auto& [name, value] : headers) {
    out.push_back({name, shown_header_value(name, value, write_key)});
  }
  return out;
}

core::Json shown_headers(const std::string& text, const std::string& write_key) {
  io::ServerHeaders headers;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t name_end = text.find('\n', at);
    const std::size_t value_end = text.find('\n', name_end + 1);
    headers.emplace_back(text.substr(at, name_end - at),
                         text.substr(name_end + 1, value_end - name_end - 1));
    at = value_end + 1;
  }
  return shown_headers(headers, write_key);
}

}  // namespace

void ListenUi::publish(const std::vector<core::ReceivedMessage>& messages,
                       const io::ServerRequest& req, const core::EndpointOptions& options,
                       const std::string& received_at) {
  // Nothing is made now but this record: each message's text is made when a page reads it.
  auto facts = std::make_shared<RequestFacts>();
  facts->method = req.method;
  facts->target = req.target;
  facts->received_at = received_at;
  facts->authorization = req.header("authorization");
  facts->body = req.body;
  facts->options = options;
  std::size_t size = 0;
  for (const auto& [name, value] : req.headers) size += name.size() + value.size() + 2;
  facts->headers.reserve(size);
  for (const auto& [name, value] : req.headers) {
    facts->headers.append(name).append(1, '\n').append(value).append(1, '\n');
  }
  const std::size_t bytes = req.body.size() / std::max<std::size_t>(messages.size(), 1) + 1024;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const core::ReceivedMessage& m = messages[i];
    std::vector<std::string> warnings;
    for (const auto& w : m.warnings) warnings.push_back(core::to_string(w));
    m_feed.publish(std::make_shared<const util::FeedItem>(
        bytes, [this, facts = std::shared_ptr<const RequestFacts>(facts), i, seq = ++m_seq,
                type = m.type, verdict = verdict_of(m), reason = m.dropped ? m.reason : "",
                warnings = std::move(warnings)] {
          const std::string& key = m_write_key;
          return dump({{"receivedAt", facts->received_at},
                       {"from", "run"},
                       {"type", type},
                       {"verdict", verdict},
                       {"reason", reason},
                       {"warnings", warnings},
                       {"method", facts->method},
                       {"path", facts->target},
                       {"headers", shown_headers(facts->headers, key)},
                       {"message", facts->message(i, key)},  // no write key (redact_write_keys)
                       {"seq", seq}});
        }));
  }
}

void ListenUi::publish_refused(const io::ServerRequest& req, const std::string& error,
                               const std::string& received_at) {
  const std::string path = req.target.substr(0, req.target.find('?'));
  publish_event({{"receivedAt", received_at},
                 {"from", "run"},
                 {"type", path.substr(path.rfind('/') + 1)},
                 {"verdict", "rejected"},
                 {"reason", error},
                 {"warnings", core::Json::array()},
                 {"method", req.method},
                 {"path", req.target},
                 {"headers", shown_headers(req.headers, m_write_key)},
                 {"message", nullptr}});
}

void ListenUi::load_jsonl(const std::string& path) {
  constexpr std::streamoff k_tail = std::streamoff{32} << 20;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return;
  const std::streamoff size = in.tellg();
  in.seekg(size > k_tail ? size - k_tail : 0);
  std::string line;
  if (size > k_tail) std::getline(in, line);  // the rest of a line cut by the seek
  while (std::getline(in, line)) {
    core::Json j = core::Json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("message")) continue;
    const std::string reason = string_field(j, "reason");
    const bool kept = string_field(j, "verdict") == "accepted";
    core::redact_write_keys(&j["message"], m_write_key);  // a file from before redaction
    publish_event({{"receivedAt", string_field(j, "receivedAt")},
                   {"from", "jsonl"},
                   {"type", string_field(j, "type")},
                   {"verdict", kept                                               ? "kept"
                               : util::starts_with(reason, "duplicate messageId") ? "duplicate"
                                                                                  : "dropped"},
                   {"reason", kept ? "" : reason},
                   {"warnings", core::Json::array()},
                   {"headers", core::Json::array()},
                   {"message", std::move(j["message"])}});
  }
}

}  // namespace cli
