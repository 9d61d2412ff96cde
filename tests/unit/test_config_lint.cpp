#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "lint/config_lint.hpp"
#include "lint/lint_rules.hpp"

namespace {

core::Json web_hook(const std::string& url, core::Json extra = core::Json::object()) {
  core::Json config = {
      {"url", url},
      {"method", "POST"},
      {"body", "base64://ZnVuY3Rpb24oY3R4KSB7IHVzZXJJZDogY3R4LmlkZW50aXR5LmlkIH0="},
      {"response", {{"ignore", true}}}};
  for (const auto& [k, v] : extra.items()) config[k] = v;
  return {{"hook", "web_hook"}, {"config", config}};
}

core::Json hook(const std::string& name) { return {{"hook", name}}; }

// "name name ..." of what runs at `point`, or "?" when the table has no such row.
std::string runs(const std::vector<core::HookRow>& table, const std::string& point) {
  for (const auto& row : table) {
    if (row.point.name() != point) continue;
    std::string out;
    for (const auto& h : row.hooks) {
      out += (out.empty() ? "" : " ") + h.name + (h.before_save ? "(pre)" : "");
    }
    return out;
  }
  return "?";
}

// The row for `point`; the test fails when the table has none.
const core::HookRow& row(const std::vector<core::HookRow>& table, const std::string& point) {
  const auto it = std::find_if(table.begin(), table.end(),
                               [&](const core::HookRow& r) { return r.point.name() == point; });
  if (it == table.end()) FAIL("no row for " + point);
  return *it;
}

std::vector<std::string> rules(const std::vector<core::Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.rule + " " + f.location);
  return out;
}

bool has(const std::vector<core::Finding>& findings, const std::string& rule,
         const std::string& location) {
  for (const auto& f : findings) {
    if (f.rule == rule && f.location == location) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("config_lint: the hook table follows Kratos's registries") {
  const std::string segment = "https://api.segment.io/v1/identify";
  core::Json config = {
      {"selfservice",
       {{"methods",
         {{"password", {{"enabled", true}}},
          {"oidc", {{"enabled", true}}},
          {"code", {{"enabled", true}}}}},
        {"flows",
         {{"registration",
           {{"before", {{"hooks", {web_hook(segment)}}}},
            {"after",
             {{"hooks", {web_hook(segment), web_hook(segment, {{"response", {{"parse", true}}}})}},
              // session first in the list, last when run; the parse web_hook before the save
              {"password",
               {{"hooks",
                 {hook("session"), web_hook("https://example.com/a"),
                  web_hook("https://example.com/p", {{"response", {{"parse", true}}}})}}}},
              // a list with only a parse web_hook still shadows the global list
              {"oidc",
               {{"hooks",
                 {web_hook("https://example.com/p", {{"response", {{"parse", true}}}})}}}}}}}},
          {"login",
           // session has no login executor: the password list counts as empty
           {{"after",
             {{"hooks", {web_hook(segment)}}, {"password", {{"hooks", {hook("session")}}}}}}}},
          {"settings",
           // verify_new_address runs before the save only: the post-save hooks fall back
           {{"after",
             {{"hooks", {web_hook(segment)}},
              {"profile", {{"hooks", {hook("verify_new_address")}}}}}}}},
          {"recovery", {{"after", {{"hooks", {hook("revoke_active_sessions")}}}}}}}}}}};
  const auto table = core::hook_table(config);
  CHECK(runs(table, "registration.before") == "web_hook");
  CHECK(runs(table, "registration.after.password") == "web_hook(pre) web_hook session");
  CHECK(runs(table, "registration.after.oidc") == "web_hook(pre)");
  CHECK(runs(table, "registration.after.webauthn") == "web_hook");  // the global list, no parse
  CHECK(runs(table, "login.after.password") == "web_hook");
  CHECK(runs(table, "settings.after.profile") == "verify_new_address(pre) web_hook");
  CHECK(runs(table, "recovery.after") == "revoke_active_sessions");
  CHECK(runs(table, "verification.after") == "");
  CHECK(runs(table, "login.after.saml") == "?");  // the config does not name saml
  CHECK_FALSE(row(table, "registration.after.webauthn").enabled);
  CHECK(row(table, "registration.after.oidc").enabled);
  CHECK_FALSE(row(table, "registration.after.code").enabled);  // only with passwordless_enabled
  CHECK(row(table, "registration.after.webauthn").global);
  CHECK_FALSE(row(table, "registration.after.password").global);
  const std::string reg = "k.yml#/selfservice/flows/registration/after/hooks/";
  const auto findings = core::lint_config(config, "k.yml", {}).findings;
  CAPTURE(rules(findings));
  // password and oidc have their own lists, the other methods are not enabled: the global
  // web_hook never runs
  CHECK(has(findings, "web-hook-never-runs", reg + "0"));
  CHECK(has(findings, "parse-in-global-list", reg + "1"));
  CHECK(!has(findings, "web-hook-never-runs", reg + "1"));  // said once, by its own rule
  CHECK(!has(findings, "web-hook-some-methods",
             "k.yml#/selfservice/flows/settings/after/hooks/0"));  // profile falls back
  CHECK(has(findings, "session-before-web-hook",
            "k.yml#/selfservice/flows/registration/after/password/hooks/1"));
  // a ctx.identity lookup in a before-hook, located in the body
  CHECK(has(findings, "ctx-field-at-hook",
            "k.yml#/selfservice/flows/registration/before/hooks/0/config/body:1:25"));

  // code signs up with passwordless_enabled, and has no list of its own: the global list runs
  // for it, and the methods that shadow it are named.
  config["selfservice"]["methods"]["code"]["passwordless_enabled"] = true;
  CHECK(row(core::hook_table(config), "registration.after.code").enabled);
  const auto with_code = core::lint_config(config, "k.yml", {}).findings;
  CHECK(!has(with_code, "web-hook-never-runs", reg + "0"));
  const auto some = std::find_if(with_code.begin(), with_code.end(), [&](const core::Finding& f) {
    return f.rule == "web-hook-some-methods" && f.location == reg + "0";
  });
  REQUIRE(some != with_code.end());
  CHECK(some->message.find("password, oidc registrations") != std::string::npos);
  // Ory Network's saml, when the config names it, is a row of its own.
  config["selfservice"]["methods"]["saml"] = {{"enabled", true}};
  CHECK(runs(core::hook_table(config), "login.after.saml") == "web_hook");
}

TEST_CASE("config_lint: every finding names a rule of the catalogue") {
  const core::Json config = core::Json::parse(R"({
    "selfservice": {"flows": {
      "registration": {"after": {
        "hooks": "session",
        "pasword": {"hooks": [{"hook": "session"}]},
        "password": {"hooks": [{"hook": "sesion"}, 3, {"hook": "web_hook", "config": {"url": "x"}},
                               {"hook": "revoke_active_sessions"}]}}},
      "login": {"after": {"hooks": [
        {"hook": "web_hook", "config": {"url": "https://api.segment.io/v1/track", "method": "POST",
          "body": "base64://ZnVuY3Rpb24oY3R4KSB7IHVzZXJJZDogY3R4LmlkZW50aXR5LmlkIH0="}},
        {"hook": "web_hook", "config": {"url": "https://api.segment.io/v1/track", "method": "POST",
          "body": "base64://ZnVuY3Rpb24oY3R4KSB7IHVzZXJJZDogY3R4LmlkZW50aXR5LmlkIH0="}}]}}}}
  })");
  const auto findings = core::lint_config(config, "k.yml", {}).findings;
  CAPTURE(rules(findings));
  const std::string reg = "k.yml#/selfservice/flows/registration/after/";
  CHECK(has(findings, "config-shape", reg + "hooks"));
  CHECK(has(findings, "config-shape", reg + "pasword"));
  CHECK(has(findings, "hook-unknown", reg + "password/hooks/0"));
  CHECK(has(findings, "config-shape", reg + "password/hooks/1"));
  CHECK(has(findings, "web-hook-invalid", reg + "password/hooks/2"));
  CHECK(has(findings, "hook-not-here", reg + "password/hooks/3"));
  const std::string login = "k.yml#/selfservice/flows/login/after/hooks/";
  CHECK(has(findings, "hook-duplicate", login + "1"));
  CHECK(has(findings, "response-ignore", login + "0"));
  // a track without event, in the body, located in it
  CHECK(has(findings, "segment-message", login + "0/config/body"));
  for (const auto& f : findings) {
    CAPTURE(f.location, f.message);
    CHECK(core::find_lint_rule(f.rule) != nullptr);
  }
}
