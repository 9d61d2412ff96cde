// A template that never ends, at its top level or in its body: every verb that runs it
// stops it at Kratos's 1 s limit and says so, as Kratos would fail the hook.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "support.hpp"

namespace {

struct Verb {
  std::vector<std::string> args;  // the template's path is appended where "T" stands
  int status_top_level;           // exit status for a top level that never ends
  int status_body;                // and for a body that never reads ctx and never ends
};

std::vector<std::string> with_template(const std::vector<std::string>& args,
                                       const std::string& path) {
  std::vector<std::string> out;
  for (const auto& a : args) out.push_back(a == "T" ? path : a);
  return out;
}

}  // namespace

TEST_CASE("cli: a template that never ends fails every verb with Kratos's 1 s limit") {
  test::TempDir dir;
  const std::string top =
      dir.write("top.jsonnet", "local f(n) = if n < 0 then 0 else f(n + 1) tailstrict;\nf(0)\n");
  const std::string body =
      dir.write("body.jsonnet",
                "local f(n) = if n < 0 then 0 else f(n + 1) tailstrict;\nfunction(ctx) f(0)\n");
  const std::string identities = test::source_path("examples/identity.json");
  const std::vector<Verb> verbs = {
      {{"encode", "T"}, 2, 1},
      {{"build-action", "--jsonnet", "T", "--write-key", "wk"}, 2, 1},
      {{"lint", "--jsonnet", "T"}, 1, 1},
      {{"test-identify", "--jsonnet", "T", "--dry-run"}, 2, 1},
      {{"backfill", "--jsonnet", "T", "--identities", identities, "--dry-run"}, 2, 1},
  };
  for (const auto& verb : verbs) {
    CAPTURE(verb.args);
    const auto r = test::run_tool(with_template(verb.args, top));
    CHECK(r.status == verb.status_top_level);
    CHECK((r.out + r.err)
              .find(top + ": the template's top level exceeds Kratos's 1 s limit "
                          "(stopped)") != std::string::npos);
    const auto b = test::run_tool(with_template(verb.args, body));
    CHECK(b.status == verb.status_body);
    CHECK((b.out + b.err).find("exceeds Kratos's 1 s limit (stopped)") != std::string::npos);
  }
}
