#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "support.hpp"
#include "util/hash.hpp"

using test::run_tool;

namespace {

const std::string k_example = test::source_path("examples/segment_identify.jsonnet");
const std::string k_schema = test::source_path("examples/identity.schema.json");

// The Segment docs' mistake: the web_hook in registration's global after-list while the
// password method has its own list (as in every quickstart), written as YAML with the
// action's body; plus a track call without response.ignore in login.
std::string docs_mistake_config(const std::string& body) {
  return "selfservice:\n"
         "  methods:\n"
         "    password:\n"
         "      enabled: true\n"
         "  flows:\n"
         "    registration:\n"
         "      after:\n"
         "        hooks:\n"
         "          - hook: web_hook\n"
         "            config:\n"
         "              url: https://api.segment.io/v1/identify\n"
         "              method: POST\n"
         "              body: " +
         body +
         "\n"
         "              response:\n"
         "                ignore: true\n"
         "        password:\n"
         "          hooks:\n"
         "            - hook: session\n"
         "    login:\n"
         "      after:\n"
         "        hooks:\n"
         "          - hook: web_hook\n"
         "            config:\n"
         "              url: https://api.segment.io/v1/track\n"
         "              method: POST\n"
         "              body: " +
         body + "\n";
}

std::string encoded_example() {
  const auto r = run_tool({"encode", k_example});
  REQUIRE(r.status == 0);
  std::string body = r.out;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  return body;
}

}  // namespace

TEST_CASE("cli lint --config: the hook table, a shadowed global list, each body linted") {
  test::TempDir dir;
  const std::string config = dir.write("kratos.yml", docs_mistake_config(encoded_example()));
  const auto r = run_tool({"lint", "--config", config, "--schema", k_schema});
  CAPTURE(r.out, r.err);
  CHECK(r.status == 1);
  // The table: what runs where, and from which list.
  CHECK(r.out.find("Hooks Kratos runs (" + config + "), in order:\n") != std::string::npos);
  CHECK(
      r.out.find("  registration.after.password   session   [registration.after.password.hooks]") !=
      std::string::npos);
  CHECK(r.out.find("  login.after.password          web_hook api.segment.io/v1/track   "
                   "[login.after.hooks (global)]") != std::string::npos);
  // The web_hook never runs: password has its own list, the other methods are not enabled.
  CHECK(r.out.find("error: " + config +
                   "#/selfservice/flows/registration/after/hooks/0: this web_hook never runs: "
                   "every enabled registration method (password) has its own list") !=
        std::string::npos);
  CHECK(r.out.find("  fix: move it to the methods' lists: ory-segment patch --config '" + config +
                   "' --action '#/selfservice/flows/registration/after/hooks/0' --hook "
                   "registration.after.password --move --apply") != std::string::npos);
  // Its body is linted where it is, with the schema, located inside the body.
  CHECK(r.out.find("error: " + config +
                   "#/selfservice/flows/registration/after/hooks/0/config/body:5:11: trait 'name' "
                   "is optional in the identity schema") != std::string::npos);
  // login's track call: no response.ignore, and the docs' template sends no event.
  CHECK(r.out.find("warning: " + config +
                   "#/selfservice/flows/login/after/hooks/0: this Segment call has no "
                   "response.ignore") != std::string::npos);
  CHECK(r.out.find("error: " + config +
                   "#/selfservice/flows/login/after/hooks/0/config/body: what it sends for a "
                   "sample identity: no 'event'") != std::string::npos);

  // From standard input, as `ory get identity-config --format yaml | ...`, in JSON.
  const auto json = run_tool({"lint", "--config", "-", "--format", "json"},
                             test::RunOptions{docs_mistake_config(encoded_example()), {}, ""});
  CHECK(json.status == 1);
  const auto doc = nlohmann::json::parse(json.out);
  CHECK(doc["config"] == "<stdin>");
  bool found = false;
  for (const auto& row : doc["hooks"]) {
    if (row["point"] == "login.after.password") {
      found = row["global"] == true && row["hooks"].size() == 1 &&
              row["hooks"][0]["pointer"] == "/selfservice/flows/login/after/hooks/0";
    }
  }
  CHECK(found);
  std::set<std::string> rules;
  for (const auto& f : doc["findings"]) rules.insert(f["rule"].get<std::string>());
  CHECK(rules.count("web-hook-never-runs") == 1);
  CHECK(rules.count("response-ignore") == 1);
  CHECK(rules.count("segment-message") == 1);
}

TEST_CASE("cli lint --config: a correct config is clean, bad input exits 2") {
  test::TempDir dir;
  const std::string key = dir.write("key", "k\n");
  const auto built = run_tool(
      {"build-action", "--jsonnet", k_example, "--write-key-file", key, "--ignore-response"});
  REQUIRE(built.status == 0);
  const auto action = nlohmann::json::parse(built.out);
  nlohmann::json config = {
      {"selfservice",
       {{"flows",
         {{"registration",
           {{"after", {{"password", {{"hooks", {action, {{"hook", "session"}}}}}}}}}}}}}}};
  const std::string path = dir.write("kratos.json", config.dump(2));
  const auto r = run_tool({"lint", "--config", path});
  CAPTURE(r.out);
  CHECK(r.status == 0);  // the template's unguarded traits are warnings without a schema
  CHECK(r.out.find("error:") == std::string::npos);
  CHECK(
      r.out.find("  registration.after.password   web_hook api.segment.io/v1/identify, "
                 "session\n                                [registration.after.password.hooks]") !=
      std::string::npos);
  CHECK(r.out.find("k\"") == std::string::npos);  // never the key

  CHECK(run_tool({"lint", "--config", path, "--hook", "login.after"}).status == 2);
  CHECK(run_tool({"lint", "--config", "-", "--jsonnet", "-"}, test::RunOptions{"{}", {}, ""})
            .status == 2);
  CHECK(run_tool({"lint", "--config", dir.write("bad.yml", "a: [1,\n")}).status == 2);
  CHECK(run_tool({"lint", "--config", path, "--format", "xml"}).status == 2);
  const auto scalar = run_tool({"lint", "--config", dir.write("s.yml", "just text\n")});
  CHECK(scalar.status == 1);
  CHECK(scalar.out.find("the config is not an object") != std::string::npos);
}

TEST_CASE("cli lint --format sarif: SARIF 2.1.0 with what GitHub code scanning requires") {
  test::TempDir dir;
  const std::string config = dir.write("kratos.yml", docs_mistake_config(encoded_example()));
  const std::string t =
      dir.write("t.jsonnet", "function(ctx) {\n  userId: std.extVar('ctx').identity.id,\n}\n");
  using Args = std::vector<std::string>;
  for (const auto& args :
       std::vector<Args>{{"lint", "--config", config, "--schema", k_schema, "--format", "sarif"},
                         {"lint", "--jsonnet", t, "--format", "sarif"}}) {
    const auto r = run_tool(args);
    CAPTURE(r.out, r.err);
    CHECK(r.status == 1);
    const auto log = nlohmann::json::parse(r.out);
    CHECK(log["version"] == "2.1.0");
    CHECK(log["$schema"].get<std::string>().find("sarif-2.1.0") != std::string::npos);
    REQUIRE(log["runs"].size() == 1);
    const auto& run = log["runs"][0];
    const auto& driver = run["tool"]["driver"];
    CHECK(driver["name"] == "ory-segment");
    CHECK(!driver["version"].get<std::string>().empty());
    std::set<std::string> ids;
    for (const auto& rule : driver["rules"]) {
      const std::string id = rule["id"];
      CHECK(ids.insert(id).second);  // unique
      CHECK(!rule["shortDescription"]["text"].get<std::string>().empty());
      CHECK(!rule["fullDescription"]["text"].get<std::string>().empty());
      CHECK(!rule["help"]["text"].get<std::string>().empty());
      const std::string level = rule["defaultConfiguration"]["level"];
      CHECK((level == "error" || level == "warning" || level == "note"));
    }
    REQUIRE(!run["results"].empty());
    for (const auto& result : run["results"]) {
      CAPTURE(result.dump());
      const std::string rule = result["ruleId"];
      CHECK(ids.count(rule) == 1);
      CHECK(driver["rules"][result["ruleIndex"].get<std::size_t>()]["id"] == rule);
      const std::string level = result["level"];
      CHECK((level == "error" || level == "warning" || level == "note"));
      CHECK(!result["message"]["text"].get<std::string>().empty());
      CHECK(!result["partialFingerprints"].empty());
      REQUIRE(result["locations"].size() == 1);
      const auto& physical = result["locations"][0]["physicalLocation"];
      const std::string uri = physical["artifactLocation"]["uri"];
      // a file:// URI (absolute paths) or a relative reference, never another scheme
      CHECK((uri.rfind("file:///", 0) == 0 || uri.find(':') == std::string::npos));
      CHECK(physical["region"]["startLine"].get<int>() >= 1);
    }
  }
  // Config findings point at the line of their JSON pointer: the registration web_hook is
  // the item on line 9 of the YAML, column 13.
  const auto log =
      nlohmann::json::parse(run_tool({"lint", "--config", config, "--format", "sarif"}).out);
  bool located = false;
  for (const auto& result : log["runs"][0]["results"]) {
    if (result["ruleId"] != "web-hook-never-runs") continue;
    const auto& region = result["locations"][0]["physicalLocation"]["region"];
    located = region["startLine"] == 9 && region["startColumn"] == 13 &&
              result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] ==
                  "/selfservice/flows/registration/after/hooks/0";
    CHECK(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] ==
          "file://" + config);
  }
  CHECK(located);
  // A template finding: its line and column.
  const auto tlog =
      nlohmann::json::parse(run_tool({"lint", "--jsonnet", t, "--format", "sarif"}).out);
  bool at_line = false;
  for (const auto& result : tlog["runs"][0]["results"]) {
    if (result["ruleId"] != "ctx-ext-var") continue;
    const auto& region = result["locations"][0]["physicalLocation"]["region"];
    at_line = region["startLine"] == 2 && region["startColumn"] == 11;
  }
  CHECK(at_line);
}

TEST_CASE("cli lint --config --jsonnet: a body Ory Network stored is linted as the local file") {
  // Ory Network shows an uploaded template as a storage URL named by its SHA-512: lint takes
  // the --jsonnet file for it when the digests agree, and says so when they do not.
  test::TempDir dir;
  const std::string text = test::read_file(k_example);
  const std::string stored = "https://storage.googleapis.com/bac-gcs-production/" +
                             util::hex_digest(text, util::HashAlgorithm::sha512) + ".jsonnet";
  const nlohmann::json hook = {{"hook", "web_hook"},
                               {"config",
                                {{"url", "https://api.segment.io/v1/identify"},
                                 {"method", "POST"},
                                 {"body", stored},
                                 {"response", {{"ignore", true}}}}}};
  nlohmann::json config;
  config["selfservice"]["flows"]["registration"]["after"]["password"]["hooks"] = {hook};
  const std::string path = dir.write("network.json", config.dump());
  const auto alone = run_tool({"lint", "--config", path, "--schema", k_schema});
  CAPTURE(alone.out);
  CHECK(alone.out.find("[body-not-read]") != std::string::npos);
  CHECK(alone.out.find("[trait-unguarded]") == std::string::npos);
  // The same template: its findings, located in the file, once each.
  const auto same =
      run_tool({"lint", "--config", path, "--schema", k_schema, "--jsonnet", k_example});
  CAPTURE(same.out);
  CHECK(same.status == 1);
  CHECK(same.out.find("[body-not-read]") == std::string::npos);
  const std::string at = "error: " + k_example + ":5:11: trait 'name' is optional";
  const auto first = same.out.find(at);
  CHECK(first != std::string::npos);
  CHECK(same.out.find(at, first + 1) == std::string::npos);
  // Another version: the deployed one differs, said as a warning.
  const std::string other = dir.write("other.jsonnet", text + "\n// edited\n");
  const auto differs =
      run_tool({"lint", "--config", path, "--schema", k_schema, "--jsonnet", other});
  CAPTURE(differs.out);
  CHECK(differs.out.find("the template Ory Network stored here is not " + other +
                         " (their SHA-512 differ)") != std::string::npos);
  CHECK(differs.out.find("[body-differs]") != std::string::npos);
}
