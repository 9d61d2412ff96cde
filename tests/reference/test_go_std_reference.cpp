// The standard library a template sees here against go-jsonnet's own (../shared/tools/
// jsonnet-go, the engine Kratos runs): the same functions by name, so a template that calls
// one fails here exactly where it fails in Kratos.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "engine/transform.hpp"
#include "support.hpp"

namespace {

// The names of std's fields, hidden ones included, but for internal helpers ('$...').
std::set<std::string> std_names(const std::string& manifested) {
  std::set<std::string> names;
  for (const auto& name : nlohmann::json::parse(manifested)) {
    if (name.get<std::string>().rfind('$', 0) != 0) names.insert(name.get<std::string>());
  }
  return names;
}

}  // namespace

TEST_CASE("go_std: std has the functions go-jsonnet's std has, no more and no fewer") {
  REQUIRE_REFERENCE(jsonnet_go, "tools/jsonnet-go");
  const auto go = test::run_program({jsonnet_go, "-e", "std.objectFieldsAll(std)"});
  REQUIRE(go.status == 0);
  const auto ours =
      core::evaluate_template("function(ctx) std.objectFieldsAll(std)\n", "t.jsonnet", "{}");
  REQUIRE(ours.status == core::EvalStatus::ok);
  const auto want = std_names(go.out);
  const auto got = std_names(ours.body);
  CHECK(want.size() > 100);
  std::set<std::string> missing, extra;
  for (const auto& name : want) {
    if (got.count(name) == 0) missing.insert(name);
  }
  for (const auto& name : got) {
    if (want.count(name) == 0) extra.insert(name);
  }
  CHECK(missing.empty());  // a call that works in Kratos would fail here
  CHECK(extra.empty());    // a call that fails in Kratos would work here
}
