#include "kratos/hook_table.hpp"

#include <algorithm>

#include "kratos/config_patch.hpp"
#include "util/json_pointer.hpp"
#include "util/text.hpp"

namespace core {
namespace {

// The executors Kratos builds from a hook list: each hook runs only where its type has the
// stage's Execute method (selfservice/hook/*.go); getHooks drops it elsewhere.
enum class Stage {
  before,             // every flow's PreHookExecutor
  login_after,        // login.PostHookExecutor
  registration_pre,   // registration.PostHookPrePersistExecutor
  registration_post,  // registration.PostHookPostPersistExecutor
  settings_pre,
  settings_post,
  recovery_after,
  verification_after,
};

bool has_executor(const std::string& name, Stage stage, const KratosProfile& profile) {
  if (name == "web_hook") return true;
  if (profile.injects(name)) return true;       // Ory Network's injected hooks: assumed to run
  if (!profile.knows_hook(name)) return false;  // getHooks' `default:` drops it
  switch (stage) {
    case Stage::before:
      return false;
    case Stage::login_after:
      return name == "revoke_active_sessions" || name == "require_verified_address" ||
             name == "show_verification_ui" || name == "verification";
    case Stage::registration_pre:
      return false;
    case Stage::registration_post:
      return name == "session" || name == "show_verification_ui" || name == "verification";
    case Stage::settings_pre:
      return name == "verify_new_address";
    case Stage::settings_post:
      return name == "revoke_active_sessions" || name == "show_verification_ui" ||
             name == "verification" || name == "notify_previous_addresses";
    case Stage::recovery_after:
      return name == "revoke_active_sessions";
    case Stage::verification_after:
      return false;
  }
  return false;
}

// getHooks: the hooks of the list at `pointer` that have an executor for `stage`, session
// moved last.
std::vector<RunningHook> get_hooks(const Json& config, const std::string& pointer, Stage stage,
                                   const KratosProfile& profile) {
  std::vector<RunningHook> out;
  const Json* list = at_pointer(config, pointer);
  if (!list || !list->is_array()) return out;
  std::optional<RunningHook> session;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Json& hook = (*list)[i];
    const std::string name = hook_name(hook);
    if (!has_executor(name, stage, profile)) continue;
    RunningHook h{pointer + "/" + std::to_string(i), name, hook_config(hook).value("url", ""),
                  false};
    if (name == "session") {
      session = h;
    } else {
      out.push_back(h);
    }
  }
  if (session) out.push_back(*session);
  return out;
}

// The hooks that do something at their stage: a web_hook runs before the save only with
// response.parse or can_interrupt, after it only without.
std::vector<RunningHook> that_run(const Json& config, std::vector<RunningHook> hooks, Stage stage) {
  const bool pre = stage == Stage::registration_pre || stage == Stage::settings_pre;
  const bool post = stage == Stage::registration_post || stage == Stage::settings_post;
  std::vector<RunningHook> out;
  for (auto& h : hooks) {
    if (h.name == "web_hook" && (pre || post)) {
      const Json* hook = at_pointer(config, h.pointer);
      if (hook && runs_before_save(*hook) != pre) continue;
    }
    h.before_save = pre;
    out.push_back(std::move(h));
  }
  return out;
}

bool json_true(const Json* v) { return v && v->is_boolean() && v->get<bool>(); }

HookRow after_row(const Json& config, const std::string& flow, const std::string& method,
                  const KratosProfile& profile) {
  HookRow row;
  row.point = {flow, "after", method};
  row.flow_enabled = flow_enabled(config, flow);
  row.enabled = row.flow_enabled && method_enabled(config, flow, method);
  const std::string own = row.point.pointer();
  const std::string global = HookPoint{flow, "after", ""}.pointer();
  if (flow == "login") {
    row.hooks = get_hooks(config, own, Stage::login_after, profile);
    if (row.hooks.empty()) {
      row.global = true;
      row.hooks = get_hooks(config, global, Stage::login_after, profile);
    }
    return row;
  }
  const Stage pre = flow == "registration" ? Stage::registration_pre : Stage::settings_pre;
  const Stage post = flow == "registration" ? Stage::registration_post : Stage::settings_post;
  row.hooks = that_run(config, get_hooks(config, own, pre, profile), pre);
  std::vector<RunningHook> after = get_hooks(config, own, post, profile);
  if (after.empty()) {
    row.global = true;
    after = get_hooks(config, global, post, profile);
  }
  for (auto& h : that_run(config, after, post)) row.hooks.push_back(std::move(h));
  return row;
}

}  // namespace

// The hooks Kratos's config schema allows in a list (selfServiceAfterRegistrationMethod
// and friends).
std::vector<std::string> allowed_hooks(const HookPoint& list, const KratosProfile& profile) {
  std::vector<std::string> out = {"web_hook"};
  const auto add = [&out](std::initializer_list<const char*> names) {
    for (const char* n : names) out.emplace_back(n);
  };
  const bool global = list.method.empty();
  const bool after = list.when == "after";
  if (after && list.flow == "registration" && !global) add({"session", "show_verification_ui"});
  if (after && list.flow == "login") {
    add({"revoke_active_sessions", "require_verified_address"});
    if (list.method != "oidc") add({"verification", "show_verification_ui"});
  }
  if (after && list.flow == "settings" && list.method == "profile") {
    add({"show_verification_ui", "verify_new_address", "notify_previous_addresses"});
  }
  if (after && ((list.flow == "settings" && !global && list.method != "profile") ||
                list.flow == "recovery")) {
    add({"revoke_active_sessions"});
  }
  // Ory Network's: everywhere but settings' and recovery's method-like lists.
  const bool no_b2b = after && ((list.flow == "settings" && !global && list.method != "profile") ||
                                list.flow == "recovery");
  if (!no_b2b) add({"b2b_sso", "organization"});
  out.erase(std::remove_if(out.begin(), out.end(),
                           [&profile](const std::string& h) { return !profile.knows_hook(h); }),
            out.end());
  return out;
}

const Json* at_pointer(const Json& doc, const std::string& pointer) {
  try {
    return &doc.at(Json::json_pointer(pointer));
  } catch (const Json::exception&) {
    return nullptr;
  }
}

std::string hook_name(const Json& hook) {
  if (!hook.is_object()) return "";
  const auto it = hook.find("hook");
  return it != hook.end() && it->is_string() ? it->get<std::string>() : "";
}

Json hook_config(const Json& hook) {
  if (!hook.is_object()) return Json::object();
  const auto it = hook.find("config");
  return it != hook.end() && it->is_object() ? *it : Json::object();
}

bool names_saml(const Json& config, const std::string& flow) {
  return at_pointer(config, "/selfservice/methods/saml") != nullptr ||
         at_pointer(config, "/selfservice/flows/" + flow + "/after/saml") != nullptr;
}

bool flow_enabled(const Json& config, const std::string& flow) {
  if (flow != "registration" && flow != "recovery" && flow != "verification") return true;
  const Json* enabled = at_pointer(config, "/selfservice/flows/" + flow + "/enabled");
  if (enabled && enabled->is_boolean()) return enabled->get<bool>();
  return flow == "registration";
}

bool method_enabled(const Json& config, const std::string& flow, const std::string& method) {
  const std::string base = "/selfservice/methods/" + method;
  const Json* enabled = at_pointer(config, base + "/enabled");
  const bool on_by_default = method == "password" || method == "profile" || method == "code";
  const bool on = enabled && enabled->is_boolean() ? enabled->get<bool>() : on_by_default;
  // WebAuthn signs up only as a passwordless method (selfservice/strategy/webauthn/
  // registration.go:100, WebAuthnForPasswordless: config.passwordless, default false).
  if (method == "webauthn" && flow == "registration") {
    return on && json_true(at_pointer(config, base + "/config/passwordless"));
  }
  if (method != "code") return on;
  // passwordless_enabled turns code on whatever code.enabled says (driver/config/config.go,
  // SelfServiceStrategy); code signs up and logs in only with passwordless_enabled (or, in
  // login, mfa_enabled).
  const bool passwordless = json_true(at_pointer(config, base + "/passwordless_enabled"));
  return (on || passwordless) &&
         (passwordless ||
          (flow == "login" && json_true(at_pointer(config, base + "/mfa_enabled"))));
}

std::vector<HookRow> hook_table(const Json& config, const KratosProfile& profile) {
  std::vector<HookRow> rows;
  for (const auto& flow : hook_flows()) {
    HookRow before;
    before.point = {flow, "before", ""};
    before.enabled = before.flow_enabled = flow_enabled(config, flow);
    before.hooks = get_hooks(config, before.point.pointer(), Stage::before, profile);
    rows.push_back(before);
    const auto& methods = hook_methods(flow);
    if (methods.empty()) {
      HookRow after;
      after.point = {flow, "after", ""};
      after.enabled = after.flow_enabled = flow_enabled(config, flow);
      after.hooks = get_hooks(
          config, after.point.pointer(),
          flow == "recovery" ? Stage::recovery_after : Stage::verification_after, profile);
      rows.push_back(after);
      continue;
    }
    for (const auto& method : methods) {
      if (ory_network_only({flow, "after", method}) &&
          (!profile.saml || !names_saml(config, flow))) {
        continue;
      }
      rows.push_back(after_row(config, flow, method, profile));
    }
  }
  return rows;
}

HeaderAllowlist config_header_allowlist(const Json& config) {
  const Json* list = at_pointer(config, "/clients/web_hook/header_allowlist");
  if (!list || !list->is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& h : *list) {
    if (h.is_string()) out.push_back(h.get<std::string>());
  }
  return out;
}

}  // namespace core
