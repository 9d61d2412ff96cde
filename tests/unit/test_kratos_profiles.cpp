// The two Kratos profiles (--kratos network|v26.2.0) where their hook tables differ, each
// difference as read from ory/kratos at the profile's commit (docs/fidelity.md).
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "kratos/runtime_profile.hpp"
#include "lint/config_lint.hpp"

namespace {

const core::KratosProfile& network() { return *core::find_kratos_profile("network"); }
const core::KratosProfile& release() { return *core::find_kratos_profile("v26.2.0"); }

core::Json web_hook(const std::string& url) {
  return {{"hook", "web_hook"},
          {"config",
           {{"url", url},
            {"method", "POST"},
            {"body", "base64://ZnVuY3Rpb24oY3R4KSB7IHVzZXJJZDogY3R4LmlkZW50aXR5LmlkIH0="},
            {"response", {{"ignore", true}}}}}};
}

// "name name ..." of what runs at `point` ("?" when the table has no such row).
std::string runs(const std::vector<core::HookRow>& table, const std::string& point) {
  for (const auto& row : table) {
    if (row.point.name() != point) continue;
    std::string out;
    for (const auto& h : row.hooks) out += (out.empty() ? "" : " ") + h.name;
    return out;
  }
  return "?";
}

bool enabled(const std::vector<core::HookRow>& table, const std::string& point) {
  for (const auto& row : table) {
    if (row.point.name() == point) return row.enabled;
  }
  FAIL("no row for " + point);
  return false;
}

std::vector<core::Finding> lint(const core::Json& config, const core::KratosProfile& kratos) {
  core::ConfigLintOptions options;
  options.kratos = &kratos;
  return core::lint_config(config, "kratos.yml", options).findings;
}

bool has(const std::vector<core::Finding>& findings, const std::string& rule,
         const std::string& location) {
  return std::any_of(findings.begin(), findings.end(), [&](const core::Finding& f) {
    return f.rule == rule && f.location == location;
  });
}

}  // namespace

TEST_CASE("kratos profiles: named, pinned, network the default") {
  REQUIRE(core::kratos_profile_names() == std::vector<std::string>{"network", "v26.2.0"});
  CHECK(&core::default_kratos_profile() == &network());
  CHECK(network().commit == "b86338da04a040247a07f46100a86dcfb3875909");
  CHECK(release().commit == "9d7085948039ffb8960160d4979f71527b5cf4d5");
  CHECK(core::find_kratos_profile("v26.2") == nullptr);
  // The worker's answer: master's scanner takes 256 KiB, v26.2.0's bufio default 64 KiB,
  // the NUL delimiter included.
  CHECK(network().max_output == 262143);
  CHECK(release().max_output == 65535);
}

TEST_CASE("kratos profiles: Ory Network's hooks run only on Ory Network") {
  // A password list holding only b2b_sso: on Ory Network it is the method's own list; a
  // self-hosted v26.2.0 drops the hook (getHooks' default case), so the list is empty and
  // the global list runs for password.
  const core::Json config = {{"selfservice",
                              {{"flows",
                                {{"registration",
                                  {{"after",
                                    {{"hooks", {web_hook("https://api.segment.io/v1/identify")}},
                                     {"password", {{"hooks", {{{"hook", "b2b_sso"}}}}}}}}}}}}}}};
  // (Ory Network's executors for b2b_sso are not public: it is assumed to run at both stages.)
  CHECK(runs(core::hook_table(config, network()), "registration.after.password") ==
        "b2b_sso b2b_sso");
  CHECK(runs(core::hook_table(config, release()), "registration.after.password") == "web_hook");
  CHECK(has(lint(config, network()), "web-hook-never-runs",
            "kratos.yml#/selfservice/flows/registration/after/hooks/0"));
  CHECK_FALSE(has(lint(config, release()), "web-hook-never-runs",
                  "kratos.yml#/selfservice/flows/registration/after/hooks/0"));
}

TEST_CASE("kratos profiles: verify_new_address and notify_previous_addresses are master's") {
  const core::Json config = {{"selfservice",
                              {{"flows",
                                {{"settings",
                                  {{"after",
                                    {{"profile",
                                      {{"hooks",
                                        {{{"hook", "verify_new_address"}},
                                         {{"hook", "notify_previous_addresses"}}}}}}}}}}}}}}};
  const std::string at = "kratos.yml#/selfservice/flows/settings/after/profile/hooks/";
  const auto on_network = lint(config, network());
  CHECK_FALSE(has(on_network, "hook-unknown", at + "0"));
  CHECK_FALSE(has(on_network, "hook-unknown", at + "1"));
  const auto on_release = lint(config, release());
  CHECK(has(on_release, "hook-unknown", at + "0"));
  CHECK(has(on_release, "hook-unknown", at + "1"));
  CHECK(runs(core::hook_table(config, network()), "settings.after.profile") ==
        "verify_new_address notify_previous_addresses");
  CHECK(runs(core::hook_table(config, release()), "settings.after.profile").empty());
}

TEST_CASE("kratos profiles: the saml method is Ory Network's") {
  const core::Json config = {
      {"selfservice",
       {{"methods", {{"saml", {{"enabled", true}}}}},
        {"flows", {{"registration", {{"after", {{"saml", {{"hooks", core::Json::array()}}}}}}}}}}}};
  CHECK(runs(core::hook_table(config, network()), "registration.after.saml").empty());
  CHECK(runs(core::hook_table(config, release()), "registration.after.saml") == "?");
}

TEST_CASE("kratos profiles: code.passwordless_enabled turns code on in both") {
  // driver/config/config.go SelfServiceStrategy: enabled || passwordless_enabled for code.
  const core::Json config = {
      {"selfservice",
       {{"methods", {{"code", {{"enabled", false}, {"passwordless_enabled", true}}}}}}}};
  for (const auto* kratos : {&network(), &release()}) {
    CAPTURE(kratos->name);
    const auto table = core::hook_table(config, *kratos);
    CHECK(enabled(table, "registration.after.code"));
    CHECK(enabled(table, "login.after.code"));
  }
  const core::Json off = {{"selfservice", {{"methods", {{"code", {{"enabled", false}}}}}}}};
  CHECK_FALSE(enabled(core::hook_table(off, network()), "login.after.code"));
}

TEST_CASE("kratos profiles: a config's version that is not the profile's gets a note") {
  const core::Json config = {{"version", "v26.2.0"}};
  CHECK(has(lint(config, network()), "kratos-version", "kratos.yml#/version"));
  CHECK_FALSE(has(lint(config, release()), "kratos-version", "kratos.yml#/version"));
  CHECK(has(lint({{"version", "v1.3.0"}}, release()), "kratos-version", "kratos.yml#/version"));
  CHECK_FALSE(
      has(lint({{"version", "latest"}}, release()), "kratos-version", "kratos.yml#/version"));
}
