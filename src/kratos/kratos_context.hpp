#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kratos/hook_points.hpp"

namespace core {

using Json = nlohmann::ordered_json;

enum class FlowType { browser, api };

// clients.web_hook.header_allowlist: the request headers Kratos passes to templates. nullopt:
// the config does not set it, so Kratos's default applies; an empty list (set explicitly)
// passes none (driver/config/config.go WebhookHeaderAllowlist reads the key as given).
using HeaderAllowlist = std::optional<std::vector<std::string>>;

struct ContextOptions {
  HookPoint hook{"registration", "after", "password"};
  FlowType flow_type = FlowType::browser;
  Json identity;           // as `ory get identity` prints it; null for none
  Json transient_payload;  // null: absent, as Kratos omits an empty one
  std::vector<std::pair<std::string, std::string>> extra_headers;  // --header NAME=VALUE
  HeaderAllowlist header_allowlist;
  std::string public_url = "https://playground.projects.oryapis.com";
  std::string oidc_provider = "google";  // the provider an oidc after-hook's callback names
  // A registration after-hook with response.parse or can_interrupt runs before the identity
  // is saved: its id is the nil UUID and its timestamps Go's zero time.
  bool pre_persist = false;
  // Before-hooks: what ran them, a before_triggers name of the flow ("": "created").
  std::string trigger;
  // Login after-hooks: a re-authentication of a signed-in user (the flow's refresh: true),
  // which continues the user's session.
  bool refresh = false;
  // The flow's id; "": a stable one derived from the hook point (tests, dry runs).
  std::string flow_id;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// The default of Kratos's clients.web_hook.header_allowlist: the request headers it passes to
// templates (exact names; all others are dropped).
const std::vector<std::string>& default_header_allowlist();

// Whether `canonical_name` is on `allowlist` (compared canonically; nullopt: the default).
bool is_allowlisted_header(const std::string& canonical_name,
                           const HeaderAllowlist& allowlist = std::nullopt);

// Go's textproto.CanonicalMIMEHeaderKey: "user-agent" -> "User-Agent"; a name with a
// character outside the token set is left as it is.
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

// An identity as Kratos's JSON encoding has it in ctx (identity/identity.go, the struct tags
// and MarshalJSON): credentials and metadata_admin removed; the omitempty fields whose types
// can be empty (external_id, state_changed_at, verifiable_addresses, recovery_addresses,
// region) absent when empty; metadata_public and organization_id (a uuid.NullUUID: a struct,
// which omitempty never omits) null when unset.
void encode_identity_fields(Json* identity);

// The identity as Kratos encodes it in ctx (encode_identity_fields). `pre_persist`: not yet
// saved, so the id and the addresses' ids are the nil UUID and created_at/updated_at Go's
// zero time.
Json context_identity(const Json& identity, bool pre_persist = false);

// Why the flow's transient_payload does not reach a hook at `hook`, or "" when it does: it
// reaches after-hooks only; in login not passkey's or lookup_secret's, in settings only
// oidc's (the other strategies do not copy it onto the flow: ory/kratos issue 4609).
std::string transient_payload_missing(const HookPoint& hook);
inline bool transient_payload_reaches(const HookPoint& hook) {
  return transient_payload_missing(hook).empty();
}

constexpr const char* k_nil_uuid = "00000000-0000-0000-0000-000000000000";
constexpr const char* k_go_zero_time = "0001-01-01T00:00:00Z";

}  // namespace core
