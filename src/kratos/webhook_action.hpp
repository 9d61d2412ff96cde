#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace core {

using Json = nlohmann::ordered_json;

// What goes into a Kratos `web_hook` action that calls Segment.
struct ActionSpec {
  std::string url;
  std::string method = "POST";
  std::string body;       // a body URI: base64://, file://, http:// or https://
  std::string write_key;  // the basic-auth user; the password stays empty
  std::string id;         // optional hook id; empty for none
  std::vector<std::pair<std::string, std::string>> headers;
  bool ignore_response = false;
  bool parse_response = false;
  bool emit_analytics_event = true;
};

enum class InsecureUrl { refuse, allow };

// legacy_path: a body with none of the four schemes, which Kratos's schema still allows
// (deprecated) and its request builder reads as "file://" + body (request/builder.go
// readTemplate, on fetcher.ErrUnknownScheme).
enum class BodyScheme { base64, file, http, https, legacy_path };

// The scheme of a body URI; nullopt for an empty body.
std::optional<BodyScheme> body_scheme(const std::string& body);

// An absolute http(s) URL, and plain http only to loopback unless `insecure` allows it
// (the write key travels in the request); `err` says what is wrong, worded for the user.
bool validate_url(const std::string& url, InsecureUrl insecure, std::string* err);

// RFC 7230 token characters only.
bool is_valid_header_name(const std::string& name);

// The first rule of Kratos's schema (or of sending a write key safely) that `spec`
// breaks goes to `err`, worded for the user; false then. Never mentions the key.
bool validate(const ActionSpec& spec, InsecureUrl insecure, std::string* err);

// The action as Kratos's `selfServiceWebHook` expects it, keys in the docs' order.
Json build_action(const ActionSpec& spec);

// A web_hook action found inside a document (an action, a hook list or a config).
struct FoundHook {
  std::string pointer;  // JSON pointer of the action; "" for the document itself
  const Json* action;
};

// Every `{"hook": "web_hook", ...}` object in `doc`, in document order.
std::vector<FoundHook> find_web_hooks(const Json& doc);

}  // namespace core

namespace core {

// How a web_hook authenticates: config.auth, as Kratos's request builder applies it.
struct ActionAuth {
  enum class Kind { none, basic, api_key_header, api_key_cookie };
  Kind kind = Kind::none;
  std::string name;   // the header ("Authorization" for basic) or the cookie name
  std::string value;  // the header value ("Basic ...") or the cookie value
};

// A deployed web_hook action, read back: what Kratos will call and how.
struct DeployedAction {
  std::string url;
  std::string method;
  std::string body;                                          // the body URI
  std::vector<std::pair<std::string, std::string>> headers;  // config.headers, as written
  ActionAuth auth;
  bool ignore_response = false;
  bool parse_response = false;
  bool can_interrupt = false;
  bool emit_analytics_event = true;  // config.emit_analytics_event (default true)
  std::string auth_description;      // "basic_auth (user <redacted>)", for display
  std::string secret;                // the credential, to redact from anything printed
};

// Reads a `{"hook": "web_hook", "config": {...}}` action; `err` says what is wrong.
bool read_action(const Json& action, DeployedAction* out, std::string* err);

// Why Kratos fails every call of the action before it sends anything, or "": response.ignore
// together with response.parse (which Kratos's config schema also refuses) or can_interrupt
// (which it allows) is a misconfiguration at run time (selfservice/hook/web_hook.go:314-316
// at both profiles' commits). The pointer is config/response/ignore.
std::string ignore_conflict(const DeployedAction& action);

}  // namespace core
