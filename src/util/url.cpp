#include "util/url.hpp"

#include <cctype>

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
  std::string_view rest = text.substr(scheme_end + 3);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    url.query = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  url.path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      *err = "has an unterminated IPv6 address";
      return std::nullopt;
    }
    url.host = std::string(authority.substr(1, close - 1));
    authority = authority.substr(close + 1);
    if (!authority.empty()) {
      if (authority.front() != ':') {
        *err = "has junk after the IPv6 address";
        return std::nullopt;
      }
      url.port = std::string(authority.substr(1));
    }
  } else {
    const auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) url.port = std::string(authority.substr(colon + 1));
  }
  if (url.host.empty()) {
    *err = "has no host";
    return std::nullopt;
  }
  for (char c : url.port) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      *err = "has an invalid port";
      return std::nullopt;
    }
  }
  if (url.port.size() > 5 || (!url.port.empty() && std::stoul(url.port) > 65535)) {
    *err = "has an invalid port";
    return std::nullopt;
  }
  return url;
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

}  // namespace util
