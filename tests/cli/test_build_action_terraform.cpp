// build-action --format terraform: an ory_action resource for terraform-provider-ory that
// HashiCorp's HCL parser reads, whose attributes are the provider's, with the write key in no
// file and no state; the hook the provider installs from it reaches Segment with the key.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "fake_segment.hpp"
#include "kratos/terraform_action.hpp"
#include "support.hpp"
#include "util/base64.hpp"
#include "util/text.hpp"

using nlohmann::json;
using test::run_tool;

namespace {

const std::string k_key = "wk_TERRAFORM_5ecr3t";
const std::string k_schema = test::source_path("examples/identity.schema.json");

// The attributes of ory_action in terraform-provider-ory's schema
// (internal/resources/action/resource.go at 002fbf60ffed669a01f9a6e3ef51454c726248ce).
const std::set<std::string> k_provider_attributes = {"id",
                                                     "project_id",
                                                     "flow",
                                                     "timing",
                                                     "auth_method",
                                                     "url",
                                                     "method",
                                                     "body",
                                                     "response_ignore",
                                                     "response_parse",
                                                     "can_interrupt",
                                                     "webhook_auth_type",
                                                     "webhook_auth_basic_auth_user",
                                                     "webhook_auth_basic_auth_password",
                                                     "webhook_auth_basic_auth_password_wo",
                                                     "webhook_auth_basic_auth_password_wo_version",
                                                     "webhook_auth_api_key_name",
                                                     "webhook_auth_api_key_value",
                                                     "webhook_auth_api_key_value_wo",
                                                     "webhook_auth_api_key_value_wo_version",
                                                     "webhook_auth_api_key_in"};

// A template lint passes, from init.
std::string clean_template(const test::TempDir& dir) {
  const auto r = run_tool({"init", "--schema", k_schema, "-o", dir.file("t.jsonnet"), "-q"});
  REQUIRE(r.status == 0);
  return dir.file("t.jsonnet");
}

// A Terraform JSON-syntax string as a value: "$${" and "%%{" are the literal "${" and "%{".
std::string literal(const json& value) {
  std::string s = value.get<std::string>();
  for (const char* pair : {"$${", "%%{"}) {
    for (std::size_t at = s.find(pair); at != std::string::npos; at = s.find(pair, at + 2)) {
      s.erase(at, 1);
    }
  }
  return s;
}

}  // namespace

TEST_CASE("cli build-action --format terraform: HCL the provider reads, the key write-only") {
  test::TempDir dir;
  const std::string t = clean_template(dir);
  const auto r =
      run_tool({"build-action", "--jsonnet", t, "--ignore-response", "--format", "terraform", "-o",
                dir.file("segment.tf"), "--write-key-file", dir.write("key", k_key + "\n")});
  CAPTURE(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.err.find("writes no write key: Terraform reads it from var.segment_write_key") !=
        std::string::npos);
  const std::string tf = test::read_file(dir.file("segment.tf"));
  CHECK(tf.find(k_key) == std::string::npos);
  CHECK(tf.find(util::base64_encode(k_key)) == std::string::npos);
  const auto parser = test::hcl2json_command();
  if (parser.empty()) return;
  std::vector<std::string> argv = parser;
  argv.push_back(dir.file("segment.tf"));
  const auto parsed = test::run_program(argv);
  CAPTURE(tf, parsed.err);
  REQUIRE(parsed.status == 0);
  const json hcl = json::parse(parsed.out);
  const json& variable = hcl["variable"]["segment_write_key"][0];
  CHECK(variable["sensitive"] == true);
  CHECK(variable["ephemeral"] == true);  // may feed a write-only argument, kept out of state
  const json& resources = hcl["resource"]["ory_action"];
  REQUIRE(resources.size() == 1);
  CHECK(resources.begin().key() == "segment_identify_registration_after_password");
  const json& action = resources.begin().value()[0];
  for (const auto& [name, value] : action.items()) {
    CAPTURE(name);
    CHECK(k_provider_attributes.count(name) == 1);
  }
  CHECK(action["flow"] == "registration");
  CHECK(action["timing"] == "after");
  CHECK(action["auth_method"] == "password");
  CHECK(action["url"] == "https://api.segment.io/v1/identify");
  CHECK(action["method"] == "POST");
  CHECK(literal(action["body"]) == "base64://" + util::base64_encode(test::read_file(t)));
  CHECK(action["response_ignore"] == true);
  CHECK(action["webhook_auth_type"] == "api_key");
  CHECK(action["webhook_auth_api_key_name"] == "Authorization");
  CHECK(action["webhook_auth_api_key_in"] == "header");
  CHECK(action["webhook_auth_api_key_value_wo"] ==
        "Basic ${base64encode(\"${var.segment_write_key}:\")}");
  CHECK(action["webhook_auth_api_key_value_wo_version"] == "1");
  CHECK_FALSE(action.contains("webhook_auth_api_key_value"));  // the one stored in state
  // Where the provider scopes no method: recovery's after-hooks have no auth_method.
  const auto recovery = run_tool({"build-action", "--jsonnet", t, "--format", "terraform", "--hook",
                                  "recovery.after", "-o", dir.file("r.tf")});
  CAPTURE(recovery.err);
  REQUIRE(recovery.status == 0);
  argv.back() = dir.file("r.tf");
  const json r_hcl = json::parse(test::run_program(argv).out);
  const json& r_action = r_hcl["resource"]["ory_action"].begin().value()[0];
  CHECK(r_action["flow"] == "recovery");
  CHECK_FALSE(r_action.contains("auth_method"));
}

TEST_CASE("cli build-action --format terraform: the provider's hook sends the key as basic_auth") {
  // What the provider installs (buildHookValue) for the variable's value, sent by test-identify
  // as Kratos sends it: the same Authorization header as build-action's basic_auth action.
  test::TempDir dir;
  const std::string t = clean_template(dir);
  core::TerraformAction a;
  a.spec.url = "https://api.segment.io/v1/identify";
  a.spec.body = "base64://" + util::base64_encode(test::read_file(t));
  std::string err;
  a.hook = *core::parse_hook_point("registration.after.password", &err);
  const std::string provider =
      dir.write("provider.json", core::terraform_provider_hook(a, k_key).dump());
  const test::RunOptions with_key = {std::nullopt, {{"SEGMENT_WRITE_KEY", k_key}}, {}};
  REQUIRE(
      run_tool({"build-action", "--jsonnet", t, "-o", dir.file("basic.json")}, with_key).status ==
      0);
  std::vector<std::string> headers;
  for (const std::string& action : {provider, dir.file("basic.json")}) {
    const auto lint = run_tool({"lint", "--action", action});
    CAPTURE(action, lint.out, lint.err);
    CHECK(lint.status == 0);
    test::FakeSegment segment;
    const auto sent =
        run_tool({"test-identify", "--action", action, "--url", segment.url("/v1/identify")});
    CAPTURE(sent.out, sent.err);
    CHECK(sent.status == 0);
    REQUIRE(segment.requests().size() == 1);
    headers.push_back(segment.requests()[0].header("Authorization"));
  }
  CHECK(headers[0] == "Basic " + util::base64_encode(k_key + ":"));
  CHECK(headers[0] == headers[1]);
}

TEST_CASE("cli build-action --format terraform: what the provider cannot express is refused") {
  test::TempDir dir;
  const std::string t = clean_template(dir);
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--body", "file:///etc/t.jsonnet"}, "base64-encodes any body that is not base64://"},
      {{"--jsonnet", t, "--header", "X-A=b"}, "ory_action has no headers"},
      {{"--jsonnet", t, "--id", "seg"}, "no id nor emit_analytics_event"},
      {{"--jsonnet", t, "--hook", "registration.after"}, "into one method's list"},
      {{"--jsonnet", t, "--hook", "login.after.saml"}, "no auth_method 'saml'"},
  };
  for (const auto& [args, message] : cases) {
    std::vector<std::string> argv = {"build-action", "--format", "terraform"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = run_tool(argv);
    CAPTURE(args, r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find(message) != std::string::npos);
    CHECK(r.out.empty());
  }
}

TEST_CASE("terraform_action: hcl_string escapes what Terraform would read as a template") {
  CHECK(core::hcl_string("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(core::hcl_string("${x} %{if} $5 %d") == "\"$${x} %%{if} $5 %d\"");
  CHECK(core::hcl_string("l1\nl2\t\x01") == "\"l1\\nl2\\t\\u0001\"");
}
