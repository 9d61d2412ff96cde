#include "kratos/hook_points.hpp"

#include <algorithm>

#include "util/text.hpp"

namespace core {
namespace {

std::string did_you_mean(const std::string& word, const std::vector<std::string>& valid) {
  std::string out;
  if (const auto guess = util::closest_match(word, valid)) out = "; did you mean '" + *guess + "'?";
  return out + " (valid: " + util::join(valid, ", ") + ")";
}

}  // namespace

std::string HookPoint::name() const {
  return flow + "." + when + (method.empty() ? "" : "." + method);
}

std::string HookPoint::pointer() const {
  return "/selfservice/flows/" + flow + "/" + when + (method.empty() ? "" : "/" + method) +
         "/hooks";
}

const std::vector<std::string>& hook_flows() {
  static const std::vector<std::string> k_flows = {"login", "registration", "settings", "recovery",
                                                   "verification"};
  return k_flows;
}

const std::vector<std::string>& hook_methods(const std::string& flow) {
  // saml last: an Ory Network method (see ory_network_only).
  static const std::vector<std::string> k_registration = {"password", "webauthn", "passkey",
                                                          "oidc",     "code",     "saml"};
  static const std::vector<std::string> k_login = {"password", "webauthn", "passkey",       "oidc",
                                                   "code",     "totp",     "lookup_secret", "saml"};
  static const std::vector<std::string> k_settings = {
      "password", "totp", "oidc", "webauthn", "passkey", "lookup_secret", "profile", "saml"};
  static const std::vector<std::string> k_none;
  if (flow == "registration") return k_registration;
  if (flow == "login") return k_login;
  if (flow == "settings") return k_settings;
  return k_none;
}

std::optional<HookPoint> parse_hook_point(const std::string& text, std::string* err) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t dot = text.find('.');; dot = text.find('.', start)) {
    parts.push_back(text.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (parts.size() < 2 || parts.size() > 3) {
    *err =
        "hook point '" + text + "': expected FLOW.WHEN[.METHOD], e.g. registration.after.password";
    return std::nullopt;
  }
  HookPoint hp{parts[0], parts[1], parts.size() == 3 ? parts[2] : ""};
  const auto& flows = hook_flows();
  if (hp.flow == "logout" || hp.flow == "error") {
    *err = "hook point '" + text + "': Kratos runs no hooks in the " + hp.flow +
           " flow (flows with hooks: " + util::join(flows, ", ") + ")";
    return std::nullopt;
  }
  if (std::find(flows.begin(), flows.end(), hp.flow) == flows.end()) {
    *err =
        "hook point '" + text + "': unknown flow '" + hp.flow + "'" + did_you_mean(hp.flow, flows);
    return std::nullopt;
  }
  if (hp.when != "before" && hp.when != "after") {
    *err = "hook point '" + text + "': unknown timing '" + hp.when + "'" +
           did_you_mean(hp.when, {"before", "after"});
    return std::nullopt;
  }
  if (hp.method.empty()) return hp;
  if (hp.when == "before") {
    *err =
        "hook point '" + text + "': before-hooks have no method lists; use " + hp.flow + ".before";
    return std::nullopt;
  }
  const auto& methods = hook_methods(hp.flow);
  if (methods.empty()) {
    *err =
        "hook point '" + text + "': " + hp.flow + " has no method lists; use " + hp.flow + ".after";
    return std::nullopt;
  }
  if (std::find(methods.begin(), methods.end(), hp.method) == methods.end()) {
    *err = "hook point '" + text + "': " + hp.flow + " has no method '" + hp.method + "'" +
           did_you_mean(hp.method, methods);
    return std::nullopt;
  }
  return hp;
}

bool ory_network_only(const HookPoint& hook) { return hook.method == "saml"; }

std::vector<HookPoint> all_hook_points() {
  std::vector<HookPoint> points;
  for (const auto& flow : hook_flows()) {
    points.push_back({flow, "before", ""});
    points.push_back({flow, "after", ""});
    for (const auto& method : hook_methods(flow)) points.push_back({flow, "after", method});
  }
  return points;
}

std::vector<BeforeTrigger> before_triggers(const std::string& flow) {
  std::vector<BeforeTrigger> out = {
      {"created", "the flow is created", "GET", "/self-service/{flow_name}/{type}"}};
  if (flow == "settings") {
    // settings/hook.go:283 (after a save), strategy/code/strategy_recovery.go:307 and
    // strategy/link/strategy_recovery.go:338 (the settings flow a recovery leads to).
    out.push_back({"save", "a settings save succeeds (the next settings flow is created)", "POST",
                   "/self-service/settings?flow={flow}"});
    out.push_back({"recovery-code", "a recovery code is accepted", "POST",
                   "/self-service/recovery?flow={flow}"});
    out.push_back({"recovery-link", "a recovery link is opened", "GET",
                   "/self-service/recovery?flow={flow}&token={token}"});
  } else if (flow == "registration") {
    // strategy/oidc/strategy_login.go:390: a social sign-in that finds no account registers.
    out.push_back({"oidc-callback", "a social sign-in finds no account", "GET",
                   "/self-service/methods/oidc/callback/{provider}"});
  } else if (flow == "login") {
    // strategy/oidc/strategy_registration.go:301: a social sign-up that finds the account
    // signs in; flow/login/hook.go:301, :356: a sign-in that links credentials needs aal2.
    out.push_back({"oidc-callback", "a social sign-up finds an existing account", "GET",
                   "/self-service/methods/oidc/callback/{provider}"});
    out.push_back({"aal2-link", "a sign-in that links credentials needs a second factor", "GET",
                   "/self-service/login/browser?aal=aal2"});
  }
  return out;
}

}  // namespace core
