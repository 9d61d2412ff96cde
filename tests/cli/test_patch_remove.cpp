// patch beyond installing: --diff previews, --remove takes a hook out, --add keeps a second
// source beside the first; a self-hosted config never gets an Ory Network-only list.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support.hpp"

using nlohmann::json;
using test::run_tool;

namespace {

const std::string k_example = test::source_path("examples/segment_identify.jsonnet");

std::string make_action(const test::TempDir& dir, const std::string& name,
                        const std::vector<std::string>& extra = {}) {
  const std::string path = dir.file(name);
  std::vector<std::string> args = {"build-action", "--jsonnet",         k_example, "--write-key",
                                   "wk_1",         "--ignore-response", "-o",      path};
  args.insert(args.end(), extra.begin(), extra.end());
  REQUIRE(run_tool(args).status == 0);
  return path;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("cli patch --diff: what --apply would change, as a unified diff, nothing written") {
  test::TempDir dir;
  const std::string act = make_action(dir, "action.json");
  const std::string original = test::read_file(test::source_path("examples/kratos.yml"));
  const std::string config = dir.write("kratos.yml", original);
  auto r = run_tool({"patch", "--action", act, "--config", config, "--diff"});
  CAPTURE(r.err);
  CHECK(r.status == 0);
  CHECK(test::read_file(config) == original);
  CHECK_FALSE(test::file_exists(config + ".bak"));
  CHECK(r.out.rfind("--- " + config + "\n+++ " + config + " (patched)\n@@ -", 0) == 0);
  CHECK(has(r.out, "\n+            - hook: web_hook\n"));
  // The diff is the change --apply makes, line for line: patch(1) turns the one into the other.
  const std::string diff = dir.write("change.diff", r.out);
  const std::string applied = dir.file("applied.yml");
  r = run_tool({"patch", "--action", act, "--config", config, "--apply", "-o", applied});
  REQUIRE(r.status == 0);
  const auto p =
      test::run_program({"/usr/bin/patch", "-s", "-o", dir.file("by-patch.yml"), config, diff});
  CAPTURE(p.out, p.err);
  REQUIRE(p.status == 0);
  CHECK(test::read_file(dir.file("by-patch.yml")) == test::read_file(applied));
  // Nothing to change: no diff, and a note.
  r = run_tool({"patch", "--action", act, "--config", applied, "--diff"});
  CHECK(r.status == 0);
  CHECK(r.out.empty());
  CHECK(has(r.err, "would be unchanged"));
  r = run_tool({"patch", "--action", act, "--diff"});
  CHECK(r.status == 2);
  CHECK(has(r.err, "--diff needs --config FILE"));
}

TEST_CASE("cli patch --remove: the ops that take the hook out, by URL, action or template") {
  test::TempDir dir;
  const std::string act = make_action(dir, "action.json");
  const std::string config =
      dir.write("kratos.yml", test::read_file(test::source_path("examples/kratos.yml")));
  const std::string original = test::read_file(config);
  REQUIRE(run_tool({"patch", "--action", act, "--config", config, "--hook",
                    "registration.after.password,login.after", "--apply"})
              .status == 0);
  const std::string url = json::parse(test::read_file(act))["config"]["url"];

  // By URL, from every list: one op per hook, and applied, the config is as it was but for
  // the lists the install created (now empty).
  auto r = run_tool({"patch", "--remove", "--url", url, "--config", config});
  CAPTURE(r.err);
  REQUIRE(r.status == 0);
  const json ops = json::parse(r.out);
  REQUIRE(ops.size() == 2);
  for (const auto& op : ops) {
    CHECK(op["op"] == "remove");
    CHECK_FALSE(op.contains("value"));
  }
  CHECK(ops[0]["path"] == "/selfservice/flows/login/after/hooks/0");
  CHECK(ops[1]["path"] == "/selfservice/flows/registration/after/password/hooks/0");
  // ory-cli: --remove PATH.
  r = run_tool({"patch", "--remove", "--url", url, "--config", config, "--format", "ory-cli"});
  CHECK(has(r.out, "--remove '/selfservice/flows/login/after/hooks/0'"));
  // By the action (its URL and method), from the --hook list only.
  r = run_tool({"patch", "--remove", "--action", act, "--config", config, "--hook", "login.after"});
  REQUIRE(r.status == 0);
  CHECK(json::parse(r.out).size() == 1);
  // By template; then applied: the hooks are gone, every other line as it was.
  r = run_tool({"patch", "--remove", "--jsonnet", k_example, "--config", config, "--apply"});
  REQUIRE(r.status == 0);
  const std::string after = test::read_file(config);
  CHECK_FALSE(has(after, "web_hook"));
  const auto lint = run_tool({"lint", "--config", config, "--format", "json"});
  CHECK(has(lint.out, "no-segment-hook"));
  CHECK(after.size() < original.size() + 200);
  // Nothing left to remove: bad input, nothing written.
  r = run_tool({"patch", "--remove", "--url", url, "--config", config, "--apply"});
  CHECK(r.status == 2);
  CHECK(has(r.err, "no web_hook calls " + url));
  CHECK(test::read_file(config) == after);
  // What to remove must be said once, and against a config.
  CHECK(run_tool({"patch", "--remove", "--config", config}).status == 2);
  CHECK(run_tool({"patch", "--remove", "--url", url}).status == 2);
  CHECK(run_tool({"patch", "--remove", "--url", url, "--action", act, "--config", config}).status ==
        2);
}

TEST_CASE("cli patch --remove: a method list left empty hands it back to the global list") {
  test::TempDir dir;
  const std::string act = make_action(dir, "action.json");
  const json config = {{"selfservice",
                        {{"flows",
                          {{"registration",
                            {{"after",
                              {{"hooks", json::array({{{"hook", "web_hook"},
                                                       {"config",
                                                        {{"url", "https://crm.example/hook"},
                                                         {"method", "POST"},
                                                         {"body", "base64://e30="}}}}})},
                               {"password", {{"hooks", json::array()}}}}}}}}}}}};
  const std::string path = dir.write("c.json", config.dump());
  REQUIRE(run_tool({"patch", "--action", act, "--config", path, "--apply"}).status == 0);
  const auto r = run_tool({"patch", "--remove", "--action", act, "--config", path});
  CAPTURE(r.err);
  CHECK(r.status == 0);
  // The install carried the CRM hook into the password list; only the Segment one goes.
  CHECK(json::parse(r.out).size() == 1);
  CHECK_FALSE(has(r.err, "is empty after this"));
  const auto only = run_tool({"patch", "--remove", "--url", "https://crm.example/hook", "--config",
                              path, "--hook", "registration.after.password"});
  CHECK(only.status == 0);
  CHECK_FALSE(has(only.err, "is empty after this"));  // the Segment hook stays in it
}

TEST_CASE("cli patch --add: a second source with the same URL goes beside the first") {
  test::TempDir dir;
  const std::string first = make_action(dir, "first.json");
  const std::string second = make_action(dir, "second.json", {"--id", "second-source"});
  const std::string config = dir.write("c.json", R"({"selfservice": {}})");
  REQUIRE(run_tool({"patch", "--action", first, "--config", config, "--apply"}).status == 0);
  auto r = run_tool({"patch", "--action", second, "--config", config});
  CHECK(json::parse(r.out)[0]["op"] == "replace");
  CHECK(has(r.err, "calls the same URL and method with another config: replaced"));
  r = run_tool({"patch", "--action", second, "--config", config, "--add", "--apply"});
  REQUIRE(r.status == 0);
  const json hooks = json::parse(test::read_file(
      config))["selfservice"]["flows"]["registration"]["after"]["password"]["hooks"];
  CHECK(hooks.size() == 2);
  // The identical hook is still left alone (Kratos's schema makes lists unique).
  r = run_tool({"patch", "--action", second, "--config", config, "--add"});
  CHECK(json::parse(r.out).empty());
}

TEST_CASE("cli patch: an Ory Network-only list is refused in a self-hosted config") {
  test::TempDir dir;
  const std::string act = make_action(dir, "action.json");
  const std::string config =
      dir.write("kratos.yml", test::read_file(test::source_path("examples/kratos.yml")));
  const std::string before = test::read_file(config);
  const auto r =
      run_tool({"patch", "--action", act, "--config", config, "--method", "saml", "--apply"});
  CHECK(r.status == 2);
  CHECK(has(r.err,
            "is a self-hosted Kratos's config (it has dsn), and Kratos's config schema "
            "has no registration.after.saml list"));
  CHECK(test::read_file(config) == before);
  // An Ory Network identity config (no dsn, no serve) takes it.
  const std::string network = dir.write("network.json", R"({"selfservice": {}})");
  CHECK(run_tool({"patch", "--action", act, "--config", network, "--method", "saml"}).status == 0);
}

TEST_CASE("cli patch: lint's rules on what it installs, the same findings lint gives") {
  test::TempDir dir;
  const std::string act = make_action(dir, "action.json");
  const std::string config =
      dir.write("kratos.yml", test::read_file(test::source_path("examples/kratos.yml")));
  // The global list, shadowed by password's own (the recipe's trap): lint's error, so nothing
  // is installed.
  const std::string before = test::read_file(config);
  auto r = run_tool(
      {"patch", "--action", act, "--config", config, "--hook", "registration.after", "--apply"});
  CAPTURE(r.err);
  CHECK(r.status == 1);
  CHECK(test::read_file(config) == before);
  CHECK(has(r.err, "error: " + config +
                       "#/selfservice/flows/registration/after/hooks/0: this web_hook never runs: "
                       "every enabled registration method (password) has its own list"));
  CHECK(has(r.err, "[web-hook-never-runs]"));
  // A method that is not enabled.
  r = run_tool({"patch", "--action", act, "--config", config, "--hook", "login.after.oidc"});
  CHECK(has(r.err,
            "/selfservice/flows/login/after/oidc/hooks/0: this web_hook runs only for oidc "
            "logins, and that method is not enabled"));
  // The template's warnings counted, with the command that shows them.
  CHECK(has(r.err,
            "lint finds 3 warnings (trait-unguarded, message-id) in the installed hook's "
            "template: ory-segment lint --action '" +
                act + "' shows them"));
}

TEST_CASE("cli: build-action, lint, test-identify and patch agree on an action Kratos fails") {
  // request/builder.go: a Content-Type other than exactly application/json (or the form type)
  // fails every call of the hook.
  test::TempDir dir;
  const std::string header = "Content-Type=application/json; charset=utf-8";
  auto r = run_tool({"build-action", "--jsonnet", k_example, "--write-key", "wk_1", "--header",
                     header, "-o", dir.file("built.json")});
  CAPTURE(r.err);
  CHECK(r.status == 1);
  CHECK(has(r.err, "Content-Type 'application/json; charset=utf-8': Kratos sends a body only"));
  CHECK(has(r.err, "[web-hook-invalid]"));
  CHECK_FALSE(test::file_exists(dir.file("built.json")));

  json action = json::parse(test::read_file(make_action(dir, "action.json")));
  action["config"]["headers"] = {{"Content-Type", "application/json; charset=utf-8"}};
  const std::string act = dir.write("charset.json", action.dump());
  r = run_tool({"lint", "--action", act});
  CHECK(r.status == 1);
  CHECK(has(r.out, "error: " + act + "#/config/headers: Content-Type"));
  const json config = {
      {"selfservice",
       {{"flows", {{"registration", {{"after", {{"password", {{"hooks", {action}}}}}}}}}}}}};
  const std::string config_file = dir.write("config.json", config.dump());
  r = run_tool({"lint", "--config", config_file});
  CHECK(r.status == 1);
  CHECK(has(r.out,
            "#/selfservice/flows/registration/after/password/hooks/0/config/headers: "
            "Content-Type"));
  r = run_tool({"test-identify", "--action", act, "--dry-run", "--identity",
                test::source_path("examples/identity.json")});
  CHECK(r.status == 1);
  CHECK(has(r.err, "incorrect Content-Type for request with body"));
  const std::string empty = dir.write("empty.json", R"({"selfservice": {}})");
  r = run_tool({"patch", "--action", act, "--config", empty, "--apply"});
  CHECK(r.status == 1);
  CHECK(has(r.err, "[web-hook-invalid]"));
  CHECK(test::read_file(empty) == R"({"selfservice": {}})");
  CHECK(run_tool({"patch", "--action", act}).status == 1);
}
