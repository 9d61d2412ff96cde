#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace test {

struct RunResult {
  int status = -1;  // exit status, or 128 + signal
  std::string out;
  std::string err;
  long peak_rss_kb = 0;  // the process's largest resident set (under ASan: its shadow too)
};

struct RunOptions {
  std::optional<std::string> stdin_data;   // nullopt: stdin is /dev/null
  std::map<std::string, std::string> env;  // added to a minimal environment
  std::string cwd;
};

// Runs the built ory-segment binary with `args` and captures everything it prints.
RunResult run_tool(const std::vector<std::string>& args, const RunOptions& opts = {});

// Runs any program (argv[0] is a path) the same way.
RunResult run_program(const std::vector<std::string>& argv, const RunOptions& opts = {});

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  const std::string& path() const { return m_path; }
  std::string file(const std::string& name) const { return m_path + "/" + name; }
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string m_path;
};

std::string read_file(const std::string& path);
bool file_exists(const std::string& path);

// A path into the source tree.
std::string source_path(const std::string& relative);

// Reference material the project does not ship (Kratos's config schema, go-jsonnet and its
// test templates): `relative` in $ORY_SEGMENT_REFERENCE when that is set, else in ../shared
// beside the source tree. "" when it is not there: the caller then prints why it skips
// (see REQUIRE_REFERENCE) and returns.
std::string reference_path(const std::string& relative);

// Prints the line ctest reports a test as skipped for (SKIP_REGULAR_EXPRESSION).
void skip(const std::string& why);
// A TCP connection to 127.0.0.1:PORT (blocking), or -1 when it is refused.
int connect_loopback(int port);

// skip(why), except under CI=true, which has everything the tests need: there, a failure.
void skip_unless_ci(const std::string& why);

// The command (add the file's path) that prints an HCL file as JSON, parsed by HashiCorp's own
// parser (tests/tools/hcl); {} after skip_unless_ci when node or the parser is not installed.
std::vector<std::string> hcl2json_command();

}  // namespace test

// Binds `var` to the reference file `relative`, or skips the rest of the test case.
#define REQUIRE_REFERENCE(var, relative)                  \
  const std::string var = test::reference_path(relative); \
  if (var.empty()) return

namespace test {}  // namespace test

namespace test {

// A running ory-segment (e.g. `listen`) whose stdout is read line by line while it runs.
class BackgroundTool {
 public:
  explicit BackgroundTool(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env = {});
  BackgroundTool(const BackgroundTool&) = delete;
  BackgroundTool& operator=(const BackgroundTool&) = delete;
  ~BackgroundTool();

  // The next line of stdout (without '\n'), waiting up to `timeout_ms`; "" at EOF or timeout.
  std::string read_line(int timeout_ms = 10000);
  // Waits until stderr holds `text` (up to `timeout_ms`; stdout is kept meanwhile); false
  // when it ends or the time runs out first.
  bool wait_for_stderr(const std::string& text, int timeout_ms = 60000);
  // For `listen`: reads the first line and returns "http://127.0.0.1:PORT".
  std::string listen_url();
  void signal(int sig);
  // After signal(sig): waits until the process has taken it (no longer pending in
  // /proc/PID/status), so its handler has run or is running. False if it is still pending
  // after `timeout_ms`.
  bool wait_signal_taken(int sig, int timeout_ms = 60000);
  // To it and every process it started, as a terminal's Ctrl-C reaches its whole group.
  void signal_with_descendants(int sig);
  // Waits for exit (up to `timeout_ms`, then kills it) and returns everything printed.
  RunResult wait(int timeout_ms = 20000);

 private:
  int m_pid = -1;
  int m_out = -1, m_err = -1;
  std::string m_out_buffer, m_out_all, m_err_all;
  bool m_waited = false;
  RunResult m_result;
};

}  // namespace test
