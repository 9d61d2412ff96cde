#include <catch2/catch.hpp>
#include <fstream>

#include "kratos/action_body.hpp"
#include "kratos/config_patch.hpp"
#include "support.hpp"

namespace {

core::Json action(const std::string& url = "https://api.segment.io/v1/identify") {
  return core::Json{{"hook", "web_hook"},
                    {"config",
                     {{"url", url},
                      {"method", "POST"},
                      {"body", "base64://e30K"},
                      {"response", {{"ignore", true}}}}}};
}

core::HookPoint hp(const std::string& name) {
  std::string err;
  return *core::parse_hook_point(name, &err);
}

core::Json quickstart() {
  return core::Json::parse(R"({"selfservice": {"flows": {"registration": {"after": {"password":
      {"hooks": [{"hook": "session"}, {"hook": "show_verification_ui"}]}}}}}})");
}

// Follows a JSON pointer through a JSON schema's properties (resolving local $refs).
bool schema_has_path(const nlohmann::json& root, const std::string& pointer) {
  const nlohmann::json* node = &root;
  std::size_t start = 1;
  while (start <= pointer.size()) {
    const auto slash = pointer.find('/', start);
    const std::string token =
        pointer.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    for (int i = 0; i < 8 && node->contains("$ref"); ++i) {
      node = &root.at(nlohmann::json::json_pointer((*node)["$ref"].get<std::string>().substr(1)));
    }
    if (!node->contains("properties") || !(*node)["properties"].contains(token)) return false;
    node = &(*node)["properties"][token];
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

// The plan for a config plan_patch accepts.
core::PatchPlan plan_of(const core::PatchRequest& request, const core::Json* config) {
  core::PatchPlan plan;
  std::string err;
  REQUIRE(core::plan_patch(request, config, &plan, &err));
  CHECK(err.empty());
  return plan;
}

}  // namespace

TEST_CASE("config_patch: every hook list pointer exists in Kratos's config schema") {
  REQUIRE_REFERENCE(schema_path, "ref/kratos-config.schema.json");
  std::ifstream in(schema_path);
  REQUIRE(in);
  const auto schema = nlohmann::json::parse(in);
  for (const auto& point : core::all_hook_points()) {
    CAPTURE(point.pointer());
    CHECK(schema_has_path(schema, point.pointer()) == !core::ory_network_only(point));
  }
  CHECK_FALSE(schema_has_path(schema, "/selfservice/flows/recovery/after/code/hooks"));
  CHECK_FALSE(schema_has_path(schema, "/selfservice/flows/logout/after/hooks"));
}

TEST_CASE("config_patch: without a config, one add per list at the position") {
  core::PatchRequest req{
      action(), {hp("registration.after.password"), hp("registration.after.oidc")}, 0};
  auto plan = plan_of(req, nullptr);
  REQUIRE(plan.ops.size() == 2);
  CHECK(plan.ops[0].path == "/selfservice/flows/registration/after/password/hooks/0");
  CHECK(plan.ops[1].path == "/selfservice/flows/registration/after/oidc/hooks/0");
  req.position.reset();
  CHECK(plan_of(req, nullptr).ops[0].path ==
        "/selfservice/flows/registration/after/password/hooks/-");
  CHECK(core::to_json_patch(plan.ops, "/services/identity/config")[0]["path"] ==
        "/services/identity/config/selfservice/flows/registration/after/password/hooks/0");
}

TEST_CASE("config_patch: planning against a config") {
  const core::Json config = quickstart();
  SECTION("missing parents are created in one op each, without clobbering each other") {
    core::PatchRequest req{
        action(),
        {hp("registration.after.oidc"), hp("registration.after.code"), hp("login.after.password")},
        0};
    const auto plan = plan_of(req, &config);
    REQUIRE(plan.ops.size() == 3);
    CHECK(plan.ops[0].path == "/selfservice/flows/registration/after/oidc");
    CHECK(plan.ops[0].value == core::Json{{"hooks", {action()}}});
    CHECK(plan.ops[2].path == "/selfservice/flows/login");
    const auto patched = core::apply_ops(config, plan.ops);
    CHECK(patched["selfservice"]["flows"]["registration"]["after"]["code"]["hooks"][0] == action());
    CHECK(patched["selfservice"]["flows"]["login"]["after"]["password"]["hooks"][0] == action());
  }
  SECTION("an identical hook: no op, a note; applying twice equals once") {
    core::PatchRequest req{action(), {hp("registration.after.password")}, 0};
    const auto once = core::apply_ops(config, plan_of(req, &config).ops);
    const auto second = plan_of(req, &once);
    CHECK(second.ops.empty());
    REQUIRE(second.notes.size() == 1);
    CHECK(second.notes[0] ==
          "/selfservice/flows/registration/after/password/hooks/0 already holds this exact hook: "
          "nothing to do there");
  }
  SECTION("same URL and method, another config: replace at its index") {
    core::PatchRequest req{action(), {hp("registration.after.password")}, std::nullopt};
    const auto once = core::apply_ops(config, plan_of(req, &config).ops);
    core::Json changed = action();
    changed["config"]["body"] = "base64://e30=";
    core::PatchRequest again{changed, {hp("registration.after.password")}, 0};
    const auto plan = plan_of(again, &once);
    REQUIRE(plan.ops.size() == 1);
    CHECK(plan.ops[0].op == "replace");
    CHECK(plan.ops[0].path == "/selfservice/flows/registration/after/password/hooks/2");
  }
  SECTION("with a config, where the hook fires is lint's to say (patch runs lint's rules)") {
    core::PatchRequest req{action(), {hp("registration.after")}, 0};
    CHECK(plan_of(req, &config).warnings.empty());
  }
  SECTION("without one, a parse hook in the global list warns") {
    core::Json parse = action();
    parse["config"]["response"] = {{"parse", true}};
    core::PatchRequest req{parse, {hp("registration.after")}, 0};
    const auto plan = plan_of(req, nullptr);
    REQUIRE(plan.warnings.size() == 1);
    CHECK(plan.warnings[0].find("have no global fallback in registration") != std::string::npos);
  }
}

TEST_CASE("config_patch: a config that cannot hold the list is refused with where and why") {
  const core::PatchRequest req{action(), {hp("registration.after.password")}, std::nullopt};
  const auto refusal = [&](const char* config_text) {
    const core::Json config = core::Json::parse(config_text);
    core::PatchPlan plan;
    std::string err;
    CHECK_FALSE(core::plan_patch(req, &config, &plan, &err));
    CHECK(plan.ops.empty());
    return err;
  };
  CHECK(refusal("[]") == "the config is a list, not an object");
  CHECK(refusal(R"({"selfservice": "x"})") ==
        "/selfservice is a string, but /selfservice/flows/registration/after/password/hooks "
        "needs an object there");
  CHECK(refusal(R"({"selfservice": {"flows": {"registration": {"after": {"password":
      {"hooks": {"0": {"hook": "session"}}}}}}}})") ==
        "/selfservice/flows/registration/after/password/hooks is an object, but hooks must be "
        "a list");
}

namespace {

const core::Json k_other = core::Json::parse(
    R"({"hook": "web_hook", "config": {"url": "https://crm.example/hook", "method": "POST"}})");
const core::Json k_before_save = core::Json::parse(
    R"({"hook": "web_hook", "config": {"url": "https://check.example/", "method": "POST",
        "response": {"parse": true}}})");
const core::Json k_session = core::Json::parse(R"({"hook": "session"})");

// The hooks Kratos runs after `flow` for `method`: the method's own list while it is not
// empty, else the flow's global after-list (less, in registration and settings, the hooks
// that run before the save, which have no global fallback).
core::Json effective_hooks(const core::Json& config, const std::string& flow,
                           const std::string& method) {
  const auto list = [&](const std::string& pointer) {
    const auto p = core::Json::json_pointer(pointer);
    return config.contains(p) && config.at(p).is_array() ? config.at(p) : core::Json::array();
  };
  const core::Json own = list(core::HookPoint{flow, "after", method}.pointer());
  if (!own.empty()) return own;
  core::Json out = core::Json::array();
  for (const auto& h : list(core::HookPoint{flow, "after", ""}.pointer())) {
    if ((flow == "registration" || flow == "settings") && h == k_before_save) continue;
    out.push_back(h);
  }
  return out;
}

// Config shapes: nothing, only the global list, only method lists, both (with an explicit
// empty method list), the quickstart's, and a global list holding a before-save hook.
std::vector<std::pair<std::string, core::Json>> config_shapes(const std::string& flow) {
  const auto with = [&](const core::Json& after) {
    return core::Json{{"selfservice", {{"flows", {{flow, {{"after", after}}}}}}}};
  };
  return {
      {"empty", core::Json::object()},
      {"global-only", with({{"hooks", {k_other, k_session}}})},
      {"method-only", with({{"password", {{"hooks", {k_session}}}}})},
      {"both", with({{"hooks", {k_other, k_session}},
                     {"password", {{"hooks", {k_session}}}},
                     {"oidc", {{"hooks", core::Json::array()}}}})},
      {"quickstart",
       flow == "registration" ? quickstart() : with({{"password", {{"hooks", {k_other}}}}})},
      {"global-before-save", with({{"hooks", {k_before_save, k_other, k_session}}})},
  };
}

}  // namespace

TEST_CASE("config_patch: every method runs what it ran before, plus the action") {
  for (const std::string flow : {"registration", "login", "settings"}) {
    for (const auto& [shape, config] : config_shapes(flow)) {
      // One method at a time, all methods at once, and the global list.
      std::vector<std::vector<core::HookPoint>> target_sets;
      std::vector<core::HookPoint> all;
      for (const auto& m : core::hook_methods(flow)) {
        target_sets.push_back({{flow, "after", m}});
        all.push_back({flow, "after", m});
      }
      target_sets.push_back(all);
      target_sets.push_back({{flow, "after", ""}});
      for (const auto& targets : target_sets) {
        CAPTURE(flow, shape, targets.front().name(), targets.size());
        core::PatchPlan plan;
        std::string err;
        REQUIRE(core::plan_patch({action(), targets, std::nullopt}, &config, &plan, &err));
        const core::Json patched = core::apply_ops(config, plan.ops);
        for (const auto& method : core::hook_methods(flow)) {
          CAPTURE(method);
          const core::Json before = effective_hooks(config, flow, method);
          core::Json after = effective_hooks(patched, flow, method);
          const bool targeted = std::any_of(targets.begin(), targets.end(), [&](const auto& t) {
            return t.method == method ||
                   (t.method.empty() && before == effective_hooks(config, flow, "no-such"));
          });
          const auto at = std::find(after.begin(), after.end(), action());
          if (at == after.end()) {
            // Only a global-list target may miss a method whose own list shadows it.
            CHECK_FALSE(targets.front().method == method);
            CHECK(after == before);
            continue;
          }
          if (targets.front().method.empty()) CHECK(targeted);
          const auto index = static_cast<std::size_t>(at - after.begin());
          after.erase(at);
          CHECK(after == before);  // the same hooks, in the same order
          // A list created from the global one has the action before 'session' (Kratos
          // runs 'session' last whatever the order; an existing list is appended to).
          const auto own =
              core::Json::json_pointer(core::HookPoint{flow, "after", method}.pointer());
          const bool created = !(config.contains(own) && !config.at(own).empty());
          if (created && !targets.front().method.empty()) {
            for (std::size_t i = 0; i < index; ++i) CHECK(after[i] != k_session);
          }
        }
      }
    }
  }
}

TEST_CASE("config_patch: carrying the global hooks over says so") {
  const core::Json config = core::Json::parse(R"({"selfservice": {"flows": {"registration":
      {"after": {"hooks": [{"hook": "session"}]}}}}})");
  core::PatchPlan plan;
  std::string err;
  REQUIRE(core::plan_patch({action(), {hp("registration.after.oidc")}, std::nullopt}, &config,
                           &plan, &err));
  REQUIRE(plan.ops.size() == 1);
  CHECK(plan.ops[0].path == "/selfservice/flows/registration/after/oidc");
  CHECK(plan.ops[0].value == core::Json{{"hooks", {action(), {{"hook", "session"}}}}});
  REQUIRE_FALSE(plan.notes.empty());
  CHECK(plan.notes[0].find("created with the hooks of registration.after.hooks (session)") !=
        std::string::npos);
}

TEST_CASE("config_patch: a body Ory Network stored is the same hook as the template it holds") {
  const core::Json act = action();  // base64://e30K: the template "{}\n"
  const std::string digest = core::stored_template_digest_of("{}\n");
  const std::string stored_url =
      "https://storage.googleapis.com/bac-gcs-production/" + digest + ".jsonnet";
  CHECK(core::stored_template_digest(stored_url) == digest);
  CHECK(core::stored_template_digest("https://example.com/" + digest + ".jsonnet").empty());
  CHECK(
      core::stored_template_digest("https://storage.googleapis.com/bac-gcs-production/abc.jsonnet")
          .empty());
  core::Json stored = act;
  stored["config"]["body"] = stored_url;
  core::Json config = {
      {"selfservice",
       {{"flows", {{"registration", {{"after", {{"password", {{"hooks", {stored}}}}}}}}}}}}};
  core::PatchPlan plan;
  std::string err;
  REQUIRE(core::plan_patch({act, {hp("registration.after.password")}, std::nullopt}, &config, &plan,
                           &err));
  CHECK(plan.ops.empty());
  REQUIRE_FALSE(plan.notes.empty());
  CHECK(plan.notes[0].find("stored by Ory Network (same SHA-512): nothing to do") !=
        std::string::npos);
  // Another template behind the stored URL: the same endpoint with another config, replaced.
  config["selfservice"]["flows"]["registration"]["after"]["password"]["hooks"][0]["config"]
        ["body"] = "https://storage.googleapis.com/bac-gcs-production/" + std::string(128, 'a') +
                   ".jsonnet";
  REQUIRE(core::plan_patch({act, {hp("registration.after.password")}, std::nullopt}, &config, &plan,
                           &err));
  REQUIRE(plan.ops.size() == 1);
  CHECK(plan.ops[0].op == "replace");
}
