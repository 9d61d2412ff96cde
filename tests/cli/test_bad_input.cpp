// Bad input across every verb: exit 2, one error line saying what is wrong, nothing on stdout,
// nothing written, and the write key in no output.
#include <dirent.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <functional>
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
void check_cases(std::size_t at_least, const std::function<std::vector<Case>(const Files&)>& make) {
  test::TempDir dir;
  const std::vector<Case> cases = make(make_files(dir));
  REQUIRE(cases.size() >= at_least);
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

TEST_CASE("cli: bad input to usage, encode and decode: exit 2, one error line, no key, no file") {
  check_cases(20, [](const Files& f) {
    return std::vector<Case>{
        // ---- usage
        {{"no-such-verb"}, "unknown verb 'no-such-verb'"},
        {{}, "subcommand"},
        {{"encode", "--no-such-flag"}, "--no-such-flag"},
        {{"encode", f.t, f.t}, ""},
        // ---- encode
        {{"encode", f.missing}, f.missing + ": no such file"},
        {{"encode", f.sub}, f.sub},
        {{"encode", f.empty}, "empty input"},
        {{"encode", f.blank}, "only white space"},
        {{"encode", f.nul}, "a NUL byte"},
        {{"encode", f.latin1}, "invalid UTF-8"},
        {{"encode", f.syntax}, "syntax.jsonnet:"},
        {{"encode", f.t, "-o", f.t}, "is also an input"},
        {{"encode", f.t, "-o", f.sub}, "is a directory"},
        {{"encode", f.t, "-o", f.no_dir_out}, "cannot create a temporary file"},
        {{"encode", "-"}, "<stdin>: empty input", std::string()},
        // ---- decode
        {{"decode", f.missing}, "no such file"},
        {{"decode", f.not_json}, "bad.json:1:"},
        {{"decode", f.empty}, "empty input"},
        {{"decode", f.broken_action}, "broken-action.json:1:"},
        {{"decode", f.yaml_two}, "2 YAML documents"},
        {{"decode", "-"}, "<stdin>: empty input", std::string()},
        {{"decode", f.nul}, "a NUL byte"},
    };
  });
}

TEST_CASE("cli: bad input to build-action and patch: exit 2, one error line, no key, no file") {
  check_cases(40, [](const Files& f) {
    return std::vector<Case>{
        // ---- build-action
        {{"build-action"}, "--jsonnet"},
        {{"build-action", "--jsonnet", f.t}, "no Segment write key"},
        {{"build-action", "--jsonnet", f.missing, "--write-key-file", f.key}, "no such file"},
        {{"build-action", "--jsonnet", f.t, "--write-key-file", f.missing}, "no such file"},
        {{"build-action", "--jsonnet", f.t, "--write-key-file", f.empty}, "is empty"},
        {{"build-action", "--jsonnet", f.t, "--write-key-file", f.two_keys}, "more than one line"},
        {{"build-action", "--jsonnet", f.t, "--write-key-file", f.bad_key}, "not plain text"},
        {{"build-action", "--jsonnet", f.t, "--write-key-file", f.key, "--write-key", "x"},
         "both given"},
        {{"build-action", "--jsonnet", f.t, "--write-key-file", f.key, "--call", "identfy"},
         "identify"},
        {{"build-action", "--jsonnet", f.t, "--write-key-file", f.key, "--region", "mars"}, "mars"},
        {{"build-action", "--jsonnet", f.t, "--write-key-file", f.key, "--url", "ftp://x/"}, "ftp"},
        {{"build-action", "--jsonnet", f.t, "--write-key-file", f.key, "--url",
          "http://u:pw@10.0.0.1/v1/identify"},
         "plain http"},
        {{"build-action", "--jsonnet", f.t, "--write-key-file", f.key, "--url", "not a url"},
         "url"},
        {{"build-action", "--jsonnet", f.t, "--write-key-file", f.key, "--format", "xml"}, "xml"},
        {{"build-action", "--jsonnet", f.t, "--write-key-file", f.key, "--header", "nocolon"},
         "nocolon"},
        {{"build-action", "--jsonnet", f.t, "--write-key-file", f.key, "-o", f.key},
         "is also an input"},
        {{"build-action", "--jsonnet", f.t, "--write-key-file", f.key, "-o", f.t},
         "is also an input"},
        {{"build-action", "--jsonnet", f.syntax, "--write-key-file", f.key}, "syntax.jsonnet:"},
        {{"build-action", "--jsonnet", f.nul, "--write-key-file", f.key}, "a NUL byte"},
        {{"build-action", "--jsonnet", f.t, "--body", "base64://e30=", "--write-key-file", f.key},
         ""},
        {{"build-action", "--body", "gopher://x", "--write-key-file", f.key}, "base64://"},
        {{"build-action", "--jsonnet", f.t, "--write-key-file", f.key, "--ignore-response",
          "--parse-response"},
         ""},
        // ---- patch
        {{"patch"}, "--action"},
        {{"patch", "--action", f.missing}, "no such file"},
        {{"patch", "--action", f.not_json}, "bad.json:1:"},
        {{"patch", "--action", f.broken_action}, "broken-action.json:1:"},
        {{"patch", "--action", f.action, "--flow", "signup"}, "signup"},
        {{"patch", "--action", f.action, "--when", "during"}, "during"},
        {{"patch", "--action", f.action, "--method", "pasword"}, "password"},
        {{"patch", "--action", f.action, "--position", "-3"}, "-3"},
        {{"patch", "--action", f.action, "--position", "first"}, "first"},
        {{"patch", "--action", f.action, "--format", "toml"}, "toml"},
        {{"patch", "--action", f.action, "--apply"}, "--config"},
        {{"patch", "--action", f.action, "--config", f.missing}, "no such file"},
        {{"patch", "--action", f.action, "--config", f.not_json}, "bad.json:1:"},
        {{"patch", "--action", f.action, "--config", f.yaml_two}, "2 YAML documents"},
        {{"patch", "--action", f.action, "--config", "-", "--apply"},
         "-o",
         std::string(R"({"selfservice": {}})")},
        {{"patch", "--action", f.action, "--method", "password", "-o", f.action},
         "is also an input"},
        {{"patch", "--action", f.action, "--config", f.config, "--method", "password", "-o",
          f.action, "--apply"},
         "is also an input"},
        {{"patch", "--action", f.config}, ""},
        {{"patch", "--action", f.action, "--flow", "recovery", "--method", "password"}, "recovery"},
    };
  });
}

TEST_CASE("cli: bad input to test-identify: exit 2, one error line, no key, no file") {
  check_cases(20, [](const Files& f) {
    return std::vector<Case>{
        // ---- test-identify
        {{"test-identify"}, "--jsonnet"},
        {{"test-identify", "--jsonnet", f.t, "--action", f.action}, ""},
        {{"test-identify", "--jsonnet", f.t, "--identity", f.missing, "--dry-run"}, "no such file"},
        {{"test-identify", "--jsonnet", f.t, "--identity", f.not_json, "--dry-run"}, "bad.json:1:"},
        {{"test-identify", "--jsonnet", f.t, "--identity", f.empty, "--dry-run"}, "empty input"},
        {{"test-identify", "--jsonnet", f.t, "--identity", f.identity, "--dry-run", "--hook",
          "signup.after"},
         "signup"},
        {{"test-identify", "--jsonnet", f.t, "--dry-run", "--sample", "weird"}, "weird"},
        {{"test-identify", "--jsonnet", f.t, "--identity", f.identity, "--format", "xml"}, "xml"},
        {{"test-identify", "--jsonnet", f.t, "--identity", f.identity, "--timeout", "0"},
         "--timeout"},
        {{"test-identify", "--jsonnet", f.t, "--identity", f.identity, "--timeout", "nan"},
         "--timeout"},
        {{"test-identify", "--jsonnet", f.t, "--identity", f.identity, "--timeout", "31"},
         "--timeout"},
        {{"test-identify", "--jsonnet", f.t, "--identity", f.identity, "--write-key-file", f.key,
          "--url", k_nowhere, "--ca-file", f.missing},
         "no such file"},
        {{"test-identify", "--jsonnet", f.t, "--identity", f.identity, "--write-key-file", f.key,
          "--url", k_nowhere, "--ca-file", f.t},
         "not a PEM bundle"},
        {{"test-identify", "--jsonnet", f.t, "--identity", f.identity, "--write-key-file",
          f.bad_key},
         "not plain text"},
        {{"test-identify", "--jsonnet", f.t, "--schema", f.not_json, "--dry-run"}, "bad.json:1:"},
        {{"test-identify", "--jsonnet", f.t, "--identity", f.identity, "--transient-payload",
          f.not_json, "--dry-run"},
         "bad.json:1:"},
        {{"test-identify", "--action", f.broken_action, "--identity", f.identity}, "broken-action"},
        {{"test-identify", "--action", f.action, "--write-key-file", f.key, "--identity",
          f.identity},
         "--write-key-file"},
        {{"test-identify", "--jsonnet", f.nul, "--identity", f.identity, "--dry-run"},
         "a NUL byte"},
        {{"test-identify", "--jsonnet", f.t, "--identity", "-", "--dry-run"}, "", std::string()},
        {{"test-identify", "--jsonnet", f.t, "--identity", f.identity, "--write-key-file", f.key,
          "--url", "http://10.0.0.1:1/v1/identify"},
         "plain http"},
    };
  });
}

TEST_CASE("cli: bad input to listen and backfill: exit 2, one error line, no key, no file") {
  check_cases(30, [](const Files& f) {
    return std::vector<Case>{
        // ---- listen
        {{"listen", "--port", "-1"}, "--port"},
        {{"listen", "--port", "70000"}, "--port"},
        {{"listen", "--exit-after", "nan"}, "--exit-after"},
        {{"listen", "--exit-after", "1e300"}, "--exit-after"},
        {{"listen", "--exit-after", "-1"}, "--exit-after"},
        {{"listen", "--max-events", "-1"}, "--max-events"},
        {{"listen", "--fail", "explode:1"}, "explode"},
        {{"listen", "--host", "0.0.0.0.0"}, "0.0.0.0.0"},
        {{"listen", "--write-key-file", f.missing}, "no such file"},
        {{"listen", "--write-key-file", f.bad_key}, "not plain text"},
        {{"listen", "--jsonl", f.sub}, f.sub},
        // ---- backfill
        {{"backfill", "--jsonnet", f.t}, "--identities"},
        {{"backfill", "--jsonnet", f.t, "--identities", f.missing, "--dry-run"}, "no such file"},
        {{"backfill", "--jsonnet", f.t, "--identities", f.sub, "--dry-run"}, "directory"},
        {{"backfill", "--jsonnet", f.t, "--identities", f.ids, "--failed", f.ids},
         "is also an input of this command (--identities)"},
        {{"backfill", "--jsonnet", f.t, "--identities", f.ids, "--state", f.ids, "--write-key-file",
          f.key},
         "is also an input of this command (--identities)"},
        {{"backfill", "--jsonnet", f.t, "--identities", f.ids, "--state", f.out, "--failed", f.out,
          "--write-key-file", f.key},
         "the same file"},
        {{"backfill", "--jsonnet", f.t, "--identities", f.ids, "--restart", "--dry-run"},
         "--restart"},
        {{"backfill", "--jsonnet", f.t, "--identities", f.ids, "--concurrency", "0", "--dry-run"},
         "--concurrency"},
        {{"backfill", "--jsonnet", f.t, "--identities", f.ids, "--rate", "0", "--dry-run"},
         "--rate"},
        {{"backfill", "--jsonnet", f.t, "--identities", f.ids, "--chunk", "0", "--dry-run"},
         "--chunk"},
        {{"backfill", "--jsonnet", f.t, "--identities", f.ids, "--max-retries", "101", "--dry-run"},
         "--max-retries"},
        {{"backfill", "--jsonnet", f.t, "--identities", f.ids, "--timestamp-from", "now",
          "--dry-run"},
         "now"},
        {{"backfill", "--jsonnet", f.t, "--identities", f.ids, "--progress", "sometimes",
          "--dry-run"},
         "sometimes"},
        {{"backfill", "--jsonnet", f.t, "--identities", f.ids, "--hook", "x.y", "--dry-run"},
         "x.y"},
        {{"backfill", "--jsonnet", f.t, "--identities", f.ids}, "no Segment write key"},
        {{"backfill", "--jsonnet", f.t, "--identities", f.ids, "--write-key-file", f.bad_key},
         "not plain text"},
        {{"backfill", "--jsonnet", f.syntax, "--identities", f.ids, "--dry-run"},
         "syntax.jsonnet:"},
        {{"backfill", "--jsonnet", f.t, "--identities", f.ids, "--page-size", "5", "--dry-run"},
         "--from-admin-api"},
        {{"backfill", "--jsonnet", f.t, "--from-admin-api", "ftp://h", "--dry-run"}, "ftp"},
        {{"backfill", "--jsonnet", f.t, "--from-admin-api", "https://x.projects.oryapis.com",
          "--dry-run"},
         "project API key"},
        {{"backfill", "--action", f.broken_action, "--identities", f.ids}, "broken-action"},
        {{"backfill", "--action", f.action, "--identities", f.ids, "--url", "http://127.0.0.1:1",
          "--write-key", "x"},
         ""},

    };
  });
}
