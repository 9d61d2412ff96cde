#include "io/http_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>
#include <vector>

#include "io/fd_io.hpp"
#include "util/text.hpp"

namespace io {
namespace {

using Clock = std::chrono::steady_clock;

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         (c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
}

ParseOutcome bad(int status, std::string why) {
  ParseOutcome o;
  o.status = ParseStatus::bad;
  o.error_status = status;
  o.error = std::move(why);
  return o;
}

// Finds the end of the head: the index just past "\r\n\r\n" (or "\n\n").
std::size_t head_end(std::string_view data) {
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] != '\n') continue;
    if (i + 1 < data.size() && data[i + 1] == '\n') return i + 2;
    if (i + 2 < data.size() && data[i + 1] == '\r' && data[i + 2] == '\n') return i + 3;
  }
  return std::string_view::npos;
}

enum class ChunkStatus { incomplete, complete, bad };
enum class LineStatus { ok, incomplete, too_long };

// The line starting at `from` (without its CR LF), and where the next one starts.
LineStatus line_at(std::string_view data, std::size_t from, std::size_t max, std::string_view* line,
                   std::size_t* next) {
  const std::size_t nl = data.find('\n', from);
  if (nl == std::string_view::npos) {
    return data.size() - from > max ? LineStatus::too_long : LineStatus::incomplete;
  }
  if (nl - from > max) return LineStatus::too_long;
  std::string_view l = data.substr(from, nl - from);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  *line = l;
  *next = nl + 1;
  return LineStatus::ok;
}

// A chunked body (RFC 9112 section 7.1) at the start of `data`: chunk sizes in hex with
// optional extensions, the data, a last chunk of size 0, trailer lines, an empty line.
// `used` is the bytes it took; `bad_out` carries the status for a bad or oversized body.
ChunkStatus parse_chunked(std::string_view data, const ServerLimits& limits, std::string* body,
                          std::size_t* used, ParseOutcome* bad_out) {
  std::string out;
  std::size_t pos = 0;
  std::string_view line;
  std::size_t next = 0;
  while (true) {
    const LineStatus ls = line_at(data, pos, limits.max_header_bytes, &line, &next);
    if (ls == LineStatus::incomplete) return ChunkStatus::incomplete;
    const std::string_view size_text =
        ls == LineStatus::ok ? util::trim(line.substr(0, line.find(';'))) : std::string_view();
    if (size_text.empty() || size_text.size() > 8 ||
        size_text.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
      *bad_out = bad(400, "malformed chunk size");
      return ChunkStatus::bad;
    }
    const std::size_t size = std::stoul(std::string(size_text), nullptr, 16);
    pos = next;
    if (size == 0) break;
    if (out.size() + size > limits.max_body_bytes) {
      *bad_out = bad(413, "request body too large");
      return ChunkStatus::bad;
    }
    if (data.size() - pos < size + 1) return ChunkStatus::incomplete;
    out.append(data.substr(pos, size));
    pos += size;
    if (data[pos] == '\r') {
      if (data.size() - pos < 2) return ChunkStatus::incomplete;
      ++pos;
    }
    if (data[pos] != '\n') {
      *bad_out = bad(400, "chunk data not followed by a line break");
      return ChunkStatus::bad;
    }
    ++pos;
  }
  // Trailer lines, up to the empty line that ends the body.
  for (int trailers = 0;; ++trailers) {
    const LineStatus ls = line_at(data, pos, limits.max_header_bytes, &line, &next);
    if (ls == LineStatus::incomplete) return ChunkStatus::incomplete;
    if (ls == LineStatus::too_long || trailers > 64) {
      *bad_out = bad(431, "chunked trailers too large");
      return ChunkStatus::bad;
    }
    pos = next;
    if (line.empty()) break;
  }
  *body = std::move(out);
  *used = pos;
  return ChunkStatus::complete;
}

std::vector<std::string_view> split_lines(std::string_view head) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < head.size()) {
    std::size_t end = head.find('\n', start);
    if (end == std::string_view::npos) end = head.size();
    std::string_view line = head.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

bool send_all(int fd, std::string_view data, std::chrono::milliseconds timeout) {
  return write_all(fd, data, Clock::now() + timeout) == FdResult::ok;
}

std::string serialize(const ServerResponse& r, bool keep_alive) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_phrase(r.status) + "\r\n";
  bool has_type = false;
  for (const auto& [name, value] : r.headers) {
    out.append(name).append(": ").append(value).append("\r\n");
    if (util::to_lower(name) == "content-type") has_type = true;
  }
  if (!has_type) out += "Content-Type: application/json\r\n";
  out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  if (!keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
  return out + r.body;
}

void reset_and_close(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

}  // namespace

std::string ServerRequest::header(const std::string& lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return "";
}

const char* reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

namespace {

// The request line (METHOD SP TARGET SP VERSION) and the header lines; the refusal when
// they are malformed.
std::optional<ParseOutcome> parse_head(const std::vector<std::string_view>& lines,
                                       ServerRequest* out) {
  // Request line: METHOD SP TARGET SP VERSION
  const std::string_view first = lines[0];
  const auto sp1 = first.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : first.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos || sp1 == 0 ||
      sp2 == sp1 + 1 || first.find(' ', sp2 + 1) != std::string_view::npos) {
    return bad(400, "malformed request line");
  }
  out->method = std::string(first.substr(0, sp1));
  out->target = std::string(first.substr(sp1 + 1, sp2 - sp1 - 1));
  out->version = std::string(first.substr(sp2 + 1));
  for (char c : out->method) {
    if (!is_token_char(c)) return bad(400, "malformed method");
  }
  if (out->version != "HTTP/1.1" && out->version != "HTTP/1.0") {
    return bad(400, "unsupported HTTP version");
  }
  if (out->target.empty() || out->target[0] != '/') return bad(400, "malformed request target");
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto colon = lines[i].find(':');
    if (colon == std::string_view::npos || colon == 0) return bad(400, "malformed header line");
    const std::string_view name = lines[i].substr(0, colon);
    for (char c : name) {
      if (!is_token_char(c)) return bad(400, "malformed header name");
    }
    out->headers.emplace_back(util::to_lower(name),
                              std::string(util::trim(lines[i].substr(colon + 1))));
  }
  return std::nullopt;
}

}  // namespace

ParseOutcome parse_request(std::string_view data, const ServerLimits& limits, ServerRequest* out) {
  const std::size_t end = head_end(data.substr(0, limits.max_header_bytes + 4));
  if (end == std::string_view::npos) {
    if (data.size() > limits.max_header_bytes) return bad(431, "request head too large");
    return ParseOutcome{};
  }
  const auto lines = split_lines(data.substr(0, end));
  if (lines.empty()) return bad(400, "empty request");
  ServerRequest req;
  if (const auto refused = parse_head(lines, &req)) return *refused;
  const std::string transfer_encoding = util::to_lower(req.header("transfer-encoding"));
  if (!transfer_encoding.empty()) {
    if (transfer_encoding != "chunked") {
      return bad(501, "Transfer-Encoding '" + transfer_encoding + "' is not supported");
    }
    if (!req.header("content-length").empty()) {
      return bad(400, "both Transfer-Encoding and Content-Length");
    }
    ParseOutcome o;
    std::size_t used = 0;
    const ChunkStatus chunked = parse_chunked(data.substr(end), limits, &req.body, &used, &o);
    if (chunked == ChunkStatus::bad) return o;
    if (chunked == ChunkStatus::incomplete) {
      o.expects_continue = util::to_lower(req.header("expect")) == "100-continue";
      return o;
    }
    *out = std::move(req);
    o.status = ParseStatus::complete;
    o.consumed = end + used;
    return o;
  }
  std::size_t length = 0;
  bool seen_length = false;
  for (const auto& [name, value] : req.headers) {
    if (name != "content-length") continue;
    if (value.empty() || value.size() > 12 ||
        value.find_first_not_of("0123456789") != std::string::npos) {
      return bad(400, "malformed Content-Length");
    }
    const std::size_t v = std::stoull(value);
    if (seen_length && v != length) return bad(400, "conflicting Content-Length headers");
    length = v;
    seen_length = true;
  }
  if (length > limits.max_body_bytes) return bad(413, "request body too large");
  if (data.size() - end < length) {
    ParseOutcome o;
    o.expects_continue = util::to_lower(req.header("expect")) == "100-continue";
    return o;
  }
  req.body = std::string(data.substr(end, length));
  *out = std::move(req);
  ParseOutcome o;
  o.status = ParseStatus::complete;
  o.consumed = end + length;
  return o;
}

HttpServer::HttpServer(ServerLimits limits, Handler handler)
    : m_limits(limits), m_handler(std::move(handler)) {
  if (::pipe2(m_stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0) m_stop_pipe[0] = m_stop_pipe[1] = -1;
}

HttpServer::~HttpServer() {
  if (m_listen_fd >= 0) ::close(m_listen_fd);
  for (int fd : m_stop_pipe) {
    if (fd >= 0) ::close(fd);
  }
}

bool HttpServer::bind(const std::string& host, int port, std::string* err) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0) {
    *err = "cannot resolve " + host + ": " + ::gai_strerror(rc);
    return false;
  }
  int fd = -1;
  std::string last_error = "no address";
  for (addrinfo* a = res; a; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 128) == 0) break;
    last_error = std::strerror(errno);
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(res);
  if (fd < 0) {
    *err = "cannot listen on " + host + ":" + service + ": " + last_error;
    return false;
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  m_port = ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  m_listen_fd = fd;
  return true;
}

void HttpServer::stop() {
  m_stopping.store(true);
  if (m_stop_pipe[1] >= 0) {
    const char byte = 1;
    [[maybe_unused]] const ssize_t n = ::write(m_stop_pipe[1], &byte, 1);
  }
}

void HttpServer::serve() {
  while (!m_stopping.load()) {
    pollfd fds[2] = {{m_listen_fd, POLLIN, 0}, {m_stop_pipe[0], POLLIN, 0}};
    if (::poll(fds, 2, 1000) <= 0) continue;
    if (fds[1].revents != 0) break;
    const int fd = ::accept4(m_listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      if (m_active >= m_limits.max_connections) {
        ServerResponse busy{503, {}, "{\"success\":false,\"error\":\"too many connections\"}"};
        send_all(fd, serialize(busy, false), std::chrono::milliseconds(100));
        ::close(fd);
        continue;
      }
      ++m_active;
    }
    std::thread([this, fd] { handle_connection(fd); }).detach();
  }
  m_stopping.store(true);
  std::unique_lock<std::mutex> lock(m_mutex);
  m_idle.wait_for(lock, std::chrono::seconds(5), [this] { return m_active == 0; });
}

void HttpServer::finish_connection() {
  std::lock_guard<std::mutex> lock(m_mutex);
  --m_active;
  m_idle.notify_all();
}

void HttpServer::handle_connection(int fd) {
  std::string buffer;
  char chunk[65536];
  bool sent_continue = false;
  // Slow clients are cut off: a request head must arrive within header_timeout of its
  // first byte, the body within body_timeout of the head; idle keep-alive connections
  // close after idle_timeout.
  Clock::time_point idle_since = Clock::now();
  Clock::time_point request_start{}, head_done{};
  bool in_request = false, head_seen = false;
  for (;;) {
    ServerRequest req;
    const ParseOutcome parsed = parse_request(buffer, m_limits, &req);
    if (parsed.status == ParseStatus::bad) {
      ServerResponse r{
          parsed.error_status, {}, "{\"success\":false,\"error\":\"" + parsed.error + "\"}"};
      send_all(fd, serialize(r, false), std::chrono::milliseconds(1000));
      break;
    }
    if (parsed.status == ParseStatus::complete) {
      buffer.erase(0, parsed.consumed);
      sent_continue = in_request = head_seen = false;
      const std::string connection = util::to_lower(req.header("connection"));
      const bool keep_alive =
          req.version == "HTTP/1.1" ? connection != "close" : connection == "keep-alive";
      ServerResponse response = m_handler(req);
      if (response.delay.count() > 0) {
        const auto until = Clock::now() + response.delay;
        while (Clock::now() < until && !m_stopping.load()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      }
      if (response.reset) {
        reset_and_close(fd);
        finish_connection();
        return;
      }
      const bool keep = keep_alive && !m_stopping.load();
      if (!send_all(fd, serialize(response, keep), m_limits.body_timeout) || !keep) break;
      idle_since = Clock::now();
      continue;
    }
    const auto now = Clock::now();
    if (!buffer.empty() && !in_request) {
      in_request = true;
      request_start = now;
    }
    if (in_request && !head_seen && head_end(buffer) != std::string::npos) {
      head_seen = true;
      head_done = now;
    }
    if (parsed.expects_continue && !sent_continue) {
      send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", std::chrono::milliseconds(1000));
      sent_continue = true;
    }
    const Clock::time_point deadline = !in_request ? idle_since + m_limits.idle_timeout
                                       : head_seen ? head_done + m_limits.body_timeout
                                                   : request_start + m_limits.header_timeout;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (left.count() <= 0 || m_stopping.load()) {
      if (in_request) {
        ServerResponse r{408, {}, "{\"success\":false,\"error\":\"request timeout\"}"};
        send_all(fd, serialize(r, false), std::chrono::milliseconds(200));
      }
      break;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<long>(left.count(), 200))) <= 0) continue;
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      break;
    }
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  finish_connection();
}

}  // namespace io
