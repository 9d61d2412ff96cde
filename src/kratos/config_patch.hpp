#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "kratos/hook_points.hpp"

namespace core {

using Json = nlohmann::ordered_json;

// One RFC 6902 operation with an identity-config path.
struct PatchOp {
  std::string op;  // "add", "replace" or "remove" (no value)
  std::string path;
  Json value;
};

struct PatchRequest {
  Json action;                          // a web_hook action
  std::vector<HookPoint> targets;       // the hook lists to install it in
  std::optional<std::size_t> position;  // index in each list; nullopt: the end
  // Install beside a web_hook with the same URL and method instead of replacing it (a second
  // Segment source); an identical hook is still left alone.
  bool beside_same_endpoint = false;
};

struct PatchPlan {
  std::vector<PatchOp> ops;
  std::vector<std::string> notes;     // e.g. "already installed"
  std::vector<std::string> warnings;  // where the hook will not fire, or will block sign-ups
};

// Plans the ops that install `request.action` in every target list. Without a config
// (nullptr), one `add` per list at the requested position. With one, the ops create
// missing parents, skip lists that already hold the identical hook, and replace a
// web_hook with the same URL and method. A method's after-list that is empty today (so
// Kratos runs the flow's global after-list for that method) is created with the global
// hooks it ran, in their order, and the action before 'session': the method keeps every
// hook it had (web_hooks with response.parse or can_interrupt stay out in registration
// and settings, where they never ran for it). False, with `err`, when the config has a
// non-object or non-list where a path needs one.
bool plan_patch(const PatchRequest& request, const Json* config, PatchPlan* plan, std::string* err);

// The web_hooks `patch --remove` takes out: those with this URL (and method, when given), or
// those whose body is this template (embedded as base64://, or stored by Ory Network: the same
// SHA-512).
struct RemovalMatch {
  std::string url;
  std::string method;         // "": any
  std::string template_text;  // "": not by template
};

// The ops that take every matching web_hook out of `lists` (every hook list when empty),
// the highest index of a list first, and a note for each; a method's after-list left empty
// gets a warning (Kratos then runs the flow's global after-list for that method again).
// False, with `err`, when no hook matches.
bool plan_removal(const Json& config, const RemovalMatch& match,
                  const std::vector<HookPoint>& lists, PatchPlan* plan, std::string* err);

// A web_hook with response.parse or can_interrupt: in registration and settings it runs
// before the identity is saved, from a method's own list only (no global fallback:
// PostRegistrationPrePersistHooks, PostSettingsPrePersistHooks).
bool runs_before_save(const Json& hook);

// Whether a hook list at `target` runs for sign-ups that use `method` under `config`:
// Kratos runs the global after-list for a method only when the method's own list is
// empty (registry_default_registration.go and friends).
std::vector<std::string> methods_shadowing_global_list(const HookPoint& target, const Json& config);

// The ops as an RFC 6902 document; `prefix` is put before every path
// ("/services/identity/config" for the project API).
Json to_json_patch(const std::vector<PatchOp>& ops, const std::string& prefix = "");

// Applies the ops (RFC 6902 semantics) to a copy of `config`; they must come from
// plan_patch on that config.
Json apply_ops(const Json& config, const std::vector<PatchOp>& ops);

}  // namespace core
