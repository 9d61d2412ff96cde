#include "util/url.hpp"

#include <curl/curl.h>

#include <cctype>
#include <vector>

#include "util/base64.hpp"
#include "util/text.hpp"

namespace util {

std::optional<Url> parse_url(std::string_view text, std::string* err) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      *err = "contains white space or a control character";
      return std::nullopt;
    }
  }
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) {
    *err = "is not an absolute URL (expected scheme://host/...)";
    return std::nullopt;
  }
  Url url;
  url.scheme = to_lower(text.substr(0, scheme_end));
  for (char c : url.scheme) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      *err = "has an invalid scheme";
      return std::nullopt;
    }
  }
  const std::string_view authority =
      text.substr(scheme_end + 3, text.find_first_of("/?#", scheme_end + 3) - scheme_end - 3);
  if (authority.empty() || authority.back() == '@') {
    *err = "has no host";
    return std::nullopt;
  }
  // The rest as libcurl reads it, since libcurl makes the connection: the host checked is the
  // host connected to (user info, backslashes, "127.1" and the like included).
  struct Handle {
    CURLU* h = curl_url();
    ~Handle() { curl_url_cleanup(h); }
  } handle;
  const std::string whole(text);
  const CURLUcode rc =
      handle.h ? curl_url_set(handle.h, CURLUPART_URL, whole.c_str(), CURLU_NON_SUPPORT_SCHEME)
               : CURLUE_OUT_OF_MEMORY;
  if (rc != CURLUE_OK) {
    *err = std::string("is not a valid URL (") + curl_url_strerror(rc) + ")";
    return std::nullopt;
  }
  const auto part = [&](CURLUPart which) {
    char* value = nullptr;
    std::string out;
    if (curl_url_get(handle.h, which, &value, 0) == CURLUE_OK && value) out = value;
    curl_free(value);
    return out;
  };
  url.host = part(CURLUPART_HOST);
  if (url.host.size() >= 2 && url.host.front() == '[' && url.host.back() == ']') {
    url.host = url.host.substr(1, url.host.size() - 2);
  }
  url.port = part(CURLUPART_PORT);
  url.path = part(CURLUPART_PATH);
  if (url.path == "/" && whole.find('/', scheme_end + 3) == std::string::npos) url.path.clear();
  url.query = part(CURLUPART_QUERY);
  if (url.host.empty()) {
    *err = "has no host";
    return std::nullopt;
  }
  if (!url.port.empty() &&
      (url.port.size() > 5 || std::stoul(url.port) == 0 || std::stoul(url.port) > 65535)) {
    *err = "has an invalid port (" + url.port + ")";
    return std::nullopt;
  }
  return url;
}

namespace {

// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string_view> out;
  const bool absolute = !path.empty() && path.front() == '/';
  std::string_view rest = absolute ? path.substr(1) : path;
  bool trailing = false;
  while (true) {
    const auto slash = rest.find('/');
    const std::string_view seg = rest.substr(0, slash);
    const bool last = slash == std::string_view::npos;
    trailing = last && (seg == "." || seg == "..");
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
    } else if (seg != ".") {
      out.push_back(seg);
    }
    if (last) break;
    rest = rest.substr(slash + 1);
  }
  std::string result = absolute ? "/" : "";
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i > 0) result += '/';
    result.append(out[i]);
  }
  if (trailing && !out.empty()) result += '/';
  return result;
}

std::string authority_of(const Url& u) {
  std::string a = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
  if (!u.port.empty()) a += ":" + u.port;
  return a;
}

}  // namespace

std::optional<std::string> resolve_url(std::string_view base, std::string_view reference,
                                       std::string* err) {
  const auto b = parse_url(base, err);
  if (!b) return std::nullopt;
  std::string_view ref = reference;
  if (const auto hash = ref.find('#'); hash != std::string_view::npos) ref = ref.substr(0, hash);
  const auto colon = ref.find(':');
  const auto first_delim = ref.find_first_of("/?");
  if (colon != std::string_view::npos && colon > 0 &&
      (first_delim == std::string_view::npos || colon < first_delim)) {
    if (!parse_url(ref, err)) return std::nullopt;  // absolute: scheme://...
    return std::string(ref);
  }
  std::string result;
  if (starts_with(ref, "//")) {
    result = b->scheme + ":" + std::string(ref);
  } else {
    const std::string prefix = b->scheme + "://" + authority_of(*b);
    std::string_view path = ref;
    std::string query;
    if (const auto q = ref.find('?'); q != std::string_view::npos) {
      path = ref.substr(0, q);
      query = std::string(ref.substr(q));
    } else if (ref.empty()) {
      query = b->query.empty() ? "" : "?" + b->query;
    }
    std::string merged;
    if (path.empty()) {
      merged = b->path.empty() ? "/" : b->path;
    } else if (path.front() == '/') {
      merged = std::string(path);
    } else {
      const std::string base_path = b->path.empty() ? "/" : b->path;
      merged = base_path.substr(0, base_path.rfind('/') + 1) + std::string(path);
    }
    result = prefix + remove_dot_segments(merged) + query;
  }
  if (!parse_url(result, err)) return std::nullopt;
  return result;
}

bool is_loopback_host(std::string_view host) {
  const std::string h = to_lower(host);
  if (h == "localhost" || ends_with(h, ".localhost") || h == "::1") return true;
  if (!starts_with(h, "127.")) return false;
  int dots = 0;
  for (char c : h) {
    if (c == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return dots == 3;
}

std::string redact_url_passwords(std::string text) {
  for (std::size_t at = text.find("://"); at != std::string::npos; at = text.find("://", at)) {
    const std::size_t start = at + 3;
    std::size_t end = start;
    while (end < text.size() &&
           std::string_view("/?#\"' \t\r\n<>").find(text[end]) == std::string_view::npos) {
      ++end;
    }
    const std::size_t userinfo_end = text.rfind('@', end == start ? start : end - 1);
    if (userinfo_end != std::string::npos && userinfo_end >= start && userinfo_end < end) {
      const std::size_t colon = text.find(':', start);
      if (colon < userinfo_end) {
        text.replace(colon + 1, userinfo_end - colon - 1, "***");
        end = colon + 1 + 3 + (end - userinfo_end);
      }
    }
    at = end;
  }
  return text;
}

std::string redact_secrets(std::string text, const std::string& secret) {
  text = redact_url_passwords(std::move(text));
  if (secret.empty()) return text;
  // The key, and the base64 forms it travels in (HTTP Basic: "KEY:" and "KEY") when a server
  // echoes the request back.
  for (const std::string& form : {secret, base64_encode(secret + ":"), base64_encode(secret)}) {
    for (auto pos = text.find(form); pos != std::string::npos; pos = text.find(form, pos)) {
      text.replace(pos, form.size(), "<redacted>");
    }
  }
  return text;
}

}  // namespace util
