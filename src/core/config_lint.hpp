#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/finding.hpp"
#include "core/hook_points.hpp"

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
  // The method is enabled (selfservice.methods.<m>.enabled, or Kratos's default for it);
  // always true for rows without a method.
  bool enabled = true;
};

// The hook table of `config` (a Kratos or Ory Network identity config), for every flow and
// method, as Kratos's registries build it (driver/registry_default_*.go): a method's own
// after-list, or the global one when the method's list has no hook of the kind the
// flow runs there; hooks that do nothing at a point (session in login) left out; session
// moved last; in registration and settings, web_hooks with response.parse or can_interrupt
// run before the save, from the method's own list only. `saml` rows (Ory Network) only when
// the config names saml.
std::vector<HookRow> hook_table(const Json& config);

// The config's clients.web_hook.header_allowlist (empty when it has none: Kratos's default).
std::vector<std::string> config_header_allowlist(const Json& config);

struct ConfigLintOptions {
  const Json* schema = nullptr;  // the identity schema, for the bodies' templates
};

struct ConfigLint {
  std::vector<HookRow> table;
  std::vector<Finding> findings;
};

// The mistakes of a config's hooks, located by JSON pointer ("NAME#/selfservice/..."), each
// with its rule and a fix: lists that are not lists and method lists Kratos does not know,
// unknown hooks and hooks that do nothing where they are, web_hooks that never run (a
// shadowed global list, a method that is not enabled) or run for some methods only,
// response.parse in a global list, session before a web_hook, Segment calls without
// response.ignore, duplicate hooks, web_hooks Kratos's schema refuses; and each web_hook
// body (base64:// or file://) linted as a template (lint_template) at the hook points it
// runs at, for the Segment call its URL makes, with the config's header allowlist, located
// in the body ("NAME#/.../config/body:LINE:COL"). Bodies fetched at run time get a note.
ConfigLint lint_config(const Json& config, const std::string& name,
                       const ConfigLintOptions& options);

}  // namespace core
