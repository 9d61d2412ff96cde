#include "io/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <thread>
#include <vector>

#include "util/text.hpp"
#include "util/url.hpp"

namespace io {
namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
};

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct BodySink {
  HttpResponse* response;
  std::size_t max;
  bool stop_past_max;
  bool stopped = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const std::size_t got = size * n;
  std::string& body = sink->response->body;
  if (body.size() < sink->max) body.append(data, std::min(got, sink->max - body.size()));
  sink->response->body_bytes += got;
  if (sink->stop_past_max && sink->response->body_bytes > sink->max) {
    sink->stopped = true;
    return 0;  // curl ends the transfer with CURLE_WRITE_ERROR
  }
  return got;
}

// no_proxy (or NO_PROXY) and the loopback names: what goes direct.
std::string no_proxy_list() {
  std::string list = "localhost,127.0.0.1,::1";
  for (const char* name : {"no_proxy", "NO_PROXY"}) {
    const char* value = std::getenv(name);
    if (value && *value) return std::string(value) == "*" ? "*" : std::string(value) + "," + list;
  }
  return list;
}

// Whether `host` is one no_proxy's list names: "*", the host, or a domain it is under.
bool bypasses_proxy(const std::string& host, const std::string& list) {
  for (const std::string& part : util::split_trimmed(list, ',')) {
    std::string_view entry = part;
    if (!entry.empty() && entry.front() == '.') entry.remove_prefix(1);
    if (entry.empty()) continue;
    if (entry == "*" || host == entry ||
        (host.size() > entry.size() && util::ends_with(host, entry) &&
         host[host.size() - entry.size() - 1] == '.')) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string proxy_for(const std::string& url, std::string* variable) {
  std::string why;
  const auto u = util::parse_url(url, &why);
  if (!u || util::is_loopback_host(u->host) || bypasses_proxy(u->host, no_proxy_list())) {
    return "";
  }
  const std::vector<const char*> names =
      u->scheme == "https"
          ? std::vector<const char*>{"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}
          : std::vector<const char*>{"http_proxy", "all_proxy", "ALL_PROXY"};
  for (const char* name : names) {
    const char* value = std::getenv(name);
    if (value && *value) {
      *variable = name;
      return value;
    }
  }
  return "";
}

namespace {

// A transfer's view of CurlOptions::cancel: when it was first seen set.
struct CancelWatch {
  const std::atomic<bool>* cancel;
  std::chrono::steady_clock::time_point seen{};
};

// libcurl asks at least once a second, a stalled transfer included. An answer that comes
// within a second of the cancel is still taken (a batch Segment accepted is then counted, not
// sent again); after that, non-zero abandons the transfer.
int on_progress(void* data, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* watch = static_cast<CancelWatch*>(data);
  if (!watch->cancel->load()) return 0;
  const auto now = std::chrono::steady_clock::now();
  if (watch->seen == std::chrono::steady_clock::time_point{}) watch->seen = now;
  return now - watch->seen >= std::chrono::milliseconds(900) ? 1 : 0;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  const std::string line(data, size * n);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    auto* headers = static_cast<Headers*>(user);
    headers->emplace_back(util::to_lower(util::trim(line.substr(0, colon))),
                          std::string(util::trim(line.substr(colon + 1))));
  }
  return size * n;
}

class CurlClient : public HttpClient {
 public:
  explicit CurlClient(CurlOptions options) : m_options(std::move(options)) {
    static CurlGlobal global;
    m_curl.reset(curl_easy_init());
  }

  HttpResponse send(const HttpRequest& request) override {
    HttpResponse response;
    CURL* c = m_curl.get();
    if (!c) {
      response.error = "cannot initialise libcurl";
      return response;
    }
    curl_easy_reset(c);
    std::unique_ptr<curl_slist, SlistDeleter> headers;
    for (const auto& [name, value] : request.headers) {
      if (request.transparent_gzip && util::to_lower(name) == "accept-encoding") continue;
      // "Name;" is how libcurl sends a header with an empty value ("Name:" removes it).
      std::string line = name;
      if (value.empty()) {
        line += ';';
      } else {
        line.append(": ").append(value);
      }
      headers.reset(curl_slist_append(headers.release(), line.c_str()));
    }
    // curl adds "Expect: 100-continue" to large POSTs, and "Accept: */*" to every request;
    // Kratos's Go client sends neither.
    headers.reset(curl_slist_append(headers.release(), "Expect:"));
    const bool has_accept =
        std::any_of(request.headers.begin(), request.headers.end(),
                    [](const auto& h) { return util::to_lower(h.first) == "accept"; });
    if (!has_accept) headers.reset(curl_slist_append(headers.release(), "Accept:"));
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    // This machine is never reached through a proxy (which would be another machine, and see
    // the credentials of a plain http:// request): loopback goes direct, whatever no_proxy says.
    curl_easy_setopt(c, CURLOPT_NOPROXY, m_no_proxy.c_str());
    if (request.body.empty() && request.method == "GET") {
      curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);  // no Content-Length, as Go sends a bodiless GET
    } else if (request.body.empty() && request.method == "HEAD") {
      curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
    if (request.transparent_gzip) curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (!m_options.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, m_options.ca_file.c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    BodySink sink{&response, request.max_body_bytes, request.stop_past_max};
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    CancelWatch watch{m_options.cancel};
    if (m_options.cancel) {
      curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
      curl_easy_setopt(c, CURLOPT_XFERINFODATA, &watch);
    }
    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && sink.stopped)) {
      response.error = error[0] ? error : curl_easy_strerror(rc);
      response.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
      response.certificate_error = rc == CURLE_PEER_FAILED_VERIFICATION;
      response.status = 0;
      return response;
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    return response;
  }

 private:
  CurlOptions m_options;
  std::string m_no_proxy = no_proxy_list();
  std::unique_ptr<CURL, CurlDeleter> m_curl;
};

class SystemClock : public Clock {
 public:
  std::chrono::steady_clock::time_point now() override { return std::chrono::steady_clock::now(); }
  void sleep_for(std::chrono::milliseconds d) override { std::this_thread::sleep_for(d); }
};

}  // namespace

std::string HttpResponse::header(const std::string& lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return "";
}

std::unique_ptr<HttpClient> make_curl_client(const CurlOptions& options) {
  return std::make_unique<CurlClient>(options);
}

Clock& system_clock() {
  static SystemClock clock;
  return clock;
}

}  // namespace io
