#pragma once

#include <optional>
#include <string>
#include <vector>

namespace core {

// Where Kratos runs hooks: selfservice.flows.<flow>.<before|after>[.<method>].hooks.
struct HookPoint {
  std::string flow;    // login, registration, settings, recovery, verification
  std::string when;    // before or after
  std::string method;  // empty: the flow's own list (before, or the global after list)

  // "registration.after.password"
  std::string name() const;
  // "/selfservice/flows/registration/after/password/hooks"
  std::string pointer() const;
};

// Where every verb assumes a hook runs unless told: the password sign-up's own after-list,
// where Ory Network projects and the Kratos quickstarts run their registration hooks.
constexpr const char* k_default_hook_point = "registration.after.password";

const std::vector<std::string>& hook_flows();
// The methods that have their own after-hook list in `flow` (empty for recovery and
// verification), `saml` included (Ory Network's).
const std::vector<std::string>& hook_methods(const std::string& flow);

// Parses "FLOW.WHEN[.METHOD]"; on failure `err` names the bad part, the valid values
// and, when one is close, a did-you-mean.
std::optional<HookPoint> parse_hook_point(const std::string& text, std::string* err);

// Whether only Ory Network has this hook point: `saml` (login, registration, settings) is an
// Ory Network method (terraform-provider-ory PR 330); self-hosted Kratos's config schema has
// no such list.
bool ory_network_only(const HookPoint& hook);
constexpr const char* k_ory_network_only_note =
    "saml is an Ory Network method: self-hosted Kratos has no saml hook list (its config "
    "schema refuses one)";

// What makes Kratos run a flow's before-hooks: creating the flow, and other requests that
// create one (each cited in docs/fidelity.md, "Before-hooks on other requests"). The hooks run
// in that request: it is ctx's request_method and request_url.
struct BeforeTrigger {
  const char* name;    // "created" (the flow's own creation), "save", "oidc-callback", ...
  const char* when;    // in words
  const char* method;  // of the request the hooks run in
  const char* path;    // its path; {type} browser or api, {flow} and {token} ids, {provider}
};
// `flow`'s triggers, "created" first.
std::vector<BeforeTrigger> before_triggers(const std::string& flow);

// Every hook point Kratos has, in table order.
std::vector<HookPoint> all_hook_points();

}  // namespace core
