#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace util {

struct Url {
  std::string scheme;  // lower-cased
  std::string host;    // without brackets for IPv6 literals
  std::string port;    // empty when absent
  std::string path;    // from the first '/', without query or fragment
  std::string query;   // without the '?'
};

// Parses an absolute URL of the form scheme://[userinfo@]host[:port][/path][?query][#fragment].
// Returns nullopt (and a reason in `err`) for anything else.
std::optional<Url> parse_url(std::string_view text, std::string* err);

// The absolute URL a reference (a Location header) names, relative to `base` (RFC 3986
// section 5.2: absolute, scheme-relative "//host/p", absolute-path "/p", relative "p",
// query-only "?q"; dot segments removed). nullopt (and why in `err`) when the result is not
// an absolute URL.
std::optional<std::string> resolve_url(std::string_view base, std::string_view reference,
                                       std::string* err);

// `text` with the password of every URL in it (scheme://user:password@host) replaced by
// "***", so a message can quote a URL a user gave.
std::string redact_url_passwords(std::string text);

// The same, and every occurrence of `secret` (when not empty), and of the base64 forms HTTP
// Basic carries it in, replaced by "<redacted>".
std::string redact_secrets(std::string text, const std::string& secret);

// localhost, *.localhost, 127.0.0.0/8 and ::1: traffic to these never leaves the machine.
bool is_loopback_host(std::string_view host);

}  // namespace util
