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
  if (!r.stream) out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  if (!keep_alive || r.stream) out += "Connection: close\r\n";
  out += "\r\n";
  return out + r.body;
}

void reset_and_close(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

}  // namespace

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

bool ResponseStream::write(std::string_view data, std::chrono::milliseconds timeout) {
  return !done() && send_all(m_fd, data, timeout);
}

bool ResponseStream::done() {
  if (m_stopping.load()) return true;
  char discard[4096];
  while (!m_peer_closed) {
    const ssize_t n = ::recv(m_fd, discard, sizeof discard, MSG_DONTWAIT);
    if (n > 0) continue;
    m_peer_closed = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
    break;
  }
  return m_peer_closed;
}

void HttpServer::finish_connection() {
  std::lock_guard<std::mutex> lock(m_mutex);
  --m_active;
  m_idle.notify_all();
}

HttpServer::Answered HttpServer::answer(int fd, const ServerRequest& req) {
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
    return Answered::reset;
  }
  if (response.stream) {
    if (send_all(fd, serialize(response, false), m_limits.body_timeout)) {
      ResponseStream stream(fd, m_stopping);
      response.stream(stream);
    }
    return Answered::close;
  }
  const bool keep = keep_alive && !m_stopping.load();
  const bool sent = send_all(fd, serialize(response, keep), m_limits.body_timeout);
  return sent && keep ? Answered::keep : Answered::close;
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
      const Answered answered = answer(fd, req);
      if (answered == Answered::reset) {
        finish_connection();
        return;
      }
      if (answered == Answered::close) break;
      idle_since = Clock::now();
      continue;
    }
    const auto now = Clock::now();
    if (!buffer.empty() && !in_request) {
      in_request = true;
      request_start = now;
    }
    if (in_request && !head_seen && request_head_end(buffer) != std::string::npos) {
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
