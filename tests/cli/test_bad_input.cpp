// Bad input across every verb: exit 2, one error line saying what is wrong, nothing on stdout,
// nothing written, and the write key in no output.
#include <dirent.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support.hpp"

namespace {

const std::string k_secret = "SEKRETwk9";
// Where a case that wrongly got through would send: a closed port here, never the network.
const std::string k_nowhere = "http://127.0.0.1:9/v1/identify";

// Every file under `dir` with its size and modification time.
std::map<std::string, std::string> listing(const std::string& dir) {
  std::map<std::string, std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    const std::string path = dir + "/" + name;
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      for (const auto& [k, v] : listing(path)) out[name + "/" + k] = v;
      continue;
    }
    out[name] = std::to_string(st.st_size) + "@" + std::to_string(st.st_mtim.tv_sec) + "." +
                std::to_string(st.st_mtim.tv_nsec) + "/" + std::to_string(st.st_mode);
  }
  ::closedir(d);
  return out;
}

struct Case {
  std::vector<std::string> args;
  std::string message;  // part of the one error line
  std::optional<std::string> stdin_data = std::nullopt;
};

struct Files {
  std::string t, key, identity, action, config, not_json, empty, blank, nul, latin1, bad_key,
      two_keys, broken_action, syntax, yaml_two, ids, sub, missing, out, no_dir_out;
};

// The inputs the cases name, in `dir`: good ones, and each kind of bad one.
Files make_files(test::TempDir& dir) {
  const std::string t = dir.write(
      "t.jsonnet", test::read_file(test::source_path("examples/segment_identify.jsonnet")));
  const std::string key = dir.write("key.txt", k_secret + "\n");
  const std::string identity =
      dir.write("identity.json", test::read_file(test::source_path("examples/identity.json")));
  const auto built = test::run_tool({"build-action", "--jsonnet", t, "--write-key-file", key,
                                     "--url", k_nowhere, "-o", dir.file("action.json")});
  REQUIRE(built.status == 0);
  const std::string action = dir.file("action.json");
  const std::string config = dir.write("config.json", R"({"selfservice": {"flows": {}}})");
  const std::string not_json = dir.write("bad.json", "{not json");
  const std::string empty = dir.write("empty.txt", "");
  const std::string blank = dir.write("blank.txt", "  \n");
  const std::string nul = dir.write("nul.jsonnet", std::string("{a: 1}\0\n", 8));
  const std::string latin1 = dir.write("latin1.jsonnet", "{a: 'na\xefve'}\n");
  const std::string bad_key = dir.write("bad-key.txt", "wk\xff\n");
  const std::string two_keys = dir.write("two-keys.txt", "a\nb\n");
  const std::string broken_action = dir.write(
      "broken-action.json",
      R"({"hook": "web_hook", "config": {"url": "https://api.segment.io/v1/identify", "method": "POST", "body": "base64://e30=", "auth": {"type": "basic_auth", "config": {"user": ")" +
          k_secret + "\x01\"}}}}");
  const std::string syntax = dir.write("syntax.jsonnet", "function(ctx) {\n");
  const std::string yaml_two = dir.write("two.yml", "a: 1\n---\nb: 2\n");
  const std::string ids = dir.write("ids.jsonl", "{\"id\":\"a\"}\n");
  const std::string sub = dir.file("sub");
  REQUIRE(::mkdir(sub.c_str(), 0755) == 0);
  dir.write("sub/keep", "x");
  const std::string missing = dir.file("missing.json");
  const std::string out = dir.file("out.json");
  const std::string no_dir_out = dir.file("no/such/dir/out.json");

  return {t,        key, identity, action,  config,   not_json,      empty,
          blank,    nul, latin1,   bad_key, two_keys, broken_action, syntax,
          yaml_two, ids, sub,      missing, out,      no_dir_out};
}

// Each case: exit 2, one error line holding its message, nothing on stdout, nothing in
// `dir` written, the write key nowhere.
void check_cases(const test::TempDir& dir, const std::vector<Case>& cases) {
  int index = 0;
  for (const Case& c : cases) {
    ++index;
    std::vector<std::string> args = c.args;
    CAPTURE(index, args);
    const auto before = listing(dir.path());
    test::RunOptions options;
    options.stdin_data = c.stdin_data;
    const auto r = test::run_tool(args, options);
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    std::size_t error_lines = 0;
    for (std::size_t at = 0; (at = r.err.find("ory-segment: error: ", at)) != std::string::npos;
         ++at) {
      ++error_lines;
    }
    CHECK(error_lines == 1);
    if (!c.message.empty()) CHECK(r.err.find(c.message) != std::string::npos);
    CHECK(r.err.find(k_secret) == std::string::npos);
    CHECK(r.err.find(":pw@") == std::string::npos);
    CHECK(listing(dir.path()) == before);
  }
}

}  // namespace

TEST_CASE(
    "cli: bad input, usage, encode and decode: exit 2, one error line, nothing written, no key "
    "shown") {
  test::TempDir dir;
  const Files f = make_files(dir);
  const auto& [t, key, identity, action, config, not_json, empty, blank, nul, latin1, bad_key,
               two_keys, broken_action, syntax, yaml_two, ids, sub, missing, out, no_dir_out] = f;
  const std::vector<Case> cases = {
      // ---- usage
      {{"no-such-verb"}, "unknown verb 'no-such-verb'"},
      {{}, "subcommand"},
      {{"encode", "--no-such-flag"}, "--no-such-flag"},
      {{"encode", t, t}, ""},  // ---- encode
      {{"encode", missing}, missing + ": no such file"},
      {{"encode", sub}, sub},
      {{"encode", empty}, "empty input"},
      {{"encode", blank}, "only white space"},
      {{"encode", nul}, "a NUL byte"},
      {{"encode", latin1}, "invalid UTF-8"},
      {{"encode", syntax}, "syntax.jsonnet:"},
      {{"encode", t, "-o", t}, "is also an input"},
      {{"encode", t, "-o", sub}, "is a directory"},
      {{"encode", t, "-o", no_dir_out}, "cannot create a temporary file"},
      {{"encode", "-"}, "<stdin>: empty input", std::string()},  // ---- decode
      {{"decode", missing}, "no such file"},
      {{"decode", not_json}, "bad.json:1:"},
      {{"decode", empty}, "empty input"},
      {{"decode", broken_action}, "broken-action.json:1:"},
      {{"decode", yaml_two}, "2 YAML documents"},
      {{"decode", "-"}, "<stdin>: empty input", std::string()},
      {{"decode", nul}, "a NUL byte"},
  };
  REQUIRE(cases.size() >= 20);
  check_cases(dir, cases);
}

TEST_CASE(
    "cli: bad input, build-action and patch: exit 2, one error line, nothing written, no key "
    "shown") {
  test::TempDir dir;
  const Files f = make_files(dir);
  const auto& [t, key, identity, action, config, not_json, empty, blank, nul, latin1, bad_key,
               two_keys, broken_action, syntax, yaml_two, ids, sub, missing, out, no_dir_out] = f;
  const std::vector<Case> cases = {
      // ---- build-action
      {{"build-action"}, "--jsonnet"},
      {{"build-action", "--jsonnet", t}, "no Segment write key"},
      {{"build-action", "--jsonnet", missing, "--write-key-file", key}, "no such file"},
      {{"build-action", "--jsonnet", t, "--write-key-file", missing}, "no such file"},
      {{"build-action", "--jsonnet", t, "--write-key-file", empty}, "is empty"},
      {{"build-action", "--jsonnet", t, "--write-key-file", two_keys}, "more than one line"},
      {{"build-action", "--jsonnet", t, "--write-key-file", bad_key}, "not plain text"},
      {{"build-action", "--jsonnet", t, "--write-key-file", key, "--write-key", "x"}, "both given"},
      {{"build-action", "--jsonnet", t, "--write-key-file", key, "--call", "identfy"}, "identify"},
      {{"build-action", "--jsonnet", t, "--write-key-file", key, "--region", "mars"}, "mars"},
      {{"build-action", "--jsonnet", t, "--write-key-file", key, "--url", "ftp://x/"}, "ftp"},
      {{"build-action", "--jsonnet", t, "--write-key-file", key, "--url",
        "http://u:pw@10.0.0.1/v1/identify"},
       "plain http"},
      {{"build-action", "--jsonnet", t, "--write-key-file", key, "--url", "not a url"}, "url"},
      {{"build-action", "--jsonnet", t, "--write-key-file", key, "--format", "xml"}, "xml"},
      {{"build-action", "--jsonnet", t, "--write-key-file", key, "--header", "nocolon"}, "nocolon"},
      {{"build-action", "--jsonnet", t, "--write-key-file", key, "-o", key}, "is also an input"},
      {{"build-action", "--jsonnet", t, "--write-key-file", key, "-o", t}, "is also an input"},
      {{"build-action", "--jsonnet", syntax, "--write-key-file", key}, "syntax.jsonnet:"},
      {{"build-action", "--jsonnet", nul, "--write-key-file", key}, "a NUL byte"},
      {{"build-action", "--jsonnet", t, "--body", "base64://e30=", "--write-key-file", key}, ""},
      {{"build-action", "--body", "gopher://x", "--write-key-file", key}, "base64://"},
      {{"build-action", "--jsonnet", t, "--write-key-file", key, "--ignore-response",
        "--parse-response"},
       ""},  // ---- patch
      {{"patch"}, "--action"},
      {{"patch", "--action", missing}, "no such file"},
      {{"patch", "--action", not_json}, "bad.json:1:"},
      {{"patch", "--action", broken_action}, "broken-action.json:1:"},
      {{"patch", "--action", action, "--flow", "signup"}, "signup"},
      {{"patch", "--action", action, "--when", "during"}, "during"},
      {{"patch", "--action", action, "--method", "pasword"}, "password"},
      {{"patch", "--action", action, "--position", "-3"}, "-3"},
      {{"patch", "--action", action, "--position", "first"}, "first"},
      {{"patch", "--action", action, "--format", "toml"}, "toml"},
      {{"patch", "--action", action, "--apply"}, "--config"},
      {{"patch", "--action", action, "--config", missing}, "no such file"},
      {{"patch", "--action", action, "--config", not_json}, "bad.json:1:"},
      {{"patch", "--action", action, "--config", yaml_two}, "2 YAML documents"},
      {{"patch", "--action", action, "--config", "-", "--apply"},
       "-o",
       std::string(R"({"selfservice": {}})")},
      {{"patch", "--action", action, "--method", "password", "-o", action}, "is also an input"},
      {{"patch", "--action", action, "--config", config, "--method", "password", "-o", action,
        "--apply"},
       "is also an input"},
      {{"patch", "--action", config}, ""},
      {{"patch", "--action", action, "--flow", "recovery", "--method", "password"}, "recovery"},
  };
  REQUIRE(cases.size() >= 40);
  check_cases(dir, cases);
}

TEST_CASE("cli: bad input, test-identify: exit 2, one error line, nothing written, no key shown") {
  test::TempDir dir;
  const Files f = make_files(dir);
  const auto& [t, key, identity, action, config, not_json, empty, blank, nul, latin1, bad_key,
               two_keys, broken_action, syntax, yaml_two, ids, sub, missing, out, no_dir_out] = f;
  const std::vector<Case> cases = {
      // ---- test-identify
      {{"test-identify"}, "--jsonnet"},
      {{"test-identify", "--jsonnet", t, "--action", action}, ""},
      {{"test-identify", "--jsonnet", t, "--identity", missing, "--dry-run"}, "no such file"},
      {{"test-identify", "--jsonnet", t, "--identity", not_json, "--dry-run"}, "bad.json:1:"},
      {{"test-identify", "--jsonnet", t, "--identity", empty, "--dry-run"}, "empty input"},
      {{"test-identify", "--jsonnet", t, "--identity", identity, "--dry-run", "--hook",
        "signup.after"},
       "signup"},
      {{"test-identify", "--jsonnet", t, "--dry-run", "--sample", "weird"}, "weird"},
      {{"test-identify", "--jsonnet", t, "--identity", identity, "--format", "xml"}, "xml"},
      {{"test-identify", "--jsonnet", t, "--identity", identity, "--timeout", "0"}, "--timeout"},
      {{"test-identify", "--jsonnet", t, "--identity", identity, "--timeout", "nan"}, "--timeout"},
      {{"test-identify", "--jsonnet", t, "--identity", identity, "--timeout", "31"}, "--timeout"},
      {{"test-identify", "--jsonnet", t, "--identity", identity, "--write-key-file", key, "--url",
        k_nowhere, "--ca-file", missing},
       "no such file"},
      {{"test-identify", "--jsonnet", t, "--identity", identity, "--write-key-file", key, "--url",
        k_nowhere, "--ca-file", t},
       "not a PEM bundle"},
      {{"test-identify", "--jsonnet", t, "--identity", identity, "--write-key-file", bad_key},
       "not plain text"},
      {{"test-identify", "--jsonnet", t, "--schema", not_json, "--dry-run"}, "bad.json:1:"},
      {{"test-identify", "--jsonnet", t, "--identity", identity, "--transient-payload", not_json,
        "--dry-run"},
       "bad.json:1:"},
      {{"test-identify", "--action", broken_action, "--identity", identity}, "broken-action"},
      {{"test-identify", "--action", action, "--write-key-file", key, "--identity", identity},
       "--write-key-file"},
      {{"test-identify", "--jsonnet", nul, "--identity", identity, "--dry-run"}, "a NUL byte"},
      {{"test-identify", "--jsonnet", t, "--identity", "-", "--dry-run"}, "", std::string()},
      {{"test-identify", "--jsonnet", t, "--identity", identity, "--write-key-file", key, "--url",
        "http://10.0.0.1:1/v1/identify"},
       "plain http"},
  };
  REQUIRE(cases.size() >= 20);
  check_cases(dir, cases);
}

TEST_CASE(
    "cli: bad input, listen and backfill: exit 2, one error line, nothing written, no key shown") {
  test::TempDir dir;
  const Files f = make_files(dir);
  const auto& [t, key, identity, action, config, not_json, empty, blank, nul, latin1, bad_key,
               two_keys, broken_action, syntax, yaml_two, ids, sub, missing, out, no_dir_out] = f;
  const std::vector<Case> cases = {
      // ---- listen
      {{"listen", "--port", "-1"}, "--port"},
      {{"listen", "--port", "70000"}, "--port"},
      {{"listen", "--exit-after", "nan"}, "--exit-after"},
      {{"listen", "--exit-after", "1e300"}, "--exit-after"},
      {{"listen", "--exit-after", "-1"}, "--exit-after"},
      {{"listen", "--max-events", "-1"}, "--max-events"},
      {{"listen", "--fail", "explode:1"}, "explode"},
      {{"listen", "--host", "0.0.0.0.0"}, "0.0.0.0.0"},
      {{"listen", "--write-key-file", missing}, "no such file"},
      {{"listen", "--write-key-file", bad_key}, "not plain text"},
      {{"listen", "--jsonl", sub}, sub},  // ---- backfill
      {{"backfill", "--jsonnet", t}, "--identities"},
      {{"backfill", "--jsonnet", t, "--identities", missing, "--dry-run"}, "no such file"},
      {{"backfill", "--jsonnet", t, "--identities", sub, "--dry-run"}, "directory"},
      {{"backfill", "--jsonnet", t, "--identities", ids, "--failed", ids}, "is the input"},
      {{"backfill", "--jsonnet", t, "--identities", ids, "--state", ids, "--write-key-file", key},
       "is the input"},
      {{"backfill", "--jsonnet", t, "--identities", ids, "--state", out, "--failed", out,
        "--write-key-file", key},
       "the same file"},
      {{"backfill", "--jsonnet", t, "--identities", ids, "--restart", "--dry-run"}, "--restart"},
      {{"backfill", "--jsonnet", t, "--identities", ids, "--concurrency", "0", "--dry-run"},
       "--concurrency"},
      {{"backfill", "--jsonnet", t, "--identities", ids, "--rate", "0", "--dry-run"}, "--rate"},
      {{"backfill", "--jsonnet", t, "--identities", ids, "--chunk", "0", "--dry-run"}, "--chunk"},
      {{"backfill", "--jsonnet", t, "--identities", ids, "--max-retries", "101", "--dry-run"},
       "--max-retries"},
      {{"backfill", "--jsonnet", t, "--identities", ids, "--timestamp-from", "now", "--dry-run"},
       "now"},
      {{"backfill", "--jsonnet", t, "--identities", ids, "--progress", "sometimes", "--dry-run"},
       "sometimes"},
      {{"backfill", "--jsonnet", t, "--identities", ids, "--hook", "x.y", "--dry-run"}, "x.y"},
      {{"backfill", "--jsonnet", t, "--identities", ids}, "no Segment write key"},
      {{"backfill", "--jsonnet", t, "--identities", ids, "--write-key-file", bad_key},
       "not plain text"},
      {{"backfill", "--jsonnet", syntax, "--identities", ids, "--dry-run"}, "syntax.jsonnet:"},
      {{"backfill", "--jsonnet", t, "--identities", ids, "--page-size", "5", "--dry-run"},
       "--from-admin-api"},
      {{"backfill", "--jsonnet", t, "--from-admin-api", "ftp://h", "--dry-run"}, "ftp"},
      {{"backfill", "--jsonnet", t, "--from-admin-api", "https://x.projects.oryapis.com",
        "--dry-run"},
       "project API key"},
      {{"backfill", "--action", broken_action, "--identities", ids}, "broken-action"},
      {{"backfill", "--action", action, "--identities", ids, "--url", "http://127.0.0.1:1",
        "--write-key", "x"},
       ""},

  };
  REQUIRE(cases.size() >= 30);
  check_cases(dir, cases);
}
