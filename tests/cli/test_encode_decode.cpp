#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "support.hpp"

using test::run_tool;

namespace {

const std::string k_example = test::source_path("examples/segment_identify.jsonnet");

}  // namespace

TEST_CASE("cli encode: the docs' template becomes one base64:// line") {
  const auto r = run_tool({"encode", k_example});
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  REQUIRE(r.out.rfind("base64://", 0) == 0);
  CHECK(r.out.find('\n') == r.out.size() - 1);
  const auto raw = run_tool({"encode", "--raw", k_example});
  CHECK(r.out == "base64://" + raw.out);
}

TEST_CASE("cli encode/decode: round trip is byte-identical") {
  test::TempDir dir;
  std::string big = "function(ctx) {\n  userId: ctx.identity.id,\n  pad: [\n";
  while (big.size() < 70 * 1024) big += "    'padding line to grow the template past 64 KiB',\n";
  big += "  ],\n}\n";
  const std::pair<const char*, std::string> cases[] = {
      {"unicode", "function(ctx) { name: 'Renée ✓ 😀 日本', id: ctx.identity.id }\n"},
      {"crlf", "function(ctx) {\r\n  userId: ctx.identity.id,\r\n}\r\n"},
      {"no-newline", "function(ctx) { userId: ctx.identity.id }"},
      {"over-64k", big},
  };
  for (const auto& [name, source] : cases) {
    CAPTURE(name);
    const std::string path = dir.write(std::string(name) + ".jsonnet", source);
    const auto enc = run_tool({"encode", path});
    REQUIRE(enc.status == 0);
    const std::string body = enc.out.substr(0, enc.out.size() - 1);
    const auto dec = run_tool({"decode", body});
    CHECK(dec.status == 0);
    CHECK(dec.out == source);
    const auto dec_stdin = run_tool({"decode"}, {enc.out, {}, {}});
    CHECK(dec_stdin.out == source);
  }
}

TEST_CASE("cli encode: stdin and -o") {
  test::TempDir dir;
  const auto r = run_tool({"encode", "-", "-o", dir.file("body.txt")}, {"{}\n", {}, {}});
  CHECK(r.status == 0);
  CHECK(r.out.empty());
  CHECK(test::read_file(dir.file("body.txt")) == "base64://e30K\n");
}

TEST_CASE("cli encode: bad input exits 2 with a clear message and writes nothing") {
  test::TempDir dir;
  const std::string out = dir.file("out.txt");
  struct Case {
    const char* name;
    std::string content;
    std::string expected_err;
  };
  const std::string bad_utf8 = dir.write("latin1.jsonnet", "{ name: 'Ren\xe9' }\n");
  const std::string empty = dir.write("empty.jsonnet", "");
  const std::string syntax = dir.write("syntax.jsonnet", "function(ctx) {\n  a: ,\n}\n");
  const std::string imports = dir.write("import.jsonnet", "import 'lib.libsonnet'\n");
  const std::string big = dir.file("big.jsonnet");
  {
    std::string blob(50 * 1024 * 1024, ' ');
    dir.write("big.jsonnet", blob);
  }
  const std::pair<std::string, std::string> cases[] = {
      {bad_utf8, bad_utf8 + ":1:13: invalid UTF-8 (byte 0xe9); save the file as UTF-8"},
      {empty, empty + ": empty input"},
      {syntax, syntax + ":2:6: unexpected: \",\" while parsing terminal"},
      {imports, imports + ":1:1: couldn't open import \"lib.libsonnet\": imports are disabled "
                          "(Kratos evaluates templates without them)"},
      {dir.file("missing.jsonnet"), dir.file("missing.jsonnet") + ": no such file"},
      {dir.path(), dir.path() + ": is a directory, expected a file"},
      {big, big + ": file is 52428800 bytes, larger than the 8 MiB limit"},
  };
  for (const auto& [input, expected] : cases) {
    CAPTURE(input);
    const auto r = run_tool({"encode", input, "-o", out});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err == "ory-segment: error: " + expected + "\n");
    CHECK_FALSE(test::file_exists(out));
  }
}

TEST_CASE("cli encode: an import Kratos never reaches is a warning, as imports are lazy") {
  test::TempDir dir;
  const std::string lazy =
      dir.write("lazy.jsonnet", "local l = import 'lib.libsonnet';\nfunction(ctx) {}\n");
  const auto r = run_tool({"encode", lazy});
  CHECK(r.status == 0);
  CHECK(r.out.rfind("base64://", 0) == 0);
  CHECK(r.err == "ory-segment: warning: " + lazy +
                     ":1:11: 'import' fails the hook when it is evaluated: Kratos evaluates "
                     "templates with imports disabled; inline the code instead\n");
}

TEST_CASE("cli encode: a template Kratos cannot call exits 1, nothing written") {
  test::TempDir dir;
  const std::string t = dir.write("user.jsonnet", "function(user) { id: user.id }\n");
  auto r = run_tool({"encode", t});
  CHECK(r.status == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find("ory-segment: error: ") == 0);
  CHECK(r.err.find("without a parameter named 'ctx'") != std::string::npos);
  r = run_tool({"encode", t, "-o", dir.path() + "/body.txt"});
  CHECK(r.status == 1);
  CHECK(!test::file_exists(dir.path() + "/body.txt"));
  r = run_tool({"build-action", "--jsonnet", t, "--write-key", "k"});
  CHECK(r.status == 1);
  CHECK(r.out.empty());
}

TEST_CASE("cli: usage errors exit 2") {
  auto r = run_tool({"encode", "--bogus"});
  CHECK(r.status == 2);
  CHECK(r.err.rfind("ory-segment: error: unknown option '--bogus' for encode\n"
                    "Usage: ory-segment encode [OPTIONS] [FILE]\n",
                    0) == 0);
  r = run_tool({"encode", "--outptu", "x"});
  CHECK(r.status == 2);
  CHECK(r.err.rfind("ory-segment: error: unknown option '--outptu' for encode; did you mean "
                    "'--output'?\n",
                    0) == 0);
  r = run_tool({});
  CHECK(r.status == 2);
  r = run_tool({"frobnicate"});
  CHECK(r.status == 2);
  r = run_tool({"encod", "x"});
  CHECK(r.status == 2);
  CHECK(r.err.rfind("ory-segment: error: unknown verb 'encod'; did you mean 'encode'?", 0) == 0);
  r = run_tool({"help"});
  CHECK(r.status == 0);
  CHECK(r.out.find("Exit statuses:") != std::string::npos);
  r = run_tool({"help", "lint"});
  CHECK(r.status == 0);
  CHECK(r.out.find("Usage: ory-segment lint [OPTIONS]") != std::string::npos);
  r = run_tool({"help", "lnt"});
  CHECK(r.status == 2);
  CHECK(r.err.find("did you mean 'lint'?") != std::string::npos);
  r = run_tool({"--help"});
  CHECK(r.status == 0);
  CHECK(r.out.find("Exit statuses:") != std::string::npos);
  CHECK(r.out.find("build-action") != std::string::npos);
  r = run_tool({"encode", "--help"});
  CHECK(r.status == 0);
  CHECK(r.out.find("Examples:") != std::string::npos);
}

TEST_CASE("cli decode: actions and configs") {
  test::TempDir dir;
  const auto enc = run_tool({"encode", k_example});
  const std::string body = enc.out.substr(0, enc.out.size() - 1);
  const std::string source = test::read_file(k_example);

  SECTION("a JSON action") {
    const auto path = dir.write(
        "a.json", R"({"hook":"web_hook","config":{"url":"https://x/","method":"POST","body":")" +
                      body + "\"}}");
    const auto r = run_tool({"decode", path});
    CHECK(r.status == 0);
    CHECK(r.out == source);
  }
  SECTION("a body Ory Network stored: named, not fetched, and test-identify says how to get it") {
    const std::string url =
        "https://storage.googleapis.com/bac-gcs-production/" + std::string(128, 'f') + ".jsonnet";
    const auto path = dir.write(
        "stored.json",
        R"({"hook":"web_hook","config":{"url":"https://api.segment.io/v1/identify","method":"POST","body":")" +
            url + "\"}}");
    const auto r = run_tool({"decode", path});
    CHECK(r.status == 0);
    CHECK(r.err.find("a template stored by Ory Network") != std::string::npos);
    const auto t = run_tool({"test-identify", "--action", path, "--dry-run"});
    CHECK(t.status == 2);
    CHECK(t.err.find("ory-segment does not fetch it: pass the template you uploaded with "
                     "--jsonnet") != std::string::npos);
  }
  SECTION("a YAML config with several hooks and a reference") {
    const std::string yaml =
        "selfservice:\n  flows:\n    registration:\n      after:\n        password:\n"
        "          hooks:\n            - hook: session\n            - hook: web_hook\n"
        "              config:\n                url: https://api.segment.io/v1/identify\n"
        "                method: POST\n                body: " +
        body +
        "\n"
        "    login:\n      after:\n        hooks:\n          - hook: web_hook\n"
        "            config:\n              url: https://x/\n              method: POST\n"
        "              body: file:///etc/config/kratos/login.jsonnet\n";
    const auto r = run_tool({"decode", dir.write("kratos.yml", yaml)});
    CHECK(r.status == 0);
    CHECK(r.out ==
          "# /selfservice/flows/registration/after/password/hooks/1\n" + source +
              "# /selfservice/flows/login/after/hooks/0\n"
              "# body is a reference, not embedded: file:///etc/config/kratos/login.jsonnet\n");
  }
}

TEST_CASE("cli decode: what it refuses, and why") {
  test::TempDir dir;
  const auto enc = run_tool({"encode", k_example});
  const std::string body = enc.out.substr(0, enc.out.size() - 1);
  const std::string source = test::read_file(k_example);

  SECTION("a wrapped body names where it breaks") {
    const std::string wrapped = body.substr(0, 85) + "\n" + body.substr(85);
    const auto r = run_tool({"decode", dir.write("wrapped.txt", wrapped)});
    CHECK(r.status == 2);
    CHECK(r.err == "ory-segment: error: " + dir.file("wrapped.txt") +
                       ": invalid base64 at offset 85: a line break is not in the standard base64 "
                       "alphabet; the body must be one line (GNU base64 wraps at 76 columns): "
                       "re-encode it with 'ory-segment encode'\n");
  }
  SECTION("invalid base64 in a config names the hook") {
    const auto path =
        dir.write("c.json", R"({"hooks":[{"hook":"web_hook","config":{"body":"base64://ab_c"}}]})");
    const auto r = run_tool({"decode", path});
    CHECK(r.status == 2);
    CHECK(r.err == "ory-segment: error: " + path +
                       ": /hooks/0/config/body: invalid base64 at offset 11: '_' is not in the "
                       "standard base64 alphabet (this looks like URL-safe base64)\n");
  }
  SECTION("invalid JSON and YAML") {
    auto r =
        run_tool({"decode", dir.write("bad.json", "{\"hook\": \"web_hook\",\n \"config\": }")});
    CHECK(r.status == 2);
    CHECK(r.err.find("bad.json:2:12: invalid JSON: ") != std::string::npos);
    r = run_tool({"decode", dir.write("bad.yml", "hook: web_hook\nconfig: [a, b\n")});
    CHECK(r.status == 2);
    CHECK(r.err.find("bad.yml:") != std::string::npos);
    CHECK(r.err.find("invalid YAML") != std::string::npos);
  }
  SECTION("a YAML alias bomb is refused") {
    std::string bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\n";
    char prev = 'a';
    for (char c = 'b'; c <= 'k'; ++c) {
      bomb += std::string(1, c) + ": &" + c + " [";
      for (int i = 0; i < 10; ++i) bomb += std::string(i ? "," : "") + "*" + prev;
      bomb += "]\n";
      prev = c;
    }
    const auto r = run_tool({"decode", dir.write("bomb.yml", bomb)});
    CHECK(r.status == 2);
    CHECK(r.err.find("a YAML alias bomb?") != std::string::npos);
  }
  SECTION("a document without web hooks exits 1") {
    const auto r = run_tool({"decode", test::source_path("examples/kratos.yml")});
    CHECK(r.status == 1);
    CHECK(r.err.find("no web_hook action found") != std::string::npos);
  }
}

TEST_CASE("cli: output that cannot be written is an error, whatever the verb") {
  test::TempDir dir;
  const std::string bin = ORY_SEGMENT_BINARY;
  const std::string ids = dir.file("ids.jsonl");
  {
    std::string lines;
    for (int i = 0; i < 20000; ++i) {
      lines += R"({"id":"id-)" + std::to_string(i) +
               R"(","traits":{"email":"a@b.c","name":"n","consent":{"newsletter":true}}})"
               "\n";
    }
    dir.write("ids.jsonl", lines);
  }
  const std::string t = test::source_path("examples/segment_identify.jsonnet");
  const std::string identity = test::source_path("examples/identity.json");
  for (const std::string& command : {bin + " encode " + t + " > /dev/full",
                                     bin + " encode " + t + " | " + bin + " decode - > /dev/full",
                                     bin + " test-identify --jsonnet " + t + " --identity " +
                                         identity + " --dry-run > /dev/full"}) {
    CAPTURE(command);
    const auto r = test::run_program({"/bin/sh", "-c", command});
    CHECK(r.status == 2);
    CHECK(r.err.find("cannot write to standard output: No space left on device") !=
          std::string::npos);
  }
  // A dry run into a pipe that closes stops at once instead of evaluating everything.
  const auto r = test::run_program(
      {"/bin/bash", "-c",
       bin + " backfill --jsonnet " + t + " --identities " + ids +
           " --dry-run --progress never | head -1 > /dev/null; echo \"status ${PIPESTATUS[0]}\""});
  CHECK(r.out == "status 2\n");
  CHECK(r.err.find("cannot write the messages to standard output: Broken pipe; stopped") !=
        std::string::npos);
  CHECK(r.err.find("20,000 printed") == std::string::npos);
}

TEST_CASE("cli encode: a pipe as input works, one nothing writes to yet is waited for, aloud") {
  test::TempDir dir;
  const std::string fifo = dir.file("template.fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  test::BackgroundTool run({"encode", fifo});
  // The wait is announced after 3 s; the writer comes once it has been.
  REQUIRE(
      run.wait_for_stderr("note: waiting for " + fifo + " (a pipe nothing has written to yet)"));
  {
    std::ofstream writer(fifo);
    writer << test::read_file(test::source_path("examples/segment_identify.jsonnet"));
  }
  const auto r = run.wait();
  CHECK(r.status == 0);
  CHECK(r.out.rfind("base64://", 0) == 0);
  CHECK(r.err.find("note: waiting for " + fifo + " (a pipe nothing has written to yet)") !=
        std::string::npos);
}
