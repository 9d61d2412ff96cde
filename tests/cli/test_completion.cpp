// Completion as a shell runs it: bash's completion function on partial command lines; zsh and
// fish scripts parse where those shells are installed.
#include <catch2/catch.hpp>
#include <set>
#include <sstream>
#include <string>

#include "support.hpp"

using test::run_tool;

namespace {

// What bash's completion offers for `words` (the last one being completed), in `cwd`.
std::set<std::string> complete(const std::string& script, const std::string& cwd,
                               const std::string& words) {
  const auto r = test::run_program(
      {"/bin/bash", "-c",
       "source " + script + "; cd " + cwd + " && COMP_WORDS=(" + words +
           "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); [[ \"" + words +
           "\" == *' ' ]] && COMP_WORDS+=('') && COMP_CWORD=${#COMP_WORDS[@]}-1; _ory_segment; "
           "printf '%s\\n' \"${COMPREPLY[@]}\""});
  INFO(r.err);
  std::set<std::string> out;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.insert(line);
  }
  return out;
}

}  // namespace

TEST_CASE("completion: bash offers values, files only where a file goes, verbs without a slash") {
  test::TempDir dir;
  dir.write("init/x", "");  // a directory named like a verb
  dir.write("kratos.yml", "");
  const std::string script = dir.write("c.bash", run_tool({"completion", "bash"}).out);
  const std::string cwd = dir.path();
  using Set = std::set<std::string>;
  CHECK(complete(script, cwd, "ory-segment in") == Set{"init"});
  CHECK(complete(script, cwd, "ory-segment lint --format ") == Set{"text", "json", "sarif"});
  CHECK(complete(script, cwd, "ory-segment patch --format ory") ==
        Set{"ory-cli", "ory-project-api"});
  CHECK(complete(script, cwd, "ory-segment lint --kratos ") == Set{"network", "v26.2.0"});
  CHECK(complete(script, cwd, "ory-segment backfill --progress ") ==
        Set{"auto", "always", "never"});
  CHECK(complete(script, cwd, "ory-segment test-identify --call t") == Set{"track"});
  CHECK(complete(script, cwd, "ory-segment build-action --region ") == Set{"us", "eu"});
  CHECK(complete(script, cwd, "ory-segment init --hook registration.after.p") ==
        Set{"registration.after.password", "registration.after.passkey"});
  CHECK(complete(script, cwd, "ory-segment lint --color a") == Set{"auto", "always"});
  CHECK(complete(script, cwd, "ory-segment lint --disable message") == Set{"message-id"});
  CHECK(complete(script, cwd, "ory-segment completion ") == Set{"bash", "zsh", "fish"});
  // A file where one goes; nothing for a number or a URL; options otherwise.
  CHECK(complete(script, cwd, "ory-segment lint --config kr") == Set{"kratos.yml"});
  CHECK(complete(script, cwd, "ory-segment backfill --rate ").empty());
  CHECK(complete(script, cwd, "ory-segment test-identify --url ").empty());
  CHECK(complete(script, cwd, "ory-segment lint --max-w") == Set{"--max-warnings"});
  CHECK(complete(script, cwd, "ory-segment lint ").count("--config") == 1);
  CHECK(complete(script, cwd, "ory-segment encode kr") == Set{"kratos.yml"});  // its operand
}

TEST_CASE("completion: zsh and fish scripts list the values and parse in their shells") {
  const auto zsh = run_tool({"completion", "zsh"});
  CHECK(zsh.out.find(":FORMAT:(text json sarif)") != std::string::npos);
  CHECK(zsh.out.find("'*:SHELL:(bash zsh fish)'") != std::string::npos);
  const auto fish = run_tool({"completion", "fish"});
  CHECK(fish.out.find("-l format -r -f -a 'text json sarif'") != std::string::npos);
  test::TempDir dir;
  for (const auto& [shell, path, text] :
       {std::tuple<std::string, std::string, std::string>{"zsh", "/usr/bin/zsh", zsh.out},
        {"fish", "/usr/bin/fish", fish.out}}) {
    if (!test::file_exists(path)) {
      WARN(shell + " is not installed: its script's syntax is not checked here");
      continue;
    }
    const auto r = test::run_program({path, "-n", dir.write("c." + shell, text)});
    CAPTURE(shell, r.err);
    CHECK(r.status == 0);
  }
}
