#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/hook_points.hpp"

namespace core {

using Json = nlohmann::ordered_json;

enum class FlowType { browser, api };

struct ContextOptions {
  HookPoint hook{"registration", "after", "password"};
  FlowType flow_type = FlowType::browser;
  Json identity;           // as `ory get identity` prints it; null for none
  Json transient_payload;  // null: absent, as Kratos omits an empty one
  std::vector<std::pair<std::string, std::string>> extra_headers;  // --header NAME=VALUE
  // clients.web_hook.header_allowlist: the headers Kratos passes; empty for its default.
  std::vector<std::string> header_allowlist;
  std::string public_url = "https://playground.projects.oryapis.com";
  std::string oidc_provider = "google";  // the provider an oidc after-hook's callback names
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// The default of Kratos's clients.web_hook.header_allowlist: the request headers it passes to
// templates (exact names; all others are dropped).
const std::vector<std::string>& default_header_allowlist();

// Whether `canonical_name` is on `allowlist` (compared canonically; empty: the default).
bool is_allowlisted_header(const std::string& canonical_name,
                           const std::vector<std::string>& allowlist = {});

// Go's textproto.CanonicalMIMEHeaderKey: "user-agent" -> "User-Agent".
std::string canonical_header_name(const std::string& name);

// The `ctx` Kratos binds for a web_hook at `opts.hook` (selfservice/hook/web_hook.go,
// templateContext): flow, request_headers, request_method, request_url,
// request_cookies, and identity and session only where that hook point has them. The
// request is the one the hook runs in: before-hooks on the GET that creates the flow (no
// transient payload), oidc after-hooks on the GET of the provider's callback, the others on
// the POST that submits the flow.
// Headers that Kratos would filter out are reported in `dropped_headers`.
Json build_context(const ContextOptions& opts, std::vector<std::string>* dropped_headers);

// Where build_context puts the identity at `hook`: {"identity"}, and {"session",
// "identity"} or {"flow", "identity"} where the hook point has them; empty for none.
std::vector<std::vector<std::string>> identity_paths(const HookPoint& hook);

// The identity as Kratos puts it in ctx: credentials and metadata_admin removed.
Json context_identity(const Json& identity);

}  // namespace core
