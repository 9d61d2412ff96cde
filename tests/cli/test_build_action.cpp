#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support.hpp"

using test::run_tool;

namespace {

const std::string k_example = test::source_path("examples/segment_identify.jsonnet");
const std::string k_key = "wk_TEST_5ecr3t";

test::RunOptions with_key() { return {std::nullopt, {{"SEGMENT_WRITE_KEY", k_key}}, {}}; }

// Validates action files against Kratos's schema (selfServiceWebHook) with python3-jsonschema.
test::RunResult validate_against_kratos(const std::string& schema,
                                        const std::vector<std::string>& files) {
  std::vector<std::string> argv = {"/usr/bin/python3",
                                   test::source_path("tests/tools/validate_config.py"), schema,
                                   "--definition", "selfServiceWebHook"};
  argv.insert(argv.end(), files.begin(), files.end());
  return test::run_program(argv);
}

// Every variant of build-action's flags, built into files in `dir`.
std::vector<std::string> build_variants(const test::TempDir& dir) {
  const std::string key_file = dir.write("key.txt", k_key + "\n");
  const std::vector<std::vector<std::string>> variants = {
      {"--jsonnet", k_example},
      {"--jsonnet", k_example, "--ignore-response", "--format", "yaml"},
      {"--jsonnet", k_example, "--parse-response", "--id", "segment-identify"},
      {"--jsonnet", k_example, "--region", "eu", "--call", "page"},
      {"--jsonnet",
       dir.write("alias.jsonnet",
                 "function(ctx) { previousId: ctx.flow.id, userId: ctx.identity.id, messageId: "
                 "'ory-' + ctx.flow.id }\n"),
       "--call", "alias", "--no-analytics-event"},
      {"--jsonnet", k_example, "--header", "X-Source=ory", "--header", "X-Empty=", "--format",
       "yaml"},
      {"--body", "file:///etc/config/kratos/segment.jsonnet", "--url",
       "http://127.0.0.1:8765/v1/identify"},
      {"--body", "https://example.com/t.jsonnet", "--url", "http://segment.lan/v1/identify",
       "--allow-insecure-url"},
      {"--body", "base64://e30K", "--http-method", "PUT", "--format", "yaml"},
  };
  std::vector<std::string> files;
  for (std::size_t i = 0; i < variants.size(); ++i) {
    std::vector<std::string> args = {"build-action", "--write-key-file", key_file, "-o",
                                     dir.file("action" + std::to_string(i))};
    args.insert(args.end(), variants[i].begin(), variants[i].end());
    const auto r = run_tool(args);
    CAPTURE(args);
    REQUIRE(r.status == 0);
    CHECK(r.out.empty());
    CHECK(r.err.find(k_key) == std::string::npos);
    files.push_back(dir.file("action" + std::to_string(i)));
  }
  return files;
}

}  // namespace

TEST_CASE("cli build-action: the docs' webhook-action.json, filled in") {
  const auto r = run_tool({"build-action", "--jsonnet", k_example}, with_key());
  REQUIRE(r.status == 0);
  const auto enc = run_tool({"encode", k_example});
  const auto action = nlohmann::json::parse(r.out);
  CHECK(action ==
        nlohmann::json{
            {"hook", "web_hook"},
            {"config",
             {{"auth", {{"type", "basic_auth"}, {"config", {{"user", k_key}, {"password", ""}}}}},
              {"url", "https://api.segment.io/v1/identify"},
              {"method", "POST"},
              {"body", enc.out.substr(0, enc.out.size() - 1)}}}});
  // lint's rules, as lint --jsonnet reports them: counted, with the command that shows them.
  CHECK(r.err ==
        "ory-segment: warning: the action: this Segment call has no response.ignore: every "
        "registration waits for Segment (3 attempts of up to 30 s) and fails when Segment does "
        "[response-ignore]\n  fix: set config.response.ignore: true (build-action "
        "--ignore-response)\n"
        "ory-segment: warning: lint finds 3 warnings (trait-unguarded, message-id) in this "
        "action's template: ory-segment lint --jsonnet '" +
            k_example + "' shows them\n");
  const auto lint = run_tool({"lint", "--jsonnet", k_example});
  CHECK(lint.out.find("0 errors, 3 warnings") != std::string::npos);  // + response-ignore
}

TEST_CASE("cli build-action: every variant builds, and decodes back to the template") {
  test::TempDir dir;
  const auto files = build_variants(dir);
  // A decoded body of every embedded variant is the template itself.
  const auto dec = run_tool({"decode", files[1]});
  CHECK(dec.out == test::read_file(k_example));
  CHECK(test::read_file(files[1]).find("ignore: true") != std::string::npos);
  CHECK(nlohmann::json::parse(test::read_file(files[3]))["config"]["url"] ==
        "https://events.eu1.segmentapis.com/v1/page");
}

TEST_CASE("cli build-action: every variant is valid under Kratos's schema") {
  REQUIRE_REFERENCE(schema, "ref/kratos-config.schema.json");
  test::TempDir dir;
  const auto v = validate_against_kratos(schema, build_variants(dir));
  INFO(v.out << v.err);
  CHECK(v.status == 0);
}

TEST_CASE("cli build-action: the schema check itself catches broken actions") {
  REQUIRE_REFERENCE(schema, "ref/kratos-config.schema.json");
  test::TempDir dir;
  const auto bad =
      dir.write("bad.json", R"({"hook":"web_hook","config":{"url":"https://a/","method":"POST",
      "body":"base64://Zm9v\nYmFy","response":{"ignore":true,"parse":true}}})");
  const auto v = validate_against_kratos(schema, {bad});
  CHECK(v.status == 1);
  CHECK(v.out.find("/config/body") != std::string::npos);
  CHECK(v.out.find("/config/response") != std::string::npos);
}

TEST_CASE("cli build-action: write key sources") {
  test::TempDir dir;
  SECTION("none") {
    const auto r = run_tool({"build-action", "--jsonnet", k_example});
    CHECK(r.status == 2);
    CHECK(r.err ==
          "ory-segment: error: no Segment write key: give --write-key-file FILE, set "
          "SEGMENT_WRITE_KEY, or pass --write-key KEY\n");
  }
  SECTION("--write-key warns and is not echoed") {
    const auto r = run_tool(
        {"build-action", "--jsonnet", k_example, "--write-key", k_key, "--ignore-response"});
    CHECK(r.status == 0);
    CHECK(r.err.rfind("ory-segment: warning: --write-key shows the key in process lists and "
                      "shell history; prefer --write-key-file FILE or SEGMENT_WRITE_KEY\n"
                      "ory-segment: warning: lint finds 3 warnings",
                      0) == 0);
    CHECK(nlohmann::json::parse(r.out)["config"]["auth"]["config"]["user"] == k_key);
  }
  SECTION("the file beats the environment, which beats the flag") {
    const std::string file = dir.write("k", "  from-file \n");
    auto r =
        run_tool({"build-action", "--jsonnet", k_example, "--write-key-file", file}, with_key());
    CHECK(nlohmann::json::parse(r.out)["config"]["auth"]["config"]["user"] == "from-file");
    r = run_tool({"build-action", "--jsonnet", k_example, "--write-key", "flag"}, with_key());
    CHECK(nlohmann::json::parse(r.out)["config"]["auth"]["config"]["user"] == k_key);
    CHECK(r.err.find("--write-key ignored: SEGMENT_WRITE_KEY is set") != std::string::npos);
  }
  SECTION("bad key files") {
    auto r = run_tool(
        {"build-action", "--jsonnet", k_example, "--write-key-file", dir.write("e", "\n")});
    CHECK(r.status == 2);
    CHECK(r.err == "ory-segment: error: " + dir.file("e") + ": the write key file is empty\n");
    r = run_tool({"build-action", "--jsonnet", k_example, "--write-key-file",
                  dir.write("two", k_key + "\nsecond\n")});
    CHECK(r.status == 2);
    CHECK(r.err.find(k_key) == std::string::npos);
    CHECK(r.err.find("more than one line") != std::string::npos);
  }
}

TEST_CASE("cli build-action: bad input exits 2, names the problem, writes nothing") {
  test::TempDir dir;
  const std::string out = dir.file("action.json");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--jsonnet", k_example, "--body", "base64://e30K"},
       "--jsonnet and --body both given; use one"},
      {{}, "no body: give --jsonnet FILE (encoded into the action) or --body URL"},
      {{"--jsonnet", k_example, "--call", "identfy"},
       "--call: unknown value 'identfy'; did you mean 'identify'? (valid: identify, track, page, "
       "screen, group, alias)"},
      {{"--jsonnet", k_example, "--region", "asia"},
       "--region: unknown value 'asia' (valid: us, eu)"},
      {{"--jsonnet", k_example, "--format", "toml"},
       "--format: unknown value 'toml' (valid: json, yaml, terraform)"},
      {{"--jsonnet", k_example, "--ignore-response", "--parse-response"},
       "response.ignore and response.parse cannot both be set: Kratos's schema rejects it (ignore "
       "runs the call asynchronously, so there is no response to parse)"},
      {{"--jsonnet", k_example, "--url", "http://segment.example.com/v1/identify"},
       "url 'http://segment.example.com/v1/identify' uses plain http to a host that is not "
       "loopback: the write key would travel in clear; use https:// or pass --allow-insecure-url"},
      {{"--jsonnet", k_example, "--url", "api.segment.io/v1/identify"},
       "--url 'api.segment.io/v1/identify' is not an absolute URL (expected scheme://host/...)"},
      {{"--body", "/etc/t.jsonnet"},
       "body '/etc/t.jsonnet' has no scheme: write it as file:///etc/t.jsonnet (Kratos still reads "
       "a bare path as one, but calls it deprecated)"},
      {{"--jsonnet", k_example, "--header", "Bad Header=x"},
       "--header 'Bad Header': not a valid header name (RFC 7230 token)"},
      {{"--jsonnet", k_example, "--header", "novalue"}, "--header 'novalue': expected NAME=VALUE"},
      {{"--jsonnet", k_example, "--header", "Authorization=Basic x"},
       "--header Authorization: the action already authenticates with the write key (basic_auth); "
       "drop this header"},
      {{"--jsonnet", dir.write("bad.jsonnet", "{ a: }")},
       dir.file("bad.jsonnet") + ":1:6: unexpected: \"}\" while parsing terminal"},
  };
  for (const auto& [extra, expected] : cases) {
    std::vector<std::string> args = {"build-action", "-o", out};
    args.insert(args.end(), extra.begin(), extra.end());
    CAPTURE(args);
    const auto r = run_tool(args, with_key());
    CHECK(r.status == 2);
    CHECK(r.err == "ory-segment: error: " + expected + "\n");
    CHECK(r.out.empty());
    CHECK_FALSE(test::file_exists(out));
  }
}

TEST_CASE("cli build-action: --jsonnet - reads the template from a pipe, once") {
  // `init | build-action --jsonnet -` read stdin twice and failed ("<stdin>: empty input").
  const std::string source = test::read_file(k_example);
  test::RunOptions opts = with_key();
  opts.stdin_data = source;
  const auto r = run_tool({"build-action", "--jsonnet", "-"}, opts);
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto action = nlohmann::json::parse(r.out);
  const std::string body = action["config"]["body"];
  const auto from_file = run_tool({"build-action", "--jsonnet", k_example}, with_key());
  CHECK(nlohmann::json::parse(from_file.out)["config"]["body"] == body);
}
