#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support.hpp"

using nlohmann::json;
using test::run_tool;

namespace {

const std::string k_example = test::source_path("examples/segment_identify.jsonnet");
const std::string k_kratos_yml = test::source_path("examples/kratos.yml");

std::string make_action(const test::TempDir& dir, const std::string& extra = "") {
  const std::string path = dir.file("action" + extra + ".json");
  std::vector<std::string> args = {"build-action", "--jsonnet",         k_example, "--write-key",
                                   "wk_1",         "--ignore-response", "-o",      path};
  if (!extra.empty()) args.insert(args.end(), {"--id", extra});
  REQUIRE(run_tool(args).status == 0);
  return path;
}

json python_apply(const std::string& config, const std::string& patch_file) {
  const auto r =
      test::run_program({"/usr/bin/python3", test::source_path("tests/tools/jsonpatch_apply.py"),
                         config, patch_file});
  INFO(r.err);
  REQUIRE(r.status == 0);
  return json::parse(r.out);
}

json parse_any(const std::string& path) {
  const auto r = test::run_program(
      {"/usr/bin/python3", "-c",
       "import sys,json,yaml;t=open(sys.argv[1]).read();"
       "print(json.dumps(json.loads(t) if t.lstrip().startswith('{') else yaml.safe_load(t)))",
       path});
  REQUIRE(r.status == 0);
  return json::parse(r.out);
}

// Each config the patch is tried on, with the action for it.
struct PatchCase {
  std::string name, config, action;
};

std::vector<PatchCase> patch_cases(const test::TempDir& dir) {
  const std::string act = make_action(dir);
  const std::string changed = make_action(dir, "segment-v2");
  const std::string quickstart =
      dir.write("quickstart.json", R"({"selfservice": {"flows": {"registration":
      {"after": {"password": {"hooks": [{"hook": "session"}, {"hook": "show_verification_ui"}]}}}}}})");
  const std::string empty = dir.write("empty.json", "{}");
  // Only the global list: the method lists the patch creates must keep its hooks.
  const std::string global = dir.write("global.json", R"({"selfservice": {"flows":
      {"registration": {"after": {"hooks": [{"hook": "web_hook", "config":
      {"url": "https://crm.example/signup", "method": "POST", "body": "base64://e30K"}}]}}}}})");
  // One where the hook is present already, one where a changed hook with the same URL is.
  REQUIRE(run_tool({"patch", "--action", act, "--config", quickstart, "--method", "password",
                    "--apply", "-o", dir.file("present.json")})
              .status == 0);
  const std::string present = dir.file("present.json");
  return {{"quickstart", quickstart, act}, {"empty", empty, act},
          {"global", global, act},         {"present", present, act},
          {"changed", present, changed},   {"kratos.yml", k_kratos_yml, act}};
}

// The config `c` patched with --apply for password and oidc, written to `out`.
void apply_patch(const PatchCase& c, const std::string& out) {
  const auto r = run_tool({"patch", "--action", c.action, "--config", c.config, "--method",
                           "password", "--method", "oidc", "--apply", "-o", out});
  INFO(r.err);
  REQUIRE(r.status == 0);
}

}  // namespace

TEST_CASE("cli patch: the ops, applied by python3-jsonpatch, give exactly what --apply writes") {
  test::TempDir dir;
  for (const auto& c : patch_cases(dir)) {
    CAPTURE(c.name);
    const std::string ops = dir.file(c.name + ".ops.json");
    const std::string out = dir.file(c.name + ".out");
    auto r = run_tool({"patch", "--action", c.action, "--config", c.config, "--method", "password",
                       "--method", "oidc", "-o", ops});
    REQUIRE(r.status == 0);
    apply_patch(c, out);
    CHECK(python_apply(c.config, ops) == parse_any(out));
    // Applying twice equals applying once: the second plan is empty and the file unchanged.
    r = run_tool({"patch", "--action", c.action, "--config", out, "--method", "password",
                  "--method", "oidc"});
    CHECK(json::parse(r.out) == json::array());
  }
  const json replaced = parse_any(dir.file("changed.out"));
  const json hooks = replaced["selfservice"]["flows"]["registration"]["after"]["password"]["hooks"];
  CHECK(hooks.size() == 3);
  CHECK(hooks[0]["config"]["id"] == "segment-v2");
}

TEST_CASE("cli patch: a method list created over a global list keeps the global hooks") {
  test::TempDir dir;
  const std::string act = make_action(dir);
  // The global list holds a CRM hook (the schema allows only web_hooks and SSO hooks there).
  const std::string config = dir.write("global.json", R"({"selfservice": {"flows":
      {"registration": {"after": {"hooks": [{"hook": "web_hook", "config":
      {"url": "https://crm.example/signup", "method": "POST", "body": "base64://e30K"}}]}}}}})");
  const auto r = run_tool(
      {"patch", "--action", act, "--config", config, "--method", "oidc", "--position", "end"});
  REQUIRE(r.status == 0);
  const std::string ops = dir.write("ops.json", r.out);
  const json patched = python_apply(config, ops);
  const json hooks = patched["selfservice"]["flows"]["registration"]["after"]["oidc"]["hooks"];
  REQUIRE(hooks.size() == 2);
  // oidc sign-ups still call the CRM, then Segment.
  CHECK(hooks[0]["config"]["url"] == "https://crm.example/signup");
  CHECK(hooks[1]["config"]["url"] == "https://api.segment.io/v1/identify");
  CHECK(r.err.find("created with the hooks of registration.after.hooks (web_hook)") !=
        std::string::npos);
  // Without --config the live config is unknown: the shadowing is warned about.
  const auto blind = run_tool({"patch", "--action", act, "--method", "oidc"});
  REQUIRE(blind.status == 0);
  CHECK(blind.err.find("without --config the live config is unknown") != std::string::npos);
  CHECK(blind.err.find("--config -") != std::string::npos);
}

TEST_CASE("cli patch: patched configs stay valid under Kratos's schema") {
  REQUIRE_REFERENCE(schema, "ref/kratos-config.schema.json");
  test::TempDir dir;
  for (const auto& c : patch_cases(dir)) {
    CAPTURE(c.name);
    const std::string out = dir.file(c.name + ".out");
    apply_patch(c, out);
    // The touched part; kratos.yml, a whole config, entirely.
    std::vector<std::string> validate = {"/usr/bin/python3",
                                         test::source_path("tests/tools/validate_config.py"),
                                         schema,
                                         "--pointer",
                                         "/selfservice/flows",
                                         out};
    if (c.name == "kratos.yml") validate.erase(validate.begin() + 3, validate.begin() + 5);
    const auto v = test::run_program(validate);
    INFO(v.out);
    CHECK(v.status == 0);
  }
}

TEST_CASE("cli patch: done-when on the quickstart config") {
  test::TempDir dir;
  const std::string act = make_action(dir);
  const std::string out = dir.file("out.yml");
  auto r = run_tool({"patch", "--action", act, "--config", k_kratos_yml, "--method", "password",
                     "--apply", "-o", out});
  REQUIRE(r.status == 0);
  // Only added to: every line of the original (its comments too) is there, in order.
  {
    std::istringstream original(test::read_file(k_kratos_yml));
    const std::string written = test::read_file(out);
    std::size_t at = 0;
    for (std::string line; std::getline(original, line);) {
      const std::size_t found = written.find(line + "\n", at);
      CHECK(found != std::string::npos);
      if (found != std::string::npos) at = found + line.size();
    }
  }
  const json config = parse_any(out);
  const json hooks = config["selfservice"]["flows"]["registration"]["after"]["password"]["hooks"];
  REQUIRE(hooks.size() == 3);
  CHECK(hooks[0]["hook"] == "web_hook");
  CHECK(hooks[1]["hook"] == "session");
  const std::string first = test::read_file(out);
  r = run_tool({"patch", "--action", act, "--config", out, "--method", "password", "--apply"});
  REQUIRE(r.status == 0);
  CHECK(test::read_file(out) == first);
  CHECK_FALSE(test::file_exists(out + ".bak"));
  r = run_tool({"patch", "--action", act, "--config", out, "--method", "password"});
  CHECK(json::parse(r.out) == json::array());
}

TEST_CASE("cli patch: --apply in place keeps FILE.bak") {
  test::TempDir dir;
  const std::string act = make_action(dir);
  const std::string config = dir.write("kratos.json", R"({"selfservice": {}})");
  REQUIRE(::chmod(config.c_str(), 0644) == 0);
  const auto r =
      run_tool({"patch", "--action", act, "--config", config, "--method", "password", "--apply"});
  REQUIRE(r.status == 0);
  CHECK(test::read_file(config + ".bak") == R"({"selfservice": {}})");
  CHECK(json::parse(test::read_file(config))["selfservice"]["flows"]["registration"]["after"]
                                            ["password"]["hooks"][0]["hook"] == "web_hook");
  // The file keeps its mode (Kratos may read it as another user); that it now holds the write
  // key is said.
  struct stat st {};
  REQUIRE(::stat(config.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0644);
  CHECK(r.err.find(config + " (mode 0644) is readable by other users and now holds the Segment "
                            "write key") != std::string::npos);
  // A second --apply (another method) keeps the original .bak and numbers the next one.
  const auto again =
      run_tool({"patch", "--action", act, "--config", config, "--method", "oidc", "--apply"});
  REQUIRE(again.status == 0);
  CHECK(again.err.find("(the original is " + config + ".bak.1)") != std::string::npos);
  CHECK(test::read_file(config + ".bak") == R"({"selfservice": {}})");
  CHECK(test::file_exists(config + ".bak.1"));
  // Through a symlink: the real config changes, the link stays.
  const std::string link = dir.file("link.json");
  REQUIRE(::symlink(config.c_str(), link.c_str()) == 0);
  const auto linked =
      run_tool({"patch", "--action", act, "--config", link, "--method", "code", "--apply"});
  REQUIRE(linked.status == 0);
  REQUIRE(::lstat(link.c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  CHECK(json::parse(test::read_file(config))["selfservice"]["flows"]["registration"]["after"]
            .contains("code"));
}

TEST_CASE("cli: an output onto one of the command's inputs is refused, nothing is written") {
  test::TempDir dir;
  const std::string t = dir.write("t.jsonnet", test::read_file(k_example));
  const std::string key = dir.write("key.txt", "wk\n");
  const std::string act = make_action(dir);
  const std::string config = dir.write("kratos.json", R"({"selfservice": {}})");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"encode", t, "-o", t},
           {"build-action", "--jsonnet", t, "--write-key-file", key, "-o", t},
           {"build-action", "--jsonnet", t, "--write-key-file", key, "-o", key},
           {"patch", "--action", act, "--method", "password", "-o", act},
           {"patch", "--action", act, "--config", config, "--method", "password", "-o", act,
            "--apply"}}) {
    CAPTURE(args);
    const std::string before_t = test::read_file(t), before_key = test::read_file(key),
                      before_act = test::read_file(act);
    const auto r = run_tool(args);
    CHECK(r.status == 2);
    CHECK(r.err.find("is also an input of this command; write the output elsewhere") !=
          std::string::npos);
    CHECK(test::read_file(t) == before_t);
    CHECK(test::read_file(key) == before_key);
    CHECK(test::read_file(act) == before_act);
  }
  // build-action's output holds the write key: 0600.
  const auto r = run_tool(
      {"build-action", "--jsonnet", t, "--write-key-file", key, "-o", dir.file("action.json")});
  REQUIRE(r.status == 0);
  struct stat st {};
  REQUIRE(::stat(dir.file("action.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
}

TEST_CASE("cli patch: the global list warns and shows the fix, which runs as shown") {
  test::TempDir dir;
  const std::string act = make_action(dir);
  auto r = run_tool({"patch", "--action", act, "--hook", "registration.after"});
  CHECK(r.status == 0);
  CHECK(json::parse(r.out)[0]["path"] == "/selfservice/flows/registration/after/hooks/0");
  const std::string fix =
      "patch --action '" + act +
      "' --hook registration.after.password,registration.after.oidc,registration.after.code";
  CHECK(r.err.find("so this hook never fires for password users. Name the methods: ory-segment " +
                   fix + " (or pass --config") != std::string::npos);
  // The older spelling says the same.
  CHECK(run_tool({"patch", "--action", act, "--flow", "registration"}).err == r.err);
  r = test::run_program({"/bin/sh", "-c", std::string(ORY_SEGMENT_BINARY) + " " + fix});
  CHECK(r.status == 0);
  const json ops = json::parse(r.out);
  REQUIRE(ops.size() == 3);
  CHECK(ops[2]["path"] == "/selfservice/flows/registration/after/code/hooks/0");
  // With no hook point named: the password list, as every verb's default.
  r = run_tool({"patch", "--action", act});
  CHECK(json::parse(r.out)[0]["path"] == "/selfservice/flows/registration/after/password/hooks/0");
  // --method takes a list, as lint's fixes write it; --hook and --method do not mix.
  r = run_tool({"patch", "--action", act, "--method", "password,oidc"});
  CHECK(r.status == 0);
  CHECK(json::parse(r.out).size() == 2);
  r = run_tool({"patch", "--action", act, "--method", "oidc", "--hook", "login.after"});
  CHECK(r.status == 2);
  CHECK(r.err.find("give the hook points as --hook FLOW.WHEN[.METHOD], or with --flow") !=
        std::string::npos);
}

TEST_CASE("cli patch: ory-cli lines survive hostile strings under sh") {
  test::TempDir dir;
  const std::string hostile = "it's \"quoted\" $(touch " + dir.file("pwned1") + ") `touch " +
                              dir.file("pwned2") + "` $HOME \\ \n new line ünïcödé ✓ 日本";
  json action = {{"hook", "web_hook"},
                 {"config",
                  {{"id", hostile},
                   {"url", "https://api.segment.io/v1/identify"},
                   {"method", "POST"},
                   {"headers", {{"X-Evil", "'; touch " + dir.file("pwned3") + "; echo '"}}},
                   {"body", "base64://e30K"},
                   {"response", {{"ignore", true}}}}}};
  const std::string act = dir.write("hostile.json", action.dump());
  // A stub `ory` that records each argument NUL-terminated.
  const std::string bin = dir.file("bin");
  ::mkdir(bin.c_str(), 0755);
  const std::string stub = dir.write(
      "bin/ory", "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done > \"$ORY_ARGV\"\n");
  ::chmod(stub.c_str(), 0755);
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{}, {"--project", "p'$(x)"}}) {
    std::vector<std::string> args = {"patch",    "--action", act,        "--method", "password",
                                     "--method", "oidc",     "--format", "ory-cli"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_tool(args);
    REQUIRE(r.status == 0);
    const auto sh = test::run_program(
        {"/bin/sh", "-c", r.out},
        {std::nullopt, {{"PATH", bin + ":/usr/bin:/bin"}, {"ORY_ARGV", dir.file("argv")}}, {}});
    REQUIRE(sh.status == 0);
    const std::string raw = test::read_file(dir.file("argv"));
    std::vector<std::string> argv;
    for (std::size_t start = 0, end; (end = raw.find('\0', start)) != std::string::npos;
         start = end + 1) {
      argv.push_back(raw.substr(start, end - start));
    }
    std::size_t adds = 0;
    for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
      if (argv[i] != "--add") continue;
      ++adds;
      const std::string& value = argv[i + 1];
      const auto eq = value.find('=');
      CHECK(value.substr(0, eq).rfind("/selfservice/flows/registration/after/", 0) == 0);
      CHECK(json::parse(value.substr(eq + 1)) == action);
    }
    CHECK(adds == 2);
    CHECK(argv[0] == "patch");
    CHECK(argv[1] == "identity-config");
    if (!extra.empty()) CHECK(argv[3] == "p'$(x)");
    CHECK(argv.back() == "yaml");
  }
  CHECK_FALSE(test::file_exists(dir.file("pwned1")));
  CHECK_FALSE(test::file_exists(dir.file("pwned2")));
  CHECK_FALSE(test::file_exists(dir.file("pwned3")));
}

TEST_CASE("cli patch: bad input exits 2 and leaves the config untouched") {
  test::TempDir dir;
  const std::string act = make_action(dir);
  const std::string scalar_path = dir.write("scalar.yml", "selfservice:\n  flows: 42\n");
  const std::string list_config = dir.write("list.json", "[1, 2]");
  const std::string not_hook = dir.write("session.json", R"({"hook": "session"})");
  const std::string big = dir.write("big.yml", std::string(9 * 1024 * 1024, '#'));
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--action", act, "--config", scalar_path, "--method", "password"},
       scalar_path + ": /selfservice/flows is a scalar, but "
                     "/selfservice/flows/registration/after/password/hooks needs an object there"},
      {{"--action", act, "--config", list_config},
       list_config + ": the config is a list, not an object"},
      {{"--action", not_hook},
       not_hook + ": not a web_hook action (expected {\"hook\": \"web_hook\", \"config\": {...}})"},
      {{"--action", act, "--config", big},
       big + ": file is 9437184 bytes, larger than the 8 MiB limit"},
      {{"--action", act, "--method", "passwrd"},
       "hook point 'registration.after.passwrd': registration has no method 'passwrd'; did you "
       "mean 'password'? (valid: password, webauthn, passkey, oidc, code, saml)"},
      {{"--action", act, "--flow", "recovery", "--method", "code"},
       "hook point 'recovery.after.code': recovery has no method lists; use recovery.after"},
      {{"--action", act, "--when", "during"},
       "--when: unknown value 'during' (valid: after, before)"},
      {{"--action", act, "--position", "-1"},
       "--position '-1': expected a list index (0, 1, ...) or 'end'"},
      {{"--action", act, "--apply"}, "--apply needs --config FILE"},
      {{"--config", scalar_path}, "--action FILE is required (what build-action prints)"},
  };
  const std::string before = test::read_file(scalar_path);
  for (const auto& [extra, expected] : cases) {
    std::vector<std::string> args = {"patch"};
    args.insert(args.end(), extra.begin(), extra.end());
    CAPTURE(args);
    const auto r = run_tool(args);
    CHECK(r.status == 2);
    CHECK(r.err == "ory-segment: error: " + expected + "\n");
    CHECK(r.out.empty());
  }
  CHECK(test::read_file(scalar_path) == before);
  CHECK_FALSE(test::file_exists(scalar_path + ".bak"));
}

TEST_CASE("cli patch: YAML anchors and merge keys in the config are resolved") {
  test::TempDir dir;
  const std::string act = make_action(dir);
  const std::string config = dir.write("anchors.yml",
                                       "hooks_base: &hooks\n  hooks:\n    - hook: session\n"
                                       "selfservice:\n  flows:\n    registration:\n      after:\n  "
                                       "      password:\n          <<: *hooks\n");
  const auto r = run_tool({"patch", "--action", act, "--config", config, "--method", "password",
                           "--apply", "-o", dir.file("out.yml")});
  REQUIRE(r.status == 0);
  const json out = parse_any(dir.file("out.yml"));
  const json hooks = out["selfservice"]["flows"]["registration"]["after"]["password"]["hooks"];
  REQUIRE(hooks.size() == 2);
  CHECK(hooks[1]["hook"] == "session");
}
