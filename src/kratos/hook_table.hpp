#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kratos/hook_points.hpp"
#include "kratos/kratos_context.hpp"
#include "kratos/runtime_profile.hpp"

// What Kratos runs where: the hook lists of an identity config read as Kratos's registries
// read them (driver/registry_default_*.go, selfservice/hook/*.go).
namespace core {

using Json = nlohmann::ordered_json;

// One hook as Kratos runs it at a hook point.
struct RunningHook {
  std::string pointer;       // where it is in the config
  std::string name;          // its "hook": web_hook, session, ...
  std::string url;           // a web_hook's config.url
  bool before_save = false;  // registration and settings: runs before the identity is saved
};

// What Kratos runs at one hook point: a flow's before-list, or its after-hooks for one
// method (recovery and verification: for all).
struct HookRow {
  HookPoint point;
  std::vector<RunningHook> hooks;  // in the order Kratos runs them (session last)
  // Registration, login and settings: the method's own list is empty, so the flow's global
  // after-list runs.
  bool global = false;
  // The flow is enabled (flow_enabled) and so is the method (method_enabled), where the row
  // has one.
  bool enabled = true;
  bool flow_enabled = true;  // flow_enabled alone: `enabled` is false because of the flow
};

// The hook table of `config` (a Kratos or Ory Network identity config), for every flow and
// method, as Kratos's registries build it (driver/registry_default_*.go): a method's own
// after-list, or the global one when the method's list has no hook of the kind the
// flow runs there; hooks that do nothing at a point (session in login) left out; session
// moved last; in registration and settings, web_hooks with response.parse or can_interrupt
// run before the save, from the method's own list only. `saml` rows (Ory Network) only when
// the profile has saml and the config names it. A hook the profile's Kratos does not know,
// or an Ory Network hook on a self-hosted Kratos, is dropped as getHooks drops it.
std::vector<HookRow> hook_table(const Json& config,
                                const KratosProfile& profile = default_kratos_profile());

// The config's clients.web_hook.header_allowlist: nullopt when it sets none (Kratos's default
// applies), an empty list when it sets [] (Kratos passes no headers).
HeaderAllowlist config_header_allowlist(const Json& config);

// The pieces config_lint reads configs with.

// The hooks the profile's config schema allows in the list at `list` (by name: all it knows
// are KratosProfile::schema_hooks).
std::vector<std::string> allowed_hooks(const HookPoint& list, const KratosProfile& profile);
// The value at a JSON pointer, or nullptr.
const Json* at_pointer(const Json& doc, const std::string& pointer);
// A hook entry's "hook" (empty when it has none) and its "config" (an object, or null).
std::string hook_name(const Json& hook);
Json hook_config(const Json& hook);
// Whether the config names Ory Network's saml method for `flow`.
bool names_saml(const Json& config, const std::string& flow);
// selfservice.flows.<flow>.enabled, or Kratos's default: registration on, recovery and
// verification off (the config schema's defaults); login and settings cannot be turned off.
// A flow that is off runs none of its hooks (its handlers refuse every request).
bool flow_enabled(const Json& config, const std::string& flow);
// selfservice.methods.<method>.enabled, or Kratos's default for it (code is on also with
// passwordless_enabled, signs up only with it, logs in also with mfa_enabled; webauthn signs
// up only with config.passwordless).
bool method_enabled(const Json& config, const std::string& flow, const std::string& method);

}  // namespace core
