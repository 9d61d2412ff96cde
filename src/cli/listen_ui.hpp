#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/http_server.hpp"
#include "segment/segment_endpoint.hpp"
#include "util/event_feed.hpp"

namespace cli {

// `listen --ui`: a page at / that shows the messages live, as Segment's debugger does, fed by
// Server-Sent Events at /events. Each message is published once, as a JSON text; a browser
// that reads slowly or not at all has a bounded queue of its own (util::EventFeed), so it never
// slows the endpoint.
class ListenUi {
 public:
  // `host` and `port`: where listen listens (the page answers only to those names and the
  // loopback ones); `write_key`: never shown (nor is any Authorization header).
  ListenUi(const std::string& host, int port, std::string write_key);
  ListenUi(const ListenUi&) = delete;
  ListenUi& operator=(const ListenUi&) = delete;

  // The answer to a request for the page or the stream; nullopt for any other path.
  std::optional<io::ServerResponse> answer(const io::ServerRequest& req);
  // The messages of a request as Segment's rules judged them (handle_tracking_request with
  // `options`, then the duplicate check), with the request.
  void publish(const std::vector<core::ReceivedMessage>& messages, const io::ServerRequest& req,
               const core::EndpointOptions& options, const std::string& received_at);
  // A request refused as a whole (4xx): no message, the reason.
  void publish_refused(const io::ServerRequest& req, const std::string& error,
                       const std::string& received_at);
  // The messages of --jsonl's earlier runs (its last 32 MB), shown before this run's.
  void load_jsonl(const std::string& path);
  // "http://HOST:PORT/", the page's address.
  std::string url() const;
  // Ends every stream (the server is stopping).
  void close() { m_feed.close(); }

  // The most pages open at once; another one gets 503.
  static constexpr std::size_t k_max_pages = 16;

 private:
  bool allowed_host(const std::string& host_header) const;
  io::ServerResponse page() const;
  io::ServerResponse stream(std::shared_ptr<util::EventFeed::Subscription> subscription);
  void publish_event(core::Json event);

  std::string m_host;  // lower-case; an IPv6 address in brackets
  int m_port;
  std::string m_write_key;
  std::string m_run;  // a random id: a page that reconnects to another run starts afresh
  std::atomic<long> m_seq{0};
  util::EventFeed m_feed;
};

}  // namespace cli
