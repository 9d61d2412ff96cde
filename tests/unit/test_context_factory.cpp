#include <catch2/catch.hpp>

#include "backfill/context_factory.hpp"
#include "kratos/kratos_context.hpp"
#include "util/hash.hpp"

TEST_CASE("context_factory: it puts the identity where Kratos does, never its credentials") {
  const core::Json base = {{"flow", {{"id", "f"}}}, {"session", {{"id", "s"}}}};
  const core::Json identity = {{"id", "i"},
                               {"traits", {{"email", "e"}}},
                               {"credentials", {{"password", {{"type", "password"}}}}},
                               {"metadata_admin", {{"x", 1}}}};
  const std::vector<std::vector<std::string>> paths = {{"identity"}, {"session", "identity"}};
  CHECK(core::ContextFactory(base, paths, core::ctx_usage("function(ctx) ctx.identity.id"))
            .ctx_json(identity) == R"({"identity":{"id":"i"}})");
  // The whole identity as Kratos encodes it: metadata_public and organization_id null when
  // unset (identity/identity.go).
  CHECK(core::ContextFactory(base, paths, core::ctx_usage("function(ctx) ctx.session"))
            .ctx_json(identity) ==
        R"({"session":{"id":"s","identity":{"id":"i","traits":{"email":"e"},)"
        R"("metadata_public":null,"organization_id":null}}})");
  CHECK(core::ContextFactory(base, paths,
                             core::ctx_usage("function(ctx) [ctx.identity.credentials, "
                                             "ctx.session.identity.metadata_admin]"))
            .ctx_json(identity) == R"({"session":{"identity":{}},"identity":{}})");
  CHECK(
      core::ContextFactory(base, paths, core::ctx_usage("function(ctx) ctx")).ctx_json(identity) ==
      R"({"flow":{"id":"f"},"session":{"id":"s","identity":{"id":"i","traits":{"email":"e"},)"
      R"("metadata_public":null,"organization_id":null}},)"
      R"("identity":{"id":"i","traits":{"email":"e"},"metadata_public":null,"organization_id":null}})");
}

TEST_CASE("context_factory: for_hook builds what build_context builds, at every hook point") {
  const core::Json identity = {{"id", "9f1c"},
                               {"traits", {{"email", "ada@example.com"}}},
                               {"credentials", {{"password", {{"type", "password"}}}}},
                               {"metadata_public", {{"plan", "pro"}}}};
  const std::string whole = "function(ctx) ctx";
  int with_identity = 0;
  for (const auto& hook : core::all_hook_points()) {
    CAPTURE(hook.name());
    core::ContextOptions c;
    c.hook = hook;
    c.flow_type = core::FlowType::api;
    std::string err;
    const auto factory = core::ContextFactory::for_hook(c, core::ctx_usage(whole), &err);
    if (hook.when != "after") {
      // Kratos passes no ctx.identity before a flow completes.
      REQUIRE_FALSE(factory);
      CHECK(err == "Kratos passes no identity there; backfill needs an after-hook");
      continue;
    }
    REQUIRE(factory);
    ++with_identity;
    c.identity = identity;
    core::Json expected = core::build_context(c, nullptr);
    core::Json got = core::Json::parse(factory->ctx_json(identity));
    // The session's id is derived from the identity's in build_context; a backfill's
    // synthetic session has one id for everyone.
    for (auto* ctx : {&expected, &got}) {
      if (ctx->contains("session")) (*ctx)["session"].erase("id");
    }
    // Key order aside (Jsonnet sees fields sorted), the same ctx.
    CHECK(nlohmann::json::parse(got.dump()) == nlohmann::json::parse(expected.dump()));
    CHECK(got["identity"] == core::context_identity(identity));
    CHECK_FALSE(got["identity"].contains("credentials"));
  }
  CHECK(with_identity > 0);
}

TEST_CASE("context_factory: identity_paths names every place build_context puts it") {
  const auto paths = [](const std::string& name) {
    std::string err;
    return core::identity_paths(*core::parse_hook_point(name, &err));
  };
  using Paths = std::vector<std::vector<std::string>>;
  CHECK(paths("registration.after.password") == Paths{{"identity"}});
  CHECK(paths("login.after.password") == Paths{{"identity"}, {"session", "identity"}});
  CHECK(paths("settings.after.profile") ==
        Paths{{"identity"}, {"session", "identity"}, {"flow", "identity"}});
  CHECK(paths("registration.before") == Paths{});
}

TEST_CASE(
    "context_factory: with vary_flow each identity has a flow of its own, the same per seed") {
  core::ContextOptions options;
  std::string err;
  auto factory = core::ContextFactory::for_hook(
      options, core::ctx_usage("function(ctx) [ctx.flow.id, ctx.request_url, ctx.identity.id]"),
      &err);
  REQUIRE(factory);
  const core::Json a = {{"id", "a"}}, b = {{"id", "b"}};
  const std::string fixed = factory->ctx(a)["flow"]["id"];
  CHECK(factory->ctx(b)["flow"]["id"] == fixed);  // without: the one build_context makes
  factory->vary_flow("seed-1");
  const core::Json ctx_a = factory->ctx(a);
  const std::string flow_a = ctx_a["flow"]["id"];
  CHECK(util::is_uuid(flow_a));
  CHECK(flow_a != fixed);
  CHECK(flow_a == factory->flow_id(a));
  CHECK(factory->ctx(b)["flow"]["id"] != flow_a);
  CHECK(factory->ctx(a) == ctx_a);  // the same identity and seed: the same flow
  // The URL that carries the flow carries the identity's.
  CHECK(ctx_a["request_url"].get<std::string>().find("?flow=" + flow_a) != std::string::npos);
  factory->vary_flow("seed-2");
  CHECK(factory->ctx(a)["flow"]["id"] != flow_a);
}
