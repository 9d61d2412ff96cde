// Kratos's runtime as its source has it, where the tool once differed (docs/fidelity.md cites
// each line at both profiles' commits).
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "engine/transform.hpp"
#include "kratos/hook_response.hpp"
#include "kratos/hook_table.hpp"
#include "kratos/identity_schema.hpp"
#include "kratos/kratos_context.hpp"
#include "lint/config_lint.hpp"
#include "lint/template_lint.hpp"

TEST_CASE("kratos runtime: an explicit empty header allowlist passes no headers") {
  // driver/config/config.go WebhookHeaderAllowlist reads the key as the config gives it; only
  // a config without the key gets the schema's default.
  CHECK_FALSE(core::config_header_allowlist(core::Json::object()).has_value());
  const core::Json empty = {
      {"clients", {{"web_hook", {{"header_allowlist", core::Json::array()}}}}}};
  const auto allowlist = core::config_header_allowlist(empty);
  REQUIRE(allowlist.has_value());
  CHECK(allowlist->empty());
  CHECK(core::is_allowlisted_header("User-Agent"));
  CHECK_FALSE(core::is_allowlisted_header("User-Agent", allowlist));

  std::string err;
  core::ContextOptions opts;
  opts.hook = *core::parse_hook_point("registration.after.password", &err);
  opts.identity = core::builtin_sample_identity();
  opts.header_allowlist = allowlist;
  CHECK(core::build_context(opts, nullptr)["request_headers"].empty());
  opts.header_allowlist.reset();
  CHECK(core::build_context(opts, nullptr)["request_headers"].contains("User-Agent"));
}

TEST_CASE("kratos runtime: lint --config with header_allowlist: [] flags every header read") {
  // base64 of: function(ctx) { userId: ctx.identity.id, context: { userAgent:
  // ctx.request_headers['User-Agent'][0] } }
  const std::string body =
      "base64://ZnVuY3Rpb24oY3R4KSB7IHVzZXJJZDogY3R4LmlkZW50aXR5LmlkLCBjb250ZXh0OiB7IHVzZXJBZ2"
      "VudDogY3R4LnJlcXVlc3RfaGVhZGVyc1snVXNlci1BZ2VudCddWzBdIH0gfQ==";
  core::Json config = {{"selfservice",
                        {{"flows",
                          {{"registration",
                            {{"after",
                              {{"password",
                                {{"hooks",
                                  {{{"hook", "web_hook"},
                                    {"config",
                                     {{"url", "https://api.segment.io/v1/identify"},
                                      {"method", "POST"},
                                      {"body", body},
                                      {"response", {{"ignore", true}}}}}}}}}}}}}}}}}}};
  const auto rules = [](const core::Json& c) {
    std::vector<std::string> out;
    for (const auto& f : core::lint_config(c, "kratos.yml", {}).findings) out.push_back(f.rule);
    return out;
  };
  const auto has = [](const std::vector<std::string>& list, const std::string& rule) {
    return std::find(list.begin(), list.end(), rule) != list.end();
  };
  CHECK_FALSE(has(rules(config), "header-not-forwarded"));
  config["clients"]["web_hook"]["header_allowlist"] = core::Json::array();
  CHECK(has(rules(config), "header-not-forwarded"));
}

TEST_CASE("kratos runtime: hooks of a flow that is not enabled never run") {
  // Recovery and verification are off unless enabled (the config schema's default: false);
  // registration is on unless turned off. Their handlers refuse every request when off.
  const core::Json hook = {{"hook", "web_hook"},
                           {"config",
                            {{"url", "https://example.com/hook"},
                             {"method", "POST"},
                             {"body", "base64://ZnVuY3Rpb24oY3R4KSB7fQ=="}}}};
  const auto findings = [](const core::Json& c) {
    std::vector<std::string> out;
    for (const auto& f : core::lint_config(c, "k", {}).findings) {
      out.push_back(f.rule + " " + f.location);
    }
    return out;
  };
  const auto has = [](const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
  };
  for (const std::string flow : {"recovery", "verification"}) {
    CAPTURE(flow);
    core::Json config = {{"selfservice", {{"flows", {{flow, {{"after", {{"hooks", {hook}}}}}}}}}}};
    const std::string at = "web-hook-never-runs k#/selfservice/flows/" + flow + "/after/hooks/0";
    CHECK(has(findings(config), at));
    CHECK_FALSE(core::flow_enabled(config, flow));
    config["selfservice"]["flows"][flow]["enabled"] = true;
    CHECK_FALSE(has(findings(config), at));
    CHECK(core::flow_enabled(config, flow));
  }
  core::Json config = {
      {"selfservice", {{"flows", {{"registration", {{"after", {{"hooks", {hook}}}}}}}}}}};
  const std::string at = "web-hook-never-runs k#/selfservice/flows/registration/after/hooks/0";
  CHECK_FALSE(has(findings(config), at));
  config["selfservice"]["flows"]["registration"]["enabled"] = false;
  CHECK(has(findings(config), at));
  for (const auto& row : core::hook_table(config)) {
    if (row.point.flow == "registration") CHECK_FALSE(row.enabled);
  }
}

TEST_CASE("kratos runtime: webauthn signs up only as a passwordless method") {
  // selfservice/strategy/webauthn/registration.go:100: not responsible unless
  // selfservice.methods.webauthn.config.passwordless is true (default false).
  core::Json config = {{"selfservice", {{"methods", {{"webauthn", {{"enabled", true}}}}}}}};
  CHECK_FALSE(core::method_enabled(config, "registration", "webauthn"));
  CHECK(core::method_enabled(config, "login", "webauthn"));
  config["selfservice"]["methods"]["webauthn"]["config"] = {{"passwordless", true}};
  CHECK(core::method_enabled(config, "registration", "webauthn"));
}

TEST_CASE("kratos runtime: lint flags ctx.flow.active read without a guard where it is absent") {
  core::TemplateLintOptions options;
  std::string err;
  options.hooks = {*core::parse_hook_point("registration.after.password", &err)};
  const auto rules = [&options](const std::string& source) {
    std::vector<std::string> out;
    for (const auto& f : core::lint_template(source, "t.jsonnet", options)) out.push_back(f.rule);
    return out;
  };
  const auto has = [](const std::vector<std::string>& list, const std::string& rule) {
    return std::find(list.begin(), list.end(), rule) != list.end();
  };
  const std::string bare =
      "function(ctx) { userId: ctx.identity.id, traits: { m: ctx.flow.active } }";
  CHECK(has(rules(bare), "ctx-field-at-hook"));
  CHECK_FALSE(has(rules("function(ctx) { userId: ctx.identity.id, traits: { m: std.get(ctx.flow, "
                        "'active') } }"),
                  "ctx-field-at-hook"));
  CHECK_FALSE(has(rules("function(ctx) { userId: ctx.identity.id, traits: { m: if 'active' in "
                        "ctx.flow then ctx.flow.active } }"),
                  "ctx-field-at-hook"));
  options.hooks = {*core::parse_hook_point("login.after.password", &err)};
  CHECK_FALSE(has(rules(bare), "ctx-field-at-hook"));
}

TEST_CASE("kratos runtime: the transient payload skips passkey and lookup_secret logins") {
  // The login strategies copy it onto the flow (password/login.go:71, ...); passkey and
  // lookup_secret do not.
  std::string err;
  core::ContextOptions opts;
  opts.identity = core::builtin_sample_identity();
  opts.transient_payload = {{"utm_source", "newsletter"}};
  for (const std::string method : {"password", "totp", "webauthn", "oidc", "code"}) {
    CAPTURE(method);
    opts.hook = *core::parse_hook_point("login.after." + method, &err);
    CHECK(core::build_context(opts, nullptr)["flow"].contains("transient_payload"));
  }
  for (const std::string method : {"passkey", "lookup_secret"}) {
    CAPTURE(method);
    opts.hook = *core::parse_hook_point("login.after." + method, &err);
    CHECK_FALSE(core::build_context(opts, nullptr)["flow"].contains("transient_payload"));
    CHECK(core::transient_payload_missing(opts.hook).find("login strategy does not copy it") !=
          std::string::npos);
  }
}

TEST_CASE("kratos runtime: the worker's input as Kratos marshals it, and its 65,535-byte limit") {
  // jsonnet_pool.go json.Marshal(processParameters): fields in order, nil slices as null,
  // the ctx with json.Encoder's newline; strings quoted with HTML characters escaped.
  const std::string doc =
      R"({"Filename":"base64://e30=","Snippet":"{}","TLACodes":[{"Key":"ctx","Value":"{}\n"}],)"
      R"("TLAVars":null,"ExtCodes":null,"ExtVars":null})";
  CHECK(core::worker_input_size("base64://e30=", "{}", "{}") == doc.size());
  // Each escape as Go 1.26's encoding/json writes it: "\u003ca \u0026 \"b\"\u003e\t\b\f",
  // U+2028 as \u2028, an invalid byte as \ufffd, other UTF-8 as is.
  const std::string escaped = "<a & \"b\">\t\b\f\xe2\x80\xa8\xff\xc3\xa9";
  const std::string go_quoted = R"("\u003ca \u0026 \"b\"\u003e\t\b\f\u2028\ufffd)"
                                "\xc3\xa9\"";
  const std::string escaped_doc =
      R"({"Filename":"","Snippet":)" + go_quoted +
      R"(,"TLACodes":[{"Key":"ctx","Value":"{}\n"}],"TLAVars":null,"ExtCodes":null,"ExtVars":null})";
  CHECK(core::worker_input_size("", escaped, "{}") == escaped_doc.size());

  // A template at the limit runs; one byte more and the hook fails with its own message.
  const std::string ctx = R"({"identity":{"id":"a"}})";
  const auto padded = [](std::size_t n) {
    return "function(ctx) { userId: ctx.identity.id, pad:: '" + std::string(n, 'x') + "' }";
  };
  std::size_t n = 1000;
  const auto size = [&](std::size_t k) {
    return core::worker_input_size("file:///etc/t.jsonnet", padded(k), ctx);
  };
  n += core::EvalLimits{}.max_input - size(n);
  REQUIRE(size(n) == 65535);
  core::EvalLimits limits;
  limits.template_uri = "file:///etc/t.jsonnet";
  CHECK(core::evaluate_template(padded(n), "t.jsonnet", ctx, limits).status ==
        core::EvalStatus::ok);
  const auto over = core::evaluate_template(padded(n + 1), "t.jsonnet", ctx, limits);
  CHECK(over.status == core::EvalStatus::failed);
  CHECK(over.error.message.find("reads at most 65,535 bytes") != std::string::npos);
  // With a base64:// body (build-action's), the template counts about 2.3 times.
  limits.template_uri.clear();
  CHECK(core::evaluate_template(padded(n / 2), "t.jsonnet", ctx, limits).status ==
        core::EvalStatus::failed);
}

TEST_CASE(
    "kratos runtime: what Kratos makes of the answer to a response.parse or can_interrupt hook") {
  const std::string messages =
      R"({"messages": [{"instance_ptr": "#/traits/email", "messages": [{"id": 4000001, )"
      R"("text": "this address is taken", "type": "error"}]}]})";
  struct Case {
    int status;
    std::string body;
    bool parse, interrupt;
    bool read, fails, interrupts;
    std::string error;  // a part of it
  };
  const std::vector<Case> cases = {
      // 200 with response.parse: JSON or the hook fails (RudderStack answers the text OK).
      {200, "", true, false, true, true, false, "unexpected end of JSON input"},
      {200, "OK", true, false, true, true, false,
       "invalid character 'O' looking for beginning of value"},
      {200, R"({"success":true})", true, false, true, false, false, ""},
      {200, "[1]", true, false, true, true, false, "cannot unmarshal array"},
      // not read: 204, another 2xx, or can_interrupt alone
      {204, "", true, false, false, false, false, ""},
      {201, "OK", true, false, false, false, false, ""},
      {200, "OK", false, true, false, false, false, ""},
      // >= 400: the flow's validation messages, or the hook fails with the decoding's error
      {400, messages, false, true, true, true, true, "a webhook target returned an error"},
      {422, messages + " trailing", true, false, true, true, true, ""},
      {400, R"({"error": "no"})", false, true, true, true, false, "got no validation errors"},
      {400, "", true, false, true, true, false, "from JSON: EOF"},
      // neither: Kratos's plain 502 (kratos_delivery)
      {400, messages, false, false, false, false, false, ""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.status, c.body, c.parse, c.interrupt);
    const auto a = core::read_hook_answer(c.status, c.body, c.parse, c.interrupt);
    CHECK(a.read == c.read);
    CHECK(a.hook_fails == c.fails);
    CHECK(a.interrupts == c.interrupts);
    CHECK(a.error.find(c.error) != std::string::npos);
    if (c.interrupts) {
      CHECK(a.messages == std::vector<std::string>{"#/traits/email: this address is taken"});
    }
  }
  // The identity in a 200 replaces the fields it has (not empty strings or lists); Go matches
  // field names whatever their case.
  const auto a = core::read_hook_answer(
      200, R"({"Identity": {"traits": {"email": "a@b.c"}, "state": "", "metadata_public": {}}})",
      true, false);
  CHECK_FALSE(a.hook_fails);
  CHECK(a.replaced == std::vector<std::string>{"traits", "metadata_public"});
}

TEST_CASE("kratos runtime: before-hooks also run in requests that create a flow on the way") {
  // settings.before after a save and on recovery; registration.before and login.before on
  // the OIDC callback; login.before when linking credentials needs aal2.
  const auto names = [](const std::string& flow) {
    std::vector<std::string> out;
    for (const auto& t : core::before_triggers(flow)) out.emplace_back(t.name);
    return out;
  };
  CHECK(names("settings") ==
        std::vector<std::string>{"created", "save", "recovery-code", "recovery-link"});
  CHECK(names("registration") == std::vector<std::string>{"created", "oidc-callback"});
  CHECK(names("login") == std::vector<std::string>{"created", "oidc-callback", "aal2-link"});
  CHECK(names("verification") == std::vector<std::string>{"created"});
  std::string err;
  core::ContextOptions c;
  c.hook = *core::parse_hook_point("settings.before", &err);
  c.identity = core::builtin_sample_identity();
  auto ctx = core::build_context(c, nullptr);
  CHECK(ctx["request_method"] == "GET");
  CHECK(ctx["request_url"] == c.public_url + "/self-service/settings/browser");
  c.trigger = "save";
  ctx = core::build_context(c, nullptr);
  CHECK(ctx["request_method"] == "POST");
  CHECK(ctx["request_url"].get<std::string>().rfind(c.public_url + "/self-service/settings?flow=",
                                                    0) == 0);
  CHECK(ctx["request_url"] != c.public_url + "/self-service/settings?flow=" +
                                  ctx["flow"]["id"].get<std::string>());  // the flow before
  c.hook = *core::parse_hook_point("registration.before", &err);
  c.trigger = "oidc-callback";
  ctx = core::build_context(c, nullptr);
  CHECK(ctx["request_url"] == c.public_url + "/self-service/methods/oidc/callback/google");
}

TEST_CASE("kratos runtime: a second factor steps up the session the user has, not a new one") {
  std::string err;
  core::ContextOptions c;
  c.identity = core::builtin_sample_identity();
  const std::string nil = "00000000-0000-0000-0000-000000000000";
  c.hook = *core::parse_hook_point("login.after.password", &err);
  auto session = core::build_context(c, nullptr)["session"];
  CHECK(session["id"] == nil);  // NewInactiveSession, stored after the hooks
  CHECK(session["authenticator_assurance_level"] == "aal1");
  CHECK(session["authentication_methods"].size() == 1);
  for (const std::string method : {"totp", "lookup_secret"}) {
    CAPTURE(method);
    c.hook = *core::parse_hook_point("login.after." + method, &err);
    session = core::build_context(c, nullptr)["session"];
    CHECK(session["id"] != nil);  // FetchFromRequest's session
    CHECK(session["authenticator_assurance_level"] == "aal2");
    REQUIRE(session["authentication_methods"].size() == 2);
    CHECK(session["authentication_methods"][0]["method"] == "password");
    CHECK(session["authentication_methods"][1]["method"] == method);
    CHECK(session["authentication_methods"][1]["aal"] == "aal2");
    REQUIRE(session["devices"].size() == 2);  // the stored one, and this request's
    CHECK(session["devices"][0]["id"] != nil);
    CHECK(session["devices"][1]["id"] == nil);
  }
}

TEST_CASE("kratos runtime: a refresh login continues the user's session at its level") {
  std::string err;
  core::ContextOptions c;
  c.identity = core::builtin_sample_identity();
  c.hook = *core::parse_hook_point("login.after.password", &err);
  c.refresh = true;
  const auto ctx = core::build_context(c, nullptr);
  CHECK(ctx["flow"]["refresh"] == true);
  const auto& session = ctx["session"];
  CHECK(session["id"] != "00000000-0000-0000-0000-000000000000");
  CHECK(session["authenticator_assurance_level"] == "aal1");
  CHECK(session["authentication_methods"].size() == 2);
  CHECK(session["devices"].size() == 2);
  c.hook = *core::parse_hook_point("login.after.totp", &err);
  c.refresh = false;
  CHECK(core::build_context(c, nullptr)["flow"]["requested_aal"] == "aal2");
}
