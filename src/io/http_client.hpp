#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace io {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  Headers headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};
  // The request's "Accept-Encoding: gzip" was added by the client, as Go's transport adds it,
  // so a gzip answer is decoded before anyone reads it.
  bool transparent_gzip = false;
  // At most this much of the response body is kept; the rest is read and discarded, so a
  // huge answer costs time, never memory. Kratos reads at most 5 MB of a web_hook's answer.
  std::size_t max_body_bytes = std::size_t{5} << 20;
  // Stop reading once the body passes max_body_bytes (the answer is refused whole, so the
  // rest would only cost time: 150 MB of it outlasts any timeout on a loaded machine).
  bool stop_past_max = false;
};

struct HttpResponse {
  int status = 0;              // 0 when no response arrived
  std::string body;            // the first max_body_bytes of it
  std::size_t body_bytes = 0;  // how many arrived
  bool body_truncated() const { return body_bytes > body.size(); }
  Headers headers;    // names lower-cased
  std::string error;  // transport failure (connect, TLS, timeout), empty otherwise
  bool timed_out = false;
  bool certificate_error = false;  // the server's TLS certificate did not verify

  // The first value of a header (name lower-case), or "".
  std::string header(const std::string& lower_name) const;
};

// Sends HTTP requests; the real one uses libcurl, tests use fakes.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual HttpResponse send(const HttpRequest& request) = 0;
};

struct CurlOptions {
  std::string ca_file;  // extra CA bundle; TLS verification is always on
  // When it becomes true, a transfer under way gets about a second more to end, then is
  // abandoned (even with a server that sends nothing): Ctrl-C never waits on a stalled server.
  const std::atomic<bool>* cancel = nullptr;
};

// libcurl with keep-alive, TLS verification, and proxies from the usual environment
// variables (https_proxy, http_proxy, no_proxy).
std::unique_ptr<HttpClient> make_curl_client(const CurlOptions& options);

// The proxy libcurl sends a request for `url` through (as its environment names it: http_proxy
// for http://, https_proxy or HTTPS_PROXY for https://, then all_proxy or ALL_PROXY; none for
// a host no_proxy lists, nor for loopback), and the variable it came from; "" when direct.
std::string proxy_for(const std::string& url, std::string* variable);

// Time, behind an interface so retry schedules are tested without waiting.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point now() = 0;
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
  // Calendar time, for HTTP dates (Retry-After).
  virtual std::chrono::system_clock::time_point wall_now() {
    return std::chrono::system_clock::now();
  }
};

Clock& system_clock();

}  // namespace io
