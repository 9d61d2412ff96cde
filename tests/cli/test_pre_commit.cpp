// The pre-commit hook (.pre-commit-hooks.yaml), run by Debian's pre-commit as a user's
// repository runs it: `pre-commit try-repo` on this source tree, offline, with ory-segment on
// PATH (language: system).
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "support.hpp"

namespace {

std::string binary_dir() {
  const std::string bin = ORY_SEGMENT_BINARY;
  return bin.substr(0, bin.rfind('/'));
}

}  // namespace

TEST_CASE("pre-commit: ory-segment-lint passes a good template and config, fails a bad template") {
  const std::string source = test::source_path("");
  if (!test::file_exists(source + "/.git")) {
    test::skip("the source tree is not a git checkout: pre-commit try-repo needs one");
    return;
  }
  if (test::run_program({"/bin/sh", "-c", "command -v pre-commit"}).status != 0) {
    test::skip_unless_ci("pre-commit is not installed (scripts/deps installs Debian's)");
    return;
  }
  test::TempDir dir;
  const std::string repo = dir.path() + "/repo";
  test::RunOptions o;
  o.cwd = dir.path();
  o.env = {{"PATH", binary_dir() + ":/usr/bin:/bin"},  {"HOME", dir.path()},
           {"PRE_COMMIT_HOME", dir.path() + "/cache"}, {"GIT_AUTHOR_NAME", "t"},
           {"GIT_AUTHOR_EMAIL", "t@localhost"},        {"GIT_COMMITTER_NAME", "t"},
           {"GIT_COMMITTER_EMAIL", "t@localhost"}};
  REQUIRE(test::run_program({"/usr/bin/git", "init", "-q", repo}, o).status == 0);
  o.cwd = repo;
  REQUIRE(test::run_tool({"init", "--schema", test::source_path("examples/identity.schema.json"),
                          "-o", repo + "/good.jsonnet", "-q"})
              .status == 0);
  const auto write = [&](const std::string& name, const std::string& text) {
    REQUIRE(
        test::run_program({"/bin/sh", "-c", "cat > \"$0\"", repo + "/" + name}, {text, {}, repo})
            .status == 0);
  };
  write("kratos.yml", test::read_file(test::source_path("examples/kratos.yml")));
  write("bad.jsonnet", "function(ctx) {\n  traits: { email: ctx.identity.traits.email },\n}\n");
  REQUIRE(test::run_program({"/usr/bin/git", "add", "."}, o).status == 0);
  const auto try_repo = [&](const std::vector<std::string>& files) {
    std::vector<std::string> argv = {"/usr/bin/pre-commit", "try-repo", source, "ory-segment-lint",
                                     "--files"};
    argv.insert(argv.end(), files.begin(), files.end());
    return test::run_program(argv, o);
  };
  const auto good = try_repo({"good.jsonnet", "kratos.yml"});
  CAPTURE(good.out, good.err);
  CHECK(good.status == 0);
  CHECK(good.out.find("ory-segment lint....") != std::string::npos);
  CHECK(good.out.find("Passed") != std::string::npos);
  const auto bad = try_repo({"good.jsonnet", "bad.jsonnet"});
  CAPTURE(bad.out, bad.err);
  CHECK(bad.status == 1);
  CHECK(bad.out.find("Failed") != std::string::npos);
  CHECK(bad.out.find("bad.jsonnet: what it sends for a sample identity: neither 'userId' nor "
                     "'anonymousId' is set") != std::string::npos);
}
