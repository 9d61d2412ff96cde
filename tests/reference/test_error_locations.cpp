// Where an error is reported, against go-jsonnet (../shared/tools/jsonnet-go): the template
// is rewritten before libjsonnet runs it (chomped text blocks, fast cancels), and every
// line:column reported must still be the user's, as go-jsonnet reports it.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/transform.hpp"
#include "pool/transform_pool.hpp"
#include "support.hpp"

namespace {

// "LINE:COL" of go-jsonnet's innermost frame in `path` (its trace lines are "\tPATH:L:C...").
std::string go_location(const std::string& jsonnet_go, const std::string& path,
                        const std::string& ctx_path) {
  const auto r = test::run_program({jsonnet_go, "--tla-code-file", "ctx=" + ctx_path, path});
  const std::string marker = "\t" + path + ":";
  const auto at = r.err.find(marker);
  if (at == std::string::npos) return "(no location: " + r.err + ")";
  const std::string rest = r.err.substr(at + marker.size());
  const auto end = rest.find_first_of("-\t\n");
  return rest.substr(0, end);
}

}  // namespace

TEST_CASE("error locations: after each rewrite, where go-jsonnet reports them") {
  REQUIRE_REFERENCE(jsonnet_go, "tools/jsonnet-go");
  test::TempDir dir;
  const std::string ctx = R"({"identity": {"id": "i", "traits": {}}})";
  const std::string ctx_path = dir.write("ctx.json", ctx);
  const std::vector<std::string> templates = {
      // an error on the line a chomped block closes on
      "function(ctx) {\n  a: |||-\n    text\n  |||, b: ctx.identity.traits.nope,\n}\n",
      // two chomped blocks closing on one line
      "function(ctx) {\n  a: [|||-\n    x\n  |||, |||-\n    y\n  |||], b: "
      "ctx.identity.traits.n,\n}\n",
      // a chomped block on line 1, where the std prefix is too
      "function(ctx) { a: |||-\n  x\n|||, b: std.parseInt('z') }\n",
      // after a literal cancel (rewritten in the pool), an error on the same line
      "function(ctx) if ctx.identity.id == 'x' then error 'cancel: x' else { b: "
      "ctx.identity.traits.q }\n",
  };
  for (std::size_t i = 0; i < templates.size(); ++i) {
    const std::string name = "t" + std::to_string(i) + ".jsonnet";
    const std::string path = dir.write(name, templates[i]);
    CAPTURE(templates[i]);
    const std::string want = path + ":" + go_location(jsonnet_go, path, ctx_path);
    const auto alone = core::evaluate_template(templates[i], path, ctx);
    CHECK(alone.error.location == want);
    core::TransformPool pool({templates[i], path}, ORY_SEGMENT_BINARY);
    const auto pooled = pool.evaluate({core::Json::parse(ctx)});
    REQUIRE(pooled.size() == 1);
    CHECK(pooled[0].error.location == want);
  }
}
