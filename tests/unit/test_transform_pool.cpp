#include <catch2/catch.hpp>

#include "core/identity_schema.hpp"
#include "core/jsonnet_manifest.hpp"
#include "core/kratos_context.hpp"
#include "core/transform_pool.hpp"
#include "support.hpp"

namespace {

core::Json identity(int i, const core::Json& traits) {
  core::Json id = core::builtin_sample_identity();
  id["id"] = "id-" + std::to_string(i);
  id["traits"] = traits;
  return id;
}

const char* const k_template =
    "function(ctx)\n"
    "  if std.get(ctx.identity.traits, 'skip', false) then error 'cancel: opted out'\n"
    "  else {\n"
    "    userId: ctx.identity.id,\n"
    "    traits: { email: ctx.identity.traits.email, n: std.get(ctx.identity.traits, 'n', 0.1),\n"
    "              empty: [], obj: {}, u: 'caf\u00e9 \\u0001 \\u0085', hash: "
    "std.sha256(ctx.identity.id) },\n"
    "  }\n";

}  // namespace

TEST_CASE("transform_pool: each identity's body is byte for byte evaluate_template's") {
  test::TempDir dir;
  std::vector<core::Json> identities;
  for (int i = 0; i < 40; ++i) {
    core::Json traits = {{"email", "user" + std::to_string(i) + "@example.com"}, {"n", i * 1.5}};
    if (i == 7) traits.erase("email");              // fails: field does not exist
    if (i == 11 || i == 39) traits["skip"] = true;  // cancelled
    if (i == 20) traits["n"] = 1e20;
    identities.push_back(identity(i, traits));
  }
  core::ContextOptions opts;
  std::vector<std::string> unused;
  core::Json base = core::build_context(opts, &unused);
  base.erase("identity");
  core::TransformPool pool({k_template, "t.jsonnet", base, false}, ORY_SEGMENT_BINARY, dir.path());
  const auto results = pool.evaluate(identities);
  REQUIRE(results.size() == identities.size());
  for (std::size_t i = 0; i < identities.size(); ++i) {
    CAPTURE(i);
    core::Json ctx = base;
    ctx["identity"] = identities[i];
    const auto single = core::evaluate_template(k_template, "t.jsonnet", ctx.dump());
    CHECK(results[i].status == single.status);
    CHECK(results[i].body == single.body);
    CHECK(core::to_string(results[i].error) == core::to_string(single.error));
  }
  CHECK(results[7].status == core::EvalStatus::failed);
  CHECK(core::to_string(results[7].error) == "t.jsonnet:5:22: field does not exist: email");
  CHECK(results[11].status == core::EvalStatus::cancelled);
  CHECK(results[39].status == core::EvalStatus::cancelled);
  // One evaluation for the chunk, and about two more per failing identity.
  CHECK(pool.evaluations() <= 1 + 3 * 3);
}

TEST_CASE("transform_pool: a runaway identity costs itself, not the run") {
  test::TempDir dir;
  const char* const looping =
      "local spin(n) = if n < 0 then 0 else spin(n + 1) tailstrict;\n"
      "function(ctx) if ctx.identity.traits.loop then spin(0) else { userId: ctx.identity.id }\n";
  std::vector<core::Json> identities;
  for (int i = 0; i < 6; ++i) identities.push_back(identity(i, {{"loop", i == 2}}));
  core::TransformPool pool({looping, "loop.jsonnet", core::Json::object(), false},
                           ORY_SEGMENT_BINARY, dir.path(), 1);
  const auto results = pool.evaluate(identities);
  for (std::size_t i = 0; i < results.size(); ++i) {
    CAPTURE(i);
    CHECK(results[i].status == (i == 2 ? core::EvalStatus::timed_out : core::EvalStatus::ok));
  }
  CHECK(results[3].value["userId"] == "id-3");
}

TEST_CASE("transform_pool: a template that fails for everyone fails everyone, once") {
  test::TempDir dir;
  std::vector<core::Json> identities;
  for (int i = 0; i < 5; ++i) identities.push_back(identity(i, core::Json::object()));
  core::TransformPool pool({"local broken = error 'not yet written';\nbroken", "bad.jsonnet",
                            core::Json::object(), false},
                           ORY_SEGMENT_BINARY, dir.path());
  const auto results = pool.evaluate(identities);
  for (const auto& r : results) {
    CHECK(r.status == core::EvalStatus::failed);
    CHECK(core::to_string(r.error) == "bad.jsonnet:1:16: not yet written");
  }
  CHECK(pool.evaluations() == 1);
}

TEST_CASE("jsonnet_manifest: matches Jsonnet's manifester") {
  const auto e = core::evaluate_template(
      "{ b: [1, 2.5, -3, 1e20, 0.1, [], {}], a: { z: null, y: true, s: 'tab\\t\"q\" \\u007f "
      "\\u0090 é' } }",
      "t", "{}");
  REQUIRE(e.status == core::EvalStatus::ok);
  CHECK(core::manifest_like_jsonnet(core::Json::parse(e.body)) == e.body);
}
