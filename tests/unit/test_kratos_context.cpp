#include <catch2/catch.hpp>

#include "kratos/hook_points.hpp"
#include "kratos/identity_schema.hpp"
#include "kratos/kratos_context.hpp"

namespace {

core::Json identity_with_secrets() {
  core::Json identity = core::builtin_sample_identity();
  identity["credentials"] = {{"password", {{"type", "password"}}}};
  identity["metadata_admin"] = {{"internal", true}};
  identity["metadata_public"] = {{"plan", "pro"}};
  return identity;
}

core::Json context_for(const std::string& hook_name,
                       core::FlowType type = core::FlowType::browser) {
  std::string err;
  const auto hook = core::parse_hook_point(hook_name, &err);
  REQUIRE(hook);
  core::ContextOptions opts;
  opts.hook = *hook;
  opts.flow_type = type;
  opts.identity = identity_with_secrets();
  return core::build_context(opts, nullptr);
}

}  // namespace

TEST_CASE("hook_points: the flows and method lists of Kratos's config schema, and saml") {
  std::string err;
  // Flows' before and global after lists, then the method lists (embedx/config.schema.json
  // selfservice.flows.*.after; saml: Ory Network's).
  std::vector<std::string> names;
  for (const auto& point : core::all_hook_points()) names.push_back(point.name());
  CHECK(names == std::vector<std::string>{
                     "login.before",
                     "login.after",
                     "login.after.password",
                     "login.after.webauthn",
                     "login.after.passkey",
                     "login.after.oidc",
                     "login.after.code",
                     "login.after.totp",
                     "login.after.lookup_secret",
                     "login.after.saml",
                     "registration.before",
                     "registration.after",
                     "registration.after.password",
                     "registration.after.webauthn",
                     "registration.after.passkey",
                     "registration.after.oidc",
                     "registration.after.code",
                     "registration.after.saml",
                     "settings.before",
                     "settings.after",
                     "settings.after.password",
                     "settings.after.totp",
                     "settings.after.oidc",
                     "settings.after.webauthn",
                     "settings.after.passkey",
                     "settings.after.lookup_secret",
                     "settings.after.profile",
                     "settings.after.saml",
                     "recovery.before",
                     "recovery.after",
                     "verification.before",
                     "verification.after",
                 });
  CHECK(core::ory_network_only(*core::parse_hook_point("registration.after.saml", &err)));
  CHECK_FALSE(core::ory_network_only(*core::parse_hook_point("login.after.oidc", &err)));
  const auto hp = core::parse_hook_point("settings.after.profile", &err);
  REQUIRE(hp);
  CHECK(hp->pointer() == "/selfservice/flows/settings/after/profile/hooks");
  CHECK_FALSE(core::parse_hook_point("recovery.after.code", &err));
  CHECK(err ==
        "hook point 'recovery.after.code': recovery has no method lists; use recovery.after");
  CHECK_FALSE(core::parse_hook_point("login.before.password", &err));
  CHECK(err ==
        "hook point 'login.before.password': before-hooks have no method lists; use login.before");
  CHECK_FALSE(core::parse_hook_point("login.after.pasword", &err));
  CHECK(err ==
        "hook point 'login.after.pasword': login has no method 'pasword'; did you mean "
        "'password'? (valid: password, webauthn, passkey, oidc, code, totp, lookup_secret, saml)");
  CHECK_FALSE(core::parse_hook_point("login", &err));
}

TEST_CASE("kratos_context: identity and session only where Kratos passes them") {
  struct Expect {
    const char* hook;
    bool identity;
    bool session;
  };
  const Expect table[] = {
      {"registration.before", false, false},
      {"registration.after", true, false},
      {"registration.after.password", true, false},
      {"registration.after.oidc", true, false},
      {"login.before", false, false},
      {"login.after.password", true, true},
      {"settings.before", false, true},
      {"settings.after.profile", true, true},
      {"recovery.before", false, false},
      {"recovery.after", true, false},
      {"verification.before", false, false},
      {"verification.after", true, false},
  };
  for (const auto& e : table) {
    CAPTURE(e.hook);
    const core::Json ctx = context_for(e.hook);
    CHECK(ctx.contains("identity") == e.identity);
    CHECK(ctx.contains("session") == e.session);
    CHECK_FALSE(ctx.contains("transient_payload"));
    for (const char* key :
         {"flow", "request_headers", "request_method", "request_url", "request_cookies"}) {
      CHECK(ctx.contains(key));
    }
    if (e.identity) {
      CHECK_FALSE(ctx["identity"].contains("credentials"));
      CHECK_FALSE(ctx["identity"].contains("metadata_admin"));
      CHECK(ctx["identity"]["metadata_public"]["plan"] == "pro");
    }
    if (e.session) CHECK_FALSE(ctx["session"]["identity"].contains("credentials"));
  }
}

TEST_CASE("kratos_context: the flow and the request") {
  const core::Json ctx = context_for("registration.after.password", core::FlowType::api);
  const core::Json& flow = ctx["flow"];
  CHECK(flow["type"] == "api");
  // The password strategy does not set Active in registration (omitempty: absent).
  CHECK_FALSE(flow.contains("active"));
  CHECK(context_for("login.after.password")["flow"]["active"] == "password");
  for (const char* key : {"id", "expires_at", "issued_at", "request_url", "ui", "state"})
    CHECK(flow.contains(key));
  CHECK(ctx["request_method"] == "POST");
  CHECK(ctx["request_url"].get<std::string>().find("/self-service/registration?flow=") !=
        std::string::npos);
  CHECK(ctx["request_cookies"] == core::Json::object());
  for (const auto& [name, values] : ctx["request_headers"].items()) {
    CAPTURE(name);
    CHECK(core::is_allowlisted_header(name));
    CHECK(values.is_array());
  }
  CHECK(context_for("registration.after.password")["flow"]["type"] == "browser");
}

TEST_CASE("kratos_context: extra headers are canonicalised and filtered like Kratos") {
  core::ContextOptions opts;
  opts.identity = core::builtin_sample_identity();
  opts.extra_headers = {{"user-agent", "curl/8"},
                        {"x-forwarded-for", "1.2.3.4"},
                        {"sec-ch-ua-platform", "\"Linux\""},
                        {"Cookie", "a=b"}};
  std::vector<std::string> dropped;
  const core::Json ctx = core::build_context(opts, &dropped);
  CHECK(ctx["request_headers"]["User-Agent"].back() == "curl/8");
  CHECK(ctx["request_headers"]["Sec-Ch-Ua-Platform"] == core::Json::array({"\"Linux\""}));
  CHECK(dropped == std::vector<std::string>{"X-Forwarded-For", "Cookie"});
}

TEST_CASE("kratos_context: the allowlist is exact names, Kratos's default or the project's") {
  core::ContextOptions opts;
  opts.identity = core::builtin_sample_identity();
  opts.flow_type = core::FlowType::api;
  opts.extra_headers = {{"sec-ch-ua-arch", "x86"}, {"sec-fetch-user", "?1"}, {"x-request-id", "7"}};
  std::vector<std::string> dropped;
  core::Json ctx = core::build_context(opts, &dropped);
  CHECK(ctx["request_headers"]["Sec-Fetch-User"] == core::Json::array({"?1"}));
  // Not a prefix match: Sec-Ch-Ua-Arch is not on Kratos's default list.
  CHECK(dropped == std::vector<std::string>{"Sec-Ch-Ua-Arch", "X-Request-Id"});
  opts.header_allowlist = {"x-request-id", "User-Agent"};
  dropped.clear();
  ctx = core::build_context(opts, &dropped);
  CHECK(ctx["request_headers"]["X-Request-Id"] == core::Json::array({"7"}));
  CHECK_FALSE(ctx["request_headers"].contains("Accept"));  // a default header it drops now
  CHECK(dropped == std::vector<std::string>{"Sec-Ch-Ua-Arch", "Sec-Fetch-User"});
}

TEST_CASE("kratos_context: transient payload lives in ctx.flow, absent when empty") {
  core::ContextOptions opts;
  opts.identity = core::builtin_sample_identity();
  opts.transient_payload = core::Json{{"utm_source", "newsletter"}};
  CHECK(core::build_context(opts, nullptr)["flow"]["transient_payload"]["utm_source"] ==
        "newsletter");
  opts.transient_payload = core::Json::object();
  CHECK_FALSE(core::build_context(opts, nullptr)["flow"].contains("transient_payload"));
}

TEST_CASE("kratos_context: every hook point Kratos has builds a ctx") {
  for (const auto& hook : core::all_hook_points()) {
    CAPTURE(hook.name());
    const core::Json ctx = context_for(hook.name());
    CHECK(ctx.contains("identity") == (hook.when == "after"));
    const bool session = (hook.flow == "login" && hook.when == "after") || hook.flow == "settings";
    CHECK(ctx.contains("session") == session);
    // Active is omitempty, set only by some strategies: every login strategy; in registration
    // code and oidc (profile sets ""); in settings oidc; recovery and verification carry
    // their strategy's group. A global list (no method) gets none here.
    const bool active =
        hook.when == "after" &&
        ((hook.flow == "login" && !hook.method.empty()) || hook.flow == "recovery" ||
         hook.flow == "verification" || hook.method == "oidc" || hook.method == "saml" ||
         (hook.flow == "registration" && hook.method == "code"));
    CHECK(ctx["flow"].contains("active") == active);
    // The oidc callback is the provider's, not the flow's.
    const std::string path =
        hook.method == "oidc" ? "/self-service/methods/oidc/" : "/self-service/" + hook.flow;
    CHECK(ctx["request_url"].get<std::string>().find(path) != std::string::npos);
  }
}

TEST_CASE("kratos_context: the request a hook runs in") {
  core::ContextOptions opts;
  opts.identity = core::builtin_sample_identity();
  opts.transient_payload = core::Json{{"utm_source", "ad"}};
  std::string err;
  const auto at = [&](const std::string& hook) {
    opts.hook = *core::parse_hook_point(hook, &err);
    return core::build_context(opts, nullptr);
  };
  // Before-hooks: the GET that creates the flow, no transient payload yet.
  auto ctx = at("registration.before");
  CHECK(ctx["request_method"] == "GET");
  CHECK(ctx["request_url"] == opts.public_url + "/self-service/registration/browser");
  CHECK_FALSE(ctx["flow"].contains("transient_payload"));
  CHECK(ctx["flow"]["organization_id"].is_null());
  CHECK(ctx["flow"].contains("organization_id"));
  // oidc after-hooks: the provider's callback; the session names the provider.
  ctx = at("login.after.oidc");
  CHECK(ctx["request_method"] == "GET");
  CHECK(ctx["request_url"] == opts.public_url + "/self-service/methods/oidc/callback/google");
  CHECK(ctx["session"]["authentication_methods"][0]["provider"] == "google");
  // The others: the POST that submits the flow, with the transient payload.
  ctx = at("registration.after.password");
  CHECK(ctx["request_method"] == "POST");
  CHECK(ctx["flow"]["transient_payload"] == opts.transient_payload);
  CHECK_FALSE(at("settings.after.profile")["flow"].contains("organization_id"));
}

TEST_CASE("kratos_context: settings hooks see the transient payload only for oidc (#4609)") {
  std::string err;
  core::ContextOptions opts;
  opts.identity = core::builtin_sample_identity();
  opts.transient_payload = core::Json{{"utm_source", "newsletter"}};
  for (const char* name : {"settings.after.password", "settings.after.profile"}) {
    opts.hook = *core::parse_hook_point(name, &err);
    CHECK_FALSE(core::transient_payload_reaches(opts.hook));
    CHECK_FALSE(core::build_context(opts, nullptr)["flow"].contains("transient_payload"));
  }
  opts.hook = *core::parse_hook_point("settings.after.oidc", &err);
  CHECK(core::build_context(opts, nullptr)["flow"]["transient_payload"]["utm_source"] ==
        "newsletter");
  opts.hook = *core::parse_hook_point("login.after.password", &err);
  CHECK(core::build_context(opts, nullptr)["flow"].contains("transient_payload"));
}

TEST_CASE("kratos_context: the identity as Kratos's JSON encoding has it") {
  core::Json identity = core::builtin_sample_identity();
  identity["verifiable_addresses"] = core::Json::array();
  identity["recovery_addresses"] = nullptr;
  identity["external_id"] = "";
  identity["organization_id"] = nullptr;
  identity.erase("metadata_public");
  const core::Json ctx = core::context_identity(identity);
  for (const char* omitted : {"verifiable_addresses", "recovery_addresses", "external_id"}) {
    CHECK_FALSE(ctx.contains(omitted));
  }
  CHECK(ctx.contains("metadata_public"));  // no omitempty: null when unset
  CHECK(ctx["metadata_public"].is_null());
  // A uuid.NullUUID is a struct, which omitempty never omits: null, also when the identity
  // given has no such field.
  CHECK(ctx.contains("organization_id"));
  CHECK(ctx["organization_id"].is_null());
  identity.erase("organization_id");
  CHECK(core::context_identity(identity)["organization_id"].is_null());
  identity["verifiable_addresses"] = {{{"id", "a1"}, {"value", "x@example.com"}}};
  identity["external_id"] = "crm-1";
  const core::Json kept = core::context_identity(identity);
  CHECK(kept["verifiable_addresses"].size() == 1);
  CHECK(kept["external_id"] == "crm-1");
}

TEST_CASE("kratos_context: a registration hook with response.parse runs before the save") {
  std::string err;
  core::ContextOptions opts;
  opts.hook = *core::parse_hook_point("registration.after.password", &err);
  opts.identity = core::builtin_sample_identity();
  opts.identity["verifiable_addresses"] = {{{"id", "a1"},
                                            {"value", "x@example.com"},
                                            {"verified", true},
                                            {"status", "completed"},
                                            {"verified_at", "2026-01-02T00:00:00Z"},
                                            {"created_at", "2026-01-01T00:00:00Z"}}};
  opts.identity["schema_url"] = "https://playground.projects.oryapis.com/schemas/ZGVmYXVsdA";
  opts.pre_persist = true;
  const core::Json ctx = core::build_context(opts, nullptr);
  // Not read back from the database yet: no schema URL (Go's ""), addresses new
  // (NewVerifiableAddress: pending, not verified).
  CHECK(ctx["identity"]["schema_url"] == "");
  const core::Json& address = ctx["identity"]["verifiable_addresses"][0];
  CHECK(address["status"] == "pending");
  CHECK(address["verified"] == false);
  CHECK_FALSE(address.contains("verified_at"));
  CHECK(ctx["identity"]["id"] == "00000000-0000-0000-0000-000000000000");
  CHECK(ctx["identity"]["created_at"] == "0001-01-01T00:00:00Z");
  CHECK(ctx["identity"]["updated_at"] == "0001-01-01T00:00:00Z");
  CHECK(ctx["identity"]["verifiable_addresses"][0]["id"] == "00000000-0000-0000-0000-000000000000");
  CHECK(ctx["identity"]["traits"] == opts.identity["traits"]);
  // After the save (no parse): the stored identity.
  opts.pre_persist = false;
  CHECK(core::build_context(opts, nullptr)["identity"]["id"] == opts.identity["id"]);
  // Only registration has a pre-persist point.
  opts.pre_persist = true;
  opts.hook = *core::parse_hook_point("settings.after.profile", &err);
  CHECK(core::build_context(opts, nullptr)["identity"]["id"] == opts.identity["id"]);
}

TEST_CASE("kratos_context: a login after-hook sees the session before it is stored") {
  const core::Json login = context_for("login.after.password");
  CHECK(login["session"]["id"] == "00000000-0000-0000-0000-000000000000");
  CHECK(login["session"]["devices"][0]["id"] == "00000000-0000-0000-0000-000000000000");
  CHECK(login["session"]["active"] == true);
  const core::Json settings = context_for("settings.after.profile");
  CHECK(settings["session"]["id"] != "00000000-0000-0000-0000-000000000000");
}
