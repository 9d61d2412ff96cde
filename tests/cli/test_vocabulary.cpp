#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fake_segment.hpp"
#include "support.hpp"
#include "util/base64.hpp"
#include "util/text.hpp"

using test::run_tool;

namespace {

const std::string k_example = test::source_path("examples/segment_identify.jsonnet");
const std::string k_schema = test::source_path("examples/identity.schema.json");
const std::string k_identities = test::source_path("examples/identities.jsonl");

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The verbs `ory-segment --help` lists.
std::vector<std::string> verbs() {
  const auto r = run_tool({"--help"});
  REQUIRE(r.status == 0);
  std::vector<std::string> out;
  bool in_list = false;
  for (const auto& line : lines_of(r.out)) {
    if (line.rfind("Subcommands:", 0) == 0) {
      in_list = true;
      continue;
    }
    if (in_list && line.empty()) break;
    if (in_list) out.push_back(line.substr(2, line.find(' ', 2) - 2));
  }
  return out;
}

struct Option {
  std::vector<std::string> names;
  std::string value;  // "FILE", "FORMAT", ... ; "" for a switch
  std::string help;
};

// The options a verb's --help lists.
std::vector<Option> options_of(const std::string& verb) {
  const auto r = run_tool({verb, "--help"});
  REQUIRE(r.status == 0);
  std::vector<Option> out;
  bool in_list = false, sections_ended = false;
  static const std::regex k_line(R"(^  (-[^ ]+)(?: ([A-Z][A-Z0-9_.:=|#/\[\]-]*))?\s+(.*)$)");
  for (const auto& line : lines_of(r.out)) {
    // The sections: "Options:" first, then the verb's own ("Output:", ...), until the footer.
    const bool heading = !line.empty() && line[0] != ' ' && line.back() == ':';
    if (line == "Options:") in_list = true;
    if (heading) continue;
    if (in_list && line.empty()) {
      sections_ended = true;
      continue;
    }
    if (sections_ended && !line.empty() && line[0] != ' ') break;  // the footer
    std::smatch m;
    if (!in_list || !std::regex_match(line, m, k_line)) continue;
    Option o;
    std::string names = m[1];
    for (std::size_t start = 0;;) {
      const std::size_t comma = names.find(',', start);
      o.names.push_back(names.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    o.value = m[2];
    o.help = m[3];
    out.push_back(o);
  }
  return out;
}

bool has_name(const Option& o, const std::string& name) {
  return std::find(o.names.begin(), o.names.end(), name) != o.names.end();
}

}  // namespace

TEST_CASE("cli vocabulary: every verb's options speak one dialect") {
  const auto all = verbs();
  REQUIRE(all.size() >= 10);
  for (const auto& verb : all) {
    CAPTURE(verb);
    const auto options = options_of(verb);
    REQUIRE(options.size() >= 2);  // --help and --quiet at least
    bool quiet = false;
    for (const auto& o : options) {
      CAPTURE(o.names, o.value, o.help);
      CHECK(!has_name(o, "--out"));
      // An output format is --format, and --format is an output format.
      if (o.value == "FORMAT") CHECK(o.names == std::vector<std::string>{"--format"});
      if (has_name(o, "--format")) CHECK(o.value == "FORMAT");
      // The file a verb writes its output to is -o/--output, and -o/--output is that file.
      if (o.help.find("instead of stdout") != std::string::npos) {
        CHECK(o.names == std::vector<std::string>{"-o", "--output"});
      }
      if (has_name(o, "--output") || has_name(o, "-o")) {
        CHECK(o.names == std::vector<std::string>{"-o", "--output"});
        CHECK(o.value == "FILE");
      }
      quiet = quiet || o.names == std::vector<std::string>{"-q", "--quiet"};
    }
    CHECK(quiet);
  }
  // The HTTP method is --http-method; --method is a sign-in method (patch).
  for (const auto& o : options_of("build-action")) CHECK(!has_name(o, "--method"));
  bool http_method = false;
  for (const auto& o : options_of("build-action")) http_method |= has_name(o, "--http-method");
  CHECK(http_method);
}

TEST_CASE("cli vocabulary: -o with a format's name writes that file, and says so") {
  test::TempDir dir;
  const auto r =
      run_tool({"encode", k_example, "--output", "json"}, test::RunOptions{{}, {}, dir.path()});
  CHECK(r.status == 0);
  CHECK(r.err.find("warning: writing to a file named 'json': -o/--output names a file (an "
                   "output format is --format)") != std::string::npos);
  CHECK(test::read_file(dir.path() + "/json").rfind("base64://", 0) == 0);
}

TEST_CASE("cli vocabulary: --quiet silences notes, not warnings or errors") {
  test::TempDir dir;
  const std::string key = dir.write("key", "k\n");
  // A template whose fields choose the call is noted; --write-key is a warning.
  const std::string track =
      dir.write("track.jsonnet",
                "function(ctx) { userId: ctx.identity.id, event: 'Signed Up', messageId: 'ory-' + "
                "ctx.flow.id }\n");
  auto r = run_tool({"build-action", "--jsonnet", track, "--write-key", "k", "--ignore-response"});
  CHECK(r.status == 0);
  CHECK(r.err.find("ory-segment: note: ") != std::string::npos);
  r = run_tool(
      {"build-action", "--jsonnet", track, "--write-key", "k", "--ignore-response", "--quiet"});
  CHECK(r.status == 0);
  CHECK(r.err.find("note:") == std::string::npos);
  CHECK(r.err.find("ory-segment: warning: --write-key shows the key") != std::string::npos);
  // -q leaves lint's hook table out too.
  r = run_tool({"lint", "--config", test::source_path("examples/kratos.yml"), "-q"});
  CHECK(r.out.find("Hooks Kratos runs") == std::string::npos);
  CHECK(r.out.find("[no-segment-hook]") != std::string::npos);
  r = run_tool({"init", "--schema", k_schema, "-q", "-o", dir.path() + "/t.jsonnet"});
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  r = run_tool({"encode", "-q", dir.write("bad.jsonnet", "function(x) x")});
  CHECK(r.status == 1);
  CHECK(r.err.find("ory-segment: error: ") == 0);
}

TEST_CASE("cli defaults: test-identify tries the built-in identity without optional traits") {
  // The docs' template reads name and consent without a guard: users without them fail.
  auto r = run_tool({"test-identify", "--jsonnet", k_example, "--dry-run"});
  CHECK(r.status == 1);
  CHECK(r.err.find(k_example +
                   ":5:11: field does not exist: name (for the built-in identity with only its "
                   "required trait, email") != std::string::npos);
  CHECK(r.out.find("verdict: template-failed") != std::string::npos);
  r = run_tool({"test-identify", "--jsonnet", k_example, "--dry-run", "--format", "json"});
  CHECK(r.status == 1);
  CHECK(nlohmann::json::parse(r.out)["identity"] == "built-in, required traits only");
  // A template that guards them passes both.
  test::TempDir dir;
  const std::string guarded = dir.write(
      "t.jsonnet",
      "function(ctx) { userId: ctx.identity.id, traits: { email: ctx.identity.traits.email, "
      "name: std.get(ctx.identity.traits, 'name') } }\n");
  r = run_tool({"test-identify", "--jsonnet", guarded, "--dry-run"});
  CHECK(r.status == 0);
  CHECK(r.out.find("\"name\": \"Ada Lovelace\"") != std::string::npos);  // the full one is shown
  // An explicit identity is tried as given.
  r = run_tool({"test-identify", "--jsonnet", k_example, "--dry-run", "--identity",
                test::source_path("examples/identity.json")});
  CHECK(r.status == 0);
}

TEST_CASE("cli defaults: listen --expect fails when the hook never fired") {
  auto r = run_tool({"listen", "--port", "0", "--exit-after", "0.2", "--expect", "1"});
  CHECK(r.status == 1);
  CHECK(r.err.find("ory-segment: error: expected 1 message kept, received 0:") !=
        std::string::npos);
  r = run_tool({"listen", "--port", "0", "--exit-after", "0.2"});
  CHECK(r.status == 0);
  r = run_tool({"listen", "--expect", "1"});
  CHECK(r.status == 2);  // when to count?
}

TEST_CASE("cli defaults: build-action --call track needs an event in what the template sends") {
  test::TempDir dir;
  auto r =
      run_tool({"build-action", "--jsonnet", k_example, "--write-key", "k", "--call", "track"});
  CHECK(r.status == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find("has no event") != std::string::npos);
  const std::string track =
      dir.write("track.jsonnet", "function(ctx) { userId: ctx.identity.id, event: 'Signed Up' }\n");
  r = run_tool({"build-action", "--jsonnet", track, "--write-key", "k", "--call", "track"});
  CHECK(r.status == 0);
  CHECK(r.out.find("\"url\": \"https://api.segment.io/v1/track\"") != std::string::npos);
}

TEST_CASE("cli defaults: decode takes what encode --raw prints") {
  const auto raw = run_tool({"encode", "--raw", k_example});
  REQUIRE(raw.status == 0);
  std::string text = raw.out;
  text.pop_back();             // the newline
  REQUIRE(text.size() > 255);  // longer than a file name can be
  auto r = run_tool({"decode", text});
  CHECK(r.status == 0);
  CHECK(r.out == test::read_file(k_example));
  r = run_tool({"decode", "--format", "json", "base64://" + text});
  CHECK(r.status == 0);
  CHECK(nlohmann::json::parse(r.out)["templates"][0]["template"] == test::read_file(k_example));
  CHECK(run_tool({"decode", "not/a/file/and/not/base64"}).status == 2);
}

TEST_CASE("cli defaults: backfill to a loopback URL needs no write key, --format json") {
  test::FakeSegment segment;
  test::TempDir dir;
  const auto r = run_tool({"backfill", "--jsonnet", k_example, "--identities", k_identities,
                           "--url", segment.url("/v1"), "--progress", "never", "--format", "json",
                           "--failed", dir.path() + "/failed.jsonl"});
  CAPTURE(r.err);
  CHECK(r.err.find("ory-segment: note: no write key given: sending to 127.0.0.1 (loopback)") !=
        std::string::npos);
  const auto requests = segment.requests();
  REQUIRE(!requests.empty());
  CHECK(requests[0].header("Authorization") ==
        "Basic " + util::base64_encode(std::string("local-write-key:")));
  // The summary, as JSON, is standard output, one line.
  const auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 1);
  const auto summary = nlohmann::json::parse(lines.back());
  CHECK(summary["read"] == 5);
  CHECK(summary["sent"] == 4);
  CHECK(summary["failed"] == 1);
  CHECK(r.status == 1);  // one identity failed (no name)
}

TEST_CASE("cli install: --version, completions and the man page come from the verb table") {
  auto r = run_tool({"--version"});
  CHECK(r.status == 0);
  const auto version = lines_of(r.out);
  REQUIRE(version.size() == 6);
  CHECK(std::regex_match(version[0], std::regex(R"(ory-segment [0-9]+\.[0-9]+\.[0-9]+)")));
  CHECK(std::regex_match(
      version[1],
      std::regex(R"(commit ([0-9a-f]{7,}(-dirty)?|unknown), built [0-9]{4}-[0-9]{2}-[0-9]{2})")));
  CHECK(std::regex_match(version[2], std::regex(R"(libjsonnet v[0-9.]+)")));
  CHECK(version[3] == "emulates go-jsonnet v0.21.0, Segment HTTP API");
  // The Kratos profiles, by name and commit (kratos/runtime_profile).
  CHECK(version[4] ==
        "--kratos network (Kratos master at b86338da0, 2026-07-29; Ory Network), the default");
  CHECK(version[5] == "--kratos v26.2.0 (Kratos v26.2.0 at 9d7085948, 2026-03-20; self-hosted)");

  const auto all = verbs();
  for (const std::string shell : {"bash", "zsh", "fish"}) {
    CAPTURE(shell);
    r = run_tool({"completion", shell});
    CHECK(r.status == 0);
    for (const auto& verb : all) {
      CHECK(r.out.find(verb) != std::string::npos);
      for (const auto& o : options_of(verb)) {
        // every long option of every verb, in that shell's syntax
        const std::string name = o.names.back();
        const std::string spelled = shell == "fish" ? "-l " + name.substr(2) : name;
        CAPTURE(verb, name);
        CHECK(r.out.find(spelled) != std::string::npos);
      }
    }
  }
  r = run_tool({"completion", "bash"});
  for (const auto& verb : all) {
    // Every option of every section of a verb's --help, and no other, completes; a file
    // completes only after an option that takes one.
    CAPTURE(verb);
    std::smatch m;
    REQUIRE(std::regex_search(r.out, m,
                              std::regex("    " + verb + R"(\) opts='([^']*)'; files='([^']*)')")));
    std::multiset<std::string> listed, files;
    for (const auto& o : options_of(verb)) {
      listed.insert(o.names.begin(), o.names.end());
      if (o.value.rfind("FILE", 0) == 0 || o.value == "DIR" || o.value == "INPUT")
        files.insert(o.names.begin(), o.names.end());
    }
    const auto words = [](const std::string& text) {
      std::multiset<std::string> out;
      std::istringstream in(text);
      for (std::string w; in >> w;) out.insert(w);
      return out;
    };
    CHECK(listed == words(m[1].str()));
    CHECK(files == words(m[2].str()));
  }
  CHECK(options_of("backfill").size() >= 25);  // seven sections
  test::TempDir dir;
  const std::string script = dir.write("ory-segment.bash", r.out);
  const auto syntax = test::run_program({"/bin/bash", "-n", script});
  CHECK(syntax.status == 0);
  CHECK(run_tool({"completion", "tcsh"}).status == 2);

  r = run_tool({"help", "--man"});
  CHECK(r.status == 0);
  CHECK(r.out.rfind(".TH ORY-SEGMENT 1 ", 0) == 0);
  for (const auto& verb : all) CHECK(r.out.find(".SS " + verb + "\n") != std::string::npos);
}

TEST_CASE("cli install: man renders the page at 80 columns without a warning or a long line") {
  test::TempDir dir;
  const std::string page = dir.write("ory-segment.1", run_tool({"help", "--man"}).out);
  test::RunOptions o;
  o.env["MANWIDTH"] = "80";
  o.env["MAN_KEEP_FORMATTING"] = "";
  const auto r = test::run_program({"/usr/bin/man", "--warnings", "-l", page}, o);
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.err.empty());
  const auto lines = lines_of(r.out);
  CHECK(lines.size() > 500);
  for (const auto& line : lines) {
    CAPTURE(line);
    CHECK(util::code_points(line) <= 80);
  }
  for (const char* section : {"NAME", "SYNOPSIS", "DESCRIPTION", "VERBS", "EXIT STATUS",
                              "ENVIRONMENT", "FILES", "EXAMPLES", "VERSION", "SEE ALSO"}) {
    CHECK(std::find(lines.begin(), lines.end(), section) != lines.end());
  }
  // Each verb: its synopsis and OPTIONS.
  for (const auto& verb : verbs()) {
    CAPTURE(verb);
    CHECK(r.out.find("       ory-segment " + verb + " [OPTIONS]") != std::string::npos);
  }
  CHECK(std::count(lines.begin(), lines.end(), "       OPTIONS") ==
        static_cast<long>(verbs().size()));
  CHECK(r.out.find("       SEGMENT_WRITE_KEY") != std::string::npos);
  CHECK(r.out.find("143    terminated (SIGTERM)") != std::string::npos);
}

namespace {

// The verbs in backquotes after `lead` in the README, up to the end of that sentence.
std::set<std::string> readme_verbs(const std::string& lead) {
  const std::string readme = test::read_file(test::source_path("README.md"));
  const auto at = readme.find(lead);
  REQUIRE(at != std::string::npos);
  const auto end = readme.find_first_of(".;", at + lead.size());
  const std::string sentence = readme.substr(at + lead.size(), end - at - lead.size());
  std::set<std::string> out;
  const std::regex quoted("`([a-z-]+)`");
  for (std::sregex_iterator it(sentence.begin(), sentence.end(), quoted), none; it != none; ++it) {
    out.insert((*it)[1]);
  }
  return out;
}

}  // namespace

TEST_CASE("cli vocabulary: the README says which verbs take --format and -o, and they do") {
  const auto with_format = readme_verbs("`--format` chooses what these verbs print:");
  const auto with_output = readme_verbs("writes the\nproduct of these to a file (atomically):");
  CHECK(with_format.size() == 6);
  CHECK(with_output.size() == 5);
  for (const auto& verb : verbs()) {
    CAPTURE(verb);
    const auto help = run_tool({verb, "--help"});
    CHECK((help.out.find("  --format ") != std::string::npos) == (with_format.count(verb) > 0));
    CHECK((help.out.find("  -o,--output ") != std::string::npos) == (with_output.count(verb) > 0));
    CHECK(help.out.find("  -q,--quiet ") != std::string::npos);
    CHECK(help.out.find("  --color WHEN ") != std::string::npos);
  }
}

TEST_CASE("cli vocabulary: an option never takes the next option as its value, guesses are close") {
  test::TempDir dir;
  // `--project $ORY_PROJECT --format ory-cli` with the variable unset.
  auto r = run_tool(
      {"patch", "--action", dir.write("a.json", "{}"), "--project", "--format", "ory-cli"});
  CHECK(r.status == 2);
  CHECK(r.err.rfind("ory-segment: error: --project needs a value, and is followed by the option "
                    "--format",
                    0) == 0);
  r = run_tool({"lint", "--jsonnet", "--schema", "s.json"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--jsonnet needs a value, and is followed by the option --schema") !=
        std::string::npos);
  // "-" (standard input) is a value, not an option.
  r = run_tool({"encode", "-", "--raw"}, [] {
    test::RunOptions o;
    o.stdin_data = "function(ctx) {}\n";
    return o;
  }());
  CHECK(r.status == 0);
  // A one-letter option has no near miss; -o where a verb has none says what to do.
  r = run_tool({"lint", "-o", "x"});
  CHECK(r.status == 2);
  CHECK(r.err.find("did you mean") == std::string::npos);
  CHECK(r.err.find("unknown option '-o' for lint: it prints to standard output; redirect it") !=
        std::string::npos);
  r = run_tool({"lint", "-x"});
  CHECK(r.err.find("did you mean") == std::string::npos);
  r = run_tool({"lint", "--confg", "k.yml"});
  CHECK(r.err.find("did you mean '--config'?") != std::string::npos);
}
