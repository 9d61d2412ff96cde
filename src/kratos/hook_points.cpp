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

}  // namespace core
