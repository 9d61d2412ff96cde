#include <catch2/catch.hpp>
#include <filesystem>

#include "backfill/context_factory.hpp"
#include "engine/ctx_usage.hpp"
#include "engine/jsonnet_manifest.hpp"
#include "engine/jsonnet_vm.hpp"
#include "kratos/identity_schema.hpp"
#include "kratos/kratos_context.hpp"
#include "pool/transform_pool.hpp"
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

// The contexts of `identities` at registration.after.password, pruned to what `source` reads.
std::vector<core::Json> contexts_for(const std::string& source,
                                     const std::vector<core::Json>& identities,
                                     core::Json* full_base = nullptr) {
  core::ContextOptions opts;
  std::vector<std::string> unused;
  core::Json base = core::build_context(opts, &unused);
  base.erase("identity");
  if (full_base) *full_base = base;
  const core::ContextFactory factory(base, {{"identity"}}, core::ctx_usage(source));
  std::vector<core::Json> out;
  for (const auto& i : identities) out.push_back(factory.ctx(i));
  return out;
}

// 300 identities with an email each; `change(i, traits)` alters some of them.
template <typename Change>
std::vector<core::Json> with_emails(Change change) {
  std::vector<core::Json> out;
  for (int i = 0; i < 300; ++i) {
    core::Json traits = {{"email", "u" + std::to_string(i) + "@example.com"}};
    change(i, traits);
    out.push_back(identity(i, traits));
  }
  return out;
}

// The pool's result for `identity` is what evaluate_template gives for its full ctx: the
// same outcome, body bytes, located message and hint.
void check_same_as_alone(const core::IdentityEvaluation& pooled, const std::string& source,
                         const std::string& name, const core::Json& base,
                         const core::Json& identity) {
  core::Json ctx = base;
  ctx["identity"] = core::context_identity(identity);
  const auto alone = core::evaluate_template(source, name, ctx.dump());
  CHECK(pooled.status == alone.status);
  CHECK(pooled.body == alone.body);
  CHECK(core::to_string(pooled.error) == core::to_string(alone.error));
  CHECK(pooled.error.hint == alone.error.hint);
}

}  // namespace

TEST_CASE("transform_pool: each identity's body is byte for byte evaluate_template's") {
  std::vector<core::Json> identities;
  for (int i = 0; i < 40; ++i) {
    core::Json traits = {{"email", "user" + std::to_string(i) + "@example.com"}, {"n", i * 1.5}};
    if (i == 7) traits.erase("email");              // fails: field does not exist
    if (i == 11 || i == 39) traits["skip"] = true;  // cancelled
    if (i == 20) traits["n"] = 1e20;
    identities.push_back(identity(i, traits));
  }
  core::Json base;
  const auto contexts = contexts_for(k_template, identities, &base);
  core::TransformPool pool({k_template, "t.jsonnet"}, ORY_SEGMENT_BINARY);
  const auto results = pool.evaluate(contexts);
  REQUIRE(results.size() == identities.size());
  for (std::size_t i = 0; i < identities.size(); ++i) {
    CAPTURE(i);
    check_same_as_alone(results[i], k_template, "t.jsonnet", base, identities[i]);
  }
  CHECK(results[7].status == core::EvalStatus::failed);
  CHECK(core::to_string(results[7].error) == "t.jsonnet:5:22: field does not exist: email");
  CHECK(results[11].status == core::EvalStatus::cancelled);
  CHECK(results[39].status == core::EvalStatus::cancelled);
  CHECK(pool.fast_cancels() == 2);  // without libjsonnet's error path, the same outcome
  // The template reads traits whole (std.get), so the missing email is libjsonnet's error,
  // read where it is thrown: the chunk's evaluation ends at 7 and a second goes on from 8.
  // The cancels (literal `error 'cancel...'`) do not even end an evaluation.
  CHECK(pool.fast_failures() == 0);
  CHECK(pool.evaluations() == 2);
}

TEST_CASE("transform_pool: a field some identities lack costs them nothing more") {
  const auto identities = with_emails([](int i, core::Json& traits) {
    if (i % 10 == 3) traits.erase("email");
  });
  const std::string source =
      "function(ctx) { userId: ctx.identity.id, e: ctx.identity.traits.email }";
  core::TransformPool pool({source, "t.jsonnet"}, ORY_SEGMENT_BINARY);
  const auto results = pool.evaluate(contexts_for(source, identities));
  long failed = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    CAPTURE(i);
    CHECK(results[i].status == (i % 10 == 3 ? core::EvalStatus::failed : core::EvalStatus::ok));
    if (results[i].status == core::EvalStatus::ok) {
      CHECK(results[i].value["userId"] == "id-" + std::to_string(i));
    } else {
      ++failed;
      CHECK(core::to_string(results[i].error) == "t.jsonnet:1:45: field does not exist: email");
      CHECK(results[i].error.hint ==
            "'email' may be missing (an optional trait left empty at sign-up): use "
            "std.get(ctx.identity.traits, 'email', null), or test 'email' in "
            "ctx.identity.traits first");
    }
  }
  CHECK(failed == 30);
  // The lookup is recorded where libjsonnet would have thrown, and the evaluation goes on.
  CHECK(pool.fast_failures() == 30);
  CHECK(pool.evaluations() == 1);
}

TEST_CASE("transform_pool: an object some identities lack, looked into, costs them nothing more") {
  // The docs' template where some users never gave consent: `consent` is absent, and the
  // chain goes on into it. libjsonnet stops at `.consent`; the pool records that, and the
  // rest of the chain must not end the child (a new child for each such identity). The same
  // two levels down (`prefs`, then `x` under it).
  const auto identities = with_emails([](int i, core::Json& traits) {
    if (i % 10 != 3) traits["consent"] = {{"newsletter", i % 2 == 0}};
    if (i % 10 == 8) traits["prefs"] = core::Json::object();
    if (i % 10 != 6 && i % 10 != 8) traits["prefs"] = {{"x", {{"y", i}}}};
  });
  const std::string source =
      "function(ctx) { userId: ctx.identity.id,\n"
      "  n: ctx.identity.traits.consent.newsletter, y: ctx.identity.traits.prefs.x.y }";
  core::TransformPool pool({source, "t.jsonnet"}, ORY_SEGMENT_BINARY);
  core::Json full_base;
  const auto results = pool.evaluate(contexts_for(source, identities, &full_base));
  long failed = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    CAPTURE(i);
    failed += results[i].status == core::EvalStatus::failed ? 1 : 0;
    // The outcome, message and location test-identify gives, on the full ctx.
    check_same_as_alone(results[i], source, "t.jsonnet", full_base, identities[i]);
  }
  CHECK(failed == 90);
  CHECK(core::to_string(results[3].error) == "t.jsonnet:2:6: field does not exist: consent");
  CHECK(core::to_string(results[6].error) == "t.jsonnet:2:49: field does not exist: prefs");
  CHECK(core::to_string(results[8].error) == "t.jsonnet:2:49: field does not exist: x");
  CHECK(pool.fast_failures() == 90);
  CHECK(pool.evaluations() == 1);
}

TEST_CASE("transform_pool: any other error costs one evaluation, not libjsonnet's unwinding") {
  const auto identities = with_emails([](int i, core::Json& traits) {
    if (i % 10 == 3) traits["email"] = i;   // a type error
    if (i % 10 == 6) traits["email"] = "";  // an assertion
  });
  const std::string source =
      "function(ctx) assert ctx.identity.traits.email != '' : 'no email';\n"
      "  { userId: ctx.identity.id, e: std.asciiLower(ctx.identity.traits.email) }";
  core::Json base;
  const auto contexts = contexts_for(source, identities, &base);
  core::TransformPool pool({source, "t.jsonnet"}, ORY_SEGMENT_BINARY);
  const auto results = pool.evaluate(contexts);
  for (std::size_t i = 0; i < results.size(); ++i) {
    CAPTURE(i);
    const bool fails = i % 10 == 3 || i % 10 == 6;
    CHECK(results[i].status == (fails ? core::EvalStatus::failed : core::EvalStatus::ok));
    if (i < 10) check_same_as_alone(results[i], source, "t.jsonnet", base, identities[i]);
  }
  CHECK(core::to_string(results[6].error) == "t.jsonnet:1:15: no email");
  // Each failure ends one evaluation (the child leaves at the throw), the next starts after
  // it: 60 failures, 61 evaluations, however loaded the machine (the time limit counts the
  // child's CPU time).
  CHECK(pool.evaluations() == 61);
}

TEST_CASE("transform_pool: cancels are cheap, and give what libjsonnet's error path gives") {
  // Two literal messages (the second as short as a cancel can be) are taken out of
  // libjsonnet's error path; a literal that is not the whole argument and a computed
  // message are not.
  const std::string source =
      "function(ctx) local k = ctx.identity.traits.k; if k == 0 then { userId: ctx.identity.id }\n"
      "  else if k == 1 then error \"cancel: k is 1\"\n"
      "  else if k == 2 then error'cancel'\n"
      "  else if k == 3 then error 'cancel' + ': 3'\n"
      "  else error 'cancel: ' + k\n";
  std::vector<core::Json> identities;
  for (int i = 0; i < 50; ++i) identities.push_back(identity(i, {{"k", i % 5}}));
  core::Json base;
  const auto contexts = contexts_for(source, identities, &base);
  core::TransformPool pool({source, "c.jsonnet"}, ORY_SEGMENT_BINARY);
  const auto results = pool.evaluate(contexts);
  for (std::size_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    CHECK(results[i].status == (i == 0 ? core::EvalStatus::ok : core::EvalStatus::cancelled));
    check_same_as_alone(results[i], source, "c.jsonnet", base, identities[i]);
  }
  CHECK(core::to_string(results[1].error) == "c.jsonnet:2:23: cancel: k is 1");
  for (std::size_t i = 5; i < results.size(); ++i)
    CHECK(results[i].status == results[i % 5].status);
  CHECK(pool.fast_cancels() == 20);
}

TEST_CASE("transform_pool: after a cancel, nothing the template does changes the outcome") {
  // The evaluation goes on past a fast cancel (with null in its place); whatever follows,
  // an error, a use of that null, or a loop, the identity is cancelled, as with libjsonnet.
  const std::vector<std::string> templates = {
      "function(ctx) { a: if ctx.identity.traits.c then error 'cancel: a' else 1,\n"
      "  b: ctx.identity.traits.missing }",
      "function(ctx) local x = error 'cancel'; if x == null then { ok: 1 } else { ok: 2 }",
      "local spin(n) = if n < 0 then 0 else spin(n + 1) tailstrict;\n"
      "function(ctx) { a: if ctx.identity.traits.c then error 'cancel' else 0, b: spin(0) }",
  };
  std::vector<core::Json> identities = {identity(0, {{"c", true}}), identity(1, {{"c", true}})};
  for (const auto& source : templates) {
    CAPTURE(source);
    core::Json base;
    const auto contexts = contexts_for(source, identities, &base);
    core::TransformPool pool({source, "t.jsonnet"}, ORY_SEGMENT_BINARY);
    const auto results = pool.evaluate(contexts);
    core::Json ctx = base;
    ctx["identity"] = core::context_identity(identities[0]);
    const auto single = core::evaluate_template(source, "t.jsonnet", ctx.dump());
    CHECK(single.status == core::EvalStatus::cancelled);
    for (const auto& r : results) {
      CHECK(r.status == core::EvalStatus::cancelled);
      CHECK(core::to_string(r.error) == core::to_string(single.error));
    }
  }
}

TEST_CASE("transform_pool: a runaway identity costs itself, not the run") {
  const char* const looping =
      "local spin(n) = if n < 0 then 0 else spin(n + 1) tailstrict;\n"
      "function(ctx) if ctx.identity.traits.loop then spin(0) else { userId: ctx.identity.id }\n";
  std::vector<core::Json> identities;
  for (int i = 0; i < 6; ++i) identities.push_back(identity(i, {{"loop", i == 2}}));
  core::TransformPool pool({looping, "loop.jsonnet"}, ORY_SEGMENT_BINARY);
  const auto results = pool.evaluate(contexts_for(looping, identities));
  for (std::size_t i = 0; i < results.size(); ++i) {
    CAPTURE(i);
    CHECK(results[i].status == (i == 2 ? core::EvalStatus::timed_out : core::EvalStatus::ok));
  }
  CHECK(core::to_string(results[2].error) ==
        "loop.jsonnet: the evaluation exceeds Kratos's 1 s limit (stopped)");
  CHECK(results[3].value["userId"] == "id-3");
  // Stopped after 1 s in the chunk, then tried alone (1 s of its own); the others are
  // evaluated again without it: four evaluations, not one per identity.
  CHECK(pool.evaluations() == 4);
}

TEST_CASE("transform_pool: a template that fails for everyone fails everyone, once") {
  std::vector<core::Json> identities;
  for (int i = 0; i < 5; ++i) identities.push_back(identity(i, core::Json::object()));
  const std::string source = "local broken = error 'not yet written';\nbroken";
  core::TransformPool pool({source, "bad.jsonnet"}, ORY_SEGMENT_BINARY);
  for (int round = 0; round < 2; ++round) {
    const auto results = pool.evaluate(contexts_for(source, identities));
    for (const auto& r : results) {
      CHECK(r.status == core::EvalStatus::failed);
      CHECK(core::to_string(r.error) == "bad.jsonnet:1:16: not yet written");
    }
  }
  CHECK(pool.evaluations() == 0);  // it fails while loading, before any identity

  const std::string cancel = "error 'cancel: not this one'";
  core::TransformPool cancelling({cancel, "c.jsonnet"}, ORY_SEGMENT_BINARY);
  for (const auto& r : cancelling.evaluate(contexts_for(cancel, identities))) {
    CHECK(r.status == core::EvalStatus::cancelled);
  }
}

TEST_CASE("transform_pool: a template whose top level never ends times out for everyone") {
  const std::string source =
      "local spin(n) = if n < 0 then 0 else spin(n + 1) tailstrict;\nspin(0)";
  core::TransformPool pool({source, "spin.jsonnet"}, ORY_SEGMENT_BINARY,
                           std::chrono::milliseconds(1500));
  std::vector<core::Json> identities = {identity(1, core::Json::object()),
                                        identity(2, core::Json::object())};
  long evaluations_after_first = -1;
  for (int round = 0; round < 2; ++round) {
    const auto results = pool.evaluate(contexts_for(source, identities));
    REQUIRE(results.size() == 2);
    for (const auto& r : results) {
      CHECK(r.status == core::EvalStatus::timed_out);
      CHECK(core::to_string(r.error) ==
            "spin.jsonnet: the template's top level exceeds Kratos's 1 s limit (stopped)");
    }
    if (round == 0) evaluations_after_first = pool.evaluations();
  }
  // The second round does not run the template again: the outcome is the first's.
  CHECK(pool.evaluations() == evaluations_after_first);
}

TEST_CASE("transform_pool: output over Kratos's limit is refused per identity") {
  const std::string source =
      "function(ctx) { userId: ctx.identity.id, big: if ctx.identity.traits.big then "
      "std.makeArray(30000, function(i) 'xxxxxxxx') else [] }";
  std::vector<core::Json> identities = {identity(1, {{"big", false}}), identity(2, {{"big", true}}),
                                        identity(3, {{"big", false}})};
  core::TransformPool pool({source, "big.jsonnet"}, ORY_SEGMENT_BINARY);
  const auto results = pool.evaluate(contexts_for(source, identities));
  CHECK(results[0].status == core::EvalStatus::ok);
  CHECK(results[1].status == core::EvalStatus::output_too_large);
  CHECK(core::to_string(results[1].error) ==
        "big.jsonnet: the output exceeds Kratos's 256 KiB limit");
  CHECK(results[2].status == core::EvalStatus::ok);
}

TEST_CASE("transform_pool: pruned contexts give what full ones give, for every template") {
  // Templates reading ctx in every way the pruning has to respect.
  const std::vector<std::string> templates = {
      "function(ctx) { id: ctx.identity.id, t: ctx.identity.traits }",
      "function(ctx) { e: ctx.identity.traits.email, n: ctx.identity.traits.name.first }",
      "function(ctx) { e: std.get(ctx.identity.traits, 'email', 'none') }",
      "function(ctx) local i = ctx.identity; { k: std.objectFields(i), v: i.verifiable_addresses }",
      "function(ctx) { n: std.length(ctx.identity.traits), h: std.objectHas(ctx.identity, 'x') }",
      "function(ctx) { s: std.toString(ctx.identity.metadata_public) }",
      "function(ctx) { a: ctx['identity']['traits'].email, b: ctx.flow.type, c: ctx.request_url }",
      "function(ctx) { f: [ctx.identity.traits[k] for k in std.objectFields(ctx.identity.traits)] "
      "}",
      "function(ctx, x=ctx.identity.created_at) { x: x }",
      "local f(c) = c.identity.id; function(ctx) { id: f(ctx) }",
      "function(ctx) { c: ctx.identity.credentials }",
      "function(ctx) if ctx.identity.traits.email == null then error 'cancel' else { ok: true }",
      "function(ctx) { all: ctx }",
  };
  std::vector<core::Json> identities;
  identities.push_back(identity(1, {{"email", "a@example.com"}, {"name", {{"first", "A"}}}}));
  identities.push_back(identity(2, {{"email", nullptr}, {"name", "plain"}}));
  identities.push_back(identity(3, core::Json::object()));
  identities.back()["metadata_public"] = {{"plan", "pro"}, {"n", 1.5}};
  identities.back()["credentials"] = {{"password", {{"type", "password"}}}};
  for (const auto& source : templates) {
    CAPTURE(source);
    core::Json base;
    const auto pruned = contexts_for(source, identities, &base);
    std::vector<core::Json> full;
    for (const auto& i : identities) {
      core::Json ctx = base;
      ctx["identity"] = core::context_identity(i);
      full.push_back(ctx);
    }
    core::TransformPool pool({source, "t.jsonnet"}, ORY_SEGMENT_BINARY);
    const auto a = pool.evaluate(pruned);
    const auto b = pool.evaluate(full);
    for (std::size_t i = 0; i < identities.size(); ++i) {
      CAPTURE(i);
      CHECK(a[i].status == b[i].status);
      CHECK(a[i].body == b[i].body);
      CHECK(core::to_string(a[i].error) == core::to_string(b[i].error));
    }
  }
}

TEST_CASE("jsonnet_manifest: matches Jsonnet's manifester") {
  // libjsonnet's own top-level manifester (evaluate_template and TransformPool both write
  // through manifest_like_jsonnet, so the reference is a plain VM).
  core::JsonnetVm vm;
  const std::string code =
      "{ b: [1, 2.5, -3, 1e20, 1e300, -2e200, 0.1, -0, [], {}], a: { z: null, y: true, s: "
      "'tab\\t\"q\" \\u007f \\u0090 é' } }";
  std::string body, err, line;
  REQUIRE(vm.evaluate("t", code, &body, &err));
  REQUIRE(vm.evaluate("t", "'' + [" + code + "]", &line, &err));
  CHECK(core::manifest_like_jsonnet(core::parse_manifested(body)) == body);
  // What the helper hands over: the value on one line, parsed back.
  const auto value = core::parse_manifested(core::Json::parse(line).get<std::string>());
  CHECK(core::manifest_like_jsonnet(value[0]) == body);
}

TEST_CASE("transform_pool: missing fields give what libjsonnet's error gives, in every template") {
  // The project's templates, and lookups in every shape: two sites for one field (the
  // error's place depends on the evaluation order: not recorded, thrown), brackets, a chain
  // over several lines, a missing object with a lookup under it, a lookup on a string or
  // null, an error or a cancel before or after the missing field, a lookup never forced,
  // one in a loop, in an assertion, in a function's parameter, in a local named ctx.
  std::vector<std::string> templates = {
      "function(ctx) { a: ctx.identity.traits.name, b: ctx.identity.traits.name }",
      "function(ctx) { n: ctx['identity'][\"traits\"]['name'] }",
      "function(ctx) {\n  n: ctx.identity\n    .traits.name.first,\n  e: ctx.identity.id }",
      "function(ctx) { f: ctx.identity.traits.name.first, l: ctx.identity.traits.name.last }",
      "function(ctx) { z: ctx.identity.traits.name, a: error 'boom' }",
      "function(ctx) { a: ctx.identity.traits.name, z: error 'boom' }",
      "function(ctx) if ctx.identity.traits.c then error 'cancel: c' else ctx.identity.traits.name",
      "function(ctx) { a: ctx.identity.traits.name, b: if ctx.identity.traits.c then error "
      "'cancel' else 1 }",
      "function(ctx) local n = ctx.identity.traits.name; { e: ctx.identity.id }",
      "function(ctx) [ctx.identity.traits.name for x in [1, 2]]",
      "function(ctx) assert ctx.identity.traits.name != null : 'named'; { ok: true }",
      "local f(ctx) = ctx.name; function(ctx) { n: f(ctx.identity.traits) }",
      "local g(ctx) = ctx.identity.traits.name;\nfunction(ctx) { n: g({ identity: { traits: {} } "
      "}), "
      "i: ctx.identity.id }",
      "function(ctx) { n: ctx.identity.traits['caf\u00e9'] }",
      "function(ctx) { a: ctx.identity.traits.name + 1 }",
      "function(ctx) { id: ctx.identity.id, m: ctx.identity.metadata_public.plan }",
      "function(ctx) local x = ctx.identity.traits.name; if x == null then { ok: 1 } else "
      "std.length(x)",
      "function(ctx) { n: std.get(ctx.identity.traits, 'name', 'none'), e: "
      "ctx.identity.traits.email }",
  };
  templates.push_back(test::read_file(test::source_path("examples/segment_identify.jsonnet")));
  for (const auto& entry :
       std::filesystem::directory_iterator(test::source_path("tests/fidelity"))) {
    if (entry.path().extension() == ".jsonnet") {
      templates.push_back(test::read_file(entry.path().string()));
    }
  }
  // Identities with every trait, with none, with each shape wrong, and without some objects.
  const core::Json full = {{"email", "a@example.com"},
                           {"name", {{"first", "A"}, {"last", "B"}}},
                           {"c", false},
                           {"consent", {{"newsletter", true}}},
                           {"caf\u00e9", 1}};
  std::vector<core::Json> identities = {identity(0, full),
                                        identity(1, core::Json::object()),
                                        identity(2, {{"name", "plain"}, {"c", true}}),
                                        identity(3, {{"name", nullptr}, {"c", false}}),
                                        identity(4, {{"name", {{"first", "A"}}}, {"c", false}}),
                                        identity(5, {{"email", "e@example.com"}, {"c", false}})};
  identities[0]["metadata_public"] = {{"plan", "pro"}};
  identities[1].erase("traits");
  identities[5]["metadata_public"] = core::Json::object();
  long recorded = 0;
  for (const auto& source : templates) {
    CAPTURE(source);
    core::Json base;
    const auto contexts = contexts_for(source, identities, &base);
    core::TransformPool pool({source, "t.jsonnet"}, ORY_SEGMENT_BINARY);
    const auto results = pool.evaluate(contexts);
    for (std::size_t i = 0; i < identities.size(); ++i) {
      CAPTURE(i);
      check_same_as_alone(results[i], source, "t.jsonnet", base, identities[i]);
    }
    recorded += pool.fast_failures();
  }
  CHECK(recorded > 20);  // most of those failures took the fast way
}

TEST_CASE("transform_pool: a negative zero is sent as go-jsonnet prints it") {
  const std::string source = "function(ctx) { r: std.round(-0.4), z: -0, l: [-0.5 * 0, 0] }";
  core::TransformPool pool({source, "z.jsonnet"}, ORY_SEGMENT_BINARY);
  const auto results = pool.evaluate(contexts_for(source, {identity(1, core::Json::object())}));
  REQUIRE(results.size() == 1);
  CHECK(results[0].body ==
        "{\n   \"l\": [\n      -0,\n      0\n   ],\n   \"r\": -0,\n   \"z\": -0\n}\n");
  CHECK(core::parse_manifested(R"(["-0", -0, -0.5, -0e1, {"a": -0}])").dump() ==
        R"(["-0",-0.0,-0.5,-0.0,{"a":-0.0}])");
}
