#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace io {

using ServerHeaders = std::vector<std::pair<std::string, std::string>>;

// Bounds that keep a hostile or broken client cheap to refuse.
struct ServerLimits {
  std::size_t max_header_bytes = std::size_t{16} * 1024;
  std::size_t max_body_bytes = std::size_t{1} << 20;
  int max_connections = 64;
  std::chrono::milliseconds header_timeout{10000};  // to receive a whole request head
  std::chrono::milliseconds body_timeout{30000};    // to receive the body once the head is in
  std::chrono::milliseconds idle_timeout{30000};    // between requests on a kept-alive connection
};

struct ServerRequest {
  std::string method;
  std::string target;
  std::string version;    // "HTTP/1.1"
  ServerHeaders headers;  // names lower-cased, values trimmed
  std::string body;

  // The first value of a header (lower-case name), or "".
  std::string header(const std::string& lower_name) const;
};

// The body of a streamed response (ServerResponse::stream), written as it is produced.
class ResponseStream {
 public:
  ResponseStream(int fd, const std::atomic<bool>& stopping) : m_fd(fd), m_stopping(stopping) {}
  // Sends `data` within `timeout`; false when it could not (the peer is gone, or too slow).
  bool write(std::string_view data, std::chrono::milliseconds timeout);
  // The server is stopping, or the peer closed its side (anything it sends is read and
  // ignored).
  bool done();

 private:
  int m_fd;
  const std::atomic<bool>& m_stopping;
  bool m_peer_closed = false;
};

struct ServerResponse {
  int status = 200;
  ServerHeaders headers;
  std::string body;
  bool reset = false;                  // close the connection without answering
  std::chrono::milliseconds delay{0};  // answer after this long
  // Set: the head is sent without a Content-Length, then this writes the body for as long as
  // it runs (Server-Sent Events); the connection closes when it returns. It must return soon
  // after the stream is done().
  std::function<void(ResponseStream&)> stream = nullptr;
};

enum class ParseStatus { incomplete, complete, bad };

struct ParseOutcome {
  ParseStatus status = ParseStatus::incomplete;
  std::size_t consumed = 0;       // bytes of `data` the complete request used
  int error_status = 400;         // for bad: the status to answer with
  std::string error;              // for bad: why
  bool expects_continue = false;  // head complete, body pending, client sent Expect: 100-continue
};

// Parses one HTTP/1.x request from the start of `data` (bytes received so far). Pure, so
// it can be fuzzed: never reads past `data`, never allocates more than the limits allow.
ParseOutcome parse_request(std::string_view data, const ServerLimits& limits, ServerRequest* out);
// The index just past the end of a request head in `data` ("\r\n\r\n" or "\n\n"), or npos.
std::size_t request_head_end(std::string_view data);

// A small HTTP/1.1 server: one thread per connection up to max_connections (others get
// 503), keep-alive, timeouts on every read and write. The handler runs on connection
// threads and must be thread-safe.
class HttpServer {
 public:
  using Handler = std::function<ServerResponse(const ServerRequest&)>;

  HttpServer(ServerLimits limits, Handler handler);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  // Binds and listens; port 0 picks a free one (see port()).
  bool bind(const std::string& host, int port, std::string* err);
  int port() const { return m_port; }

  // Serves until stop(); then waits (a few seconds at most) for open connections to end.
  void serve();

  // Safe to call from a signal handler or another thread.
  void stop();

 private:
  void handle_connection(int fd);
  // Answers one request on `fd`: keep the connection, close it, or it was reset (closed).
  enum class Answered { keep, close, reset };
  Answered answer(int fd, const ServerRequest& req);
  void finish_connection();

  ServerLimits m_limits;
  Handler m_handler;
  int m_listen_fd = -1;
  int m_port = 0;
  int m_stop_pipe[2] = {-1, -1};
  std::atomic<bool> m_stopping{false};
  std::mutex m_mutex;
  std::condition_variable m_idle;
  int m_active = 0;
};

// The reason phrase for a status code ("OK", "Too Many Requests", ...).
const char* reason_phrase(int status);

}  // namespace io
