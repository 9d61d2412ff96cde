#pragma once

#include <chrono>
#include <string>

#include "backfill/backfill_pipeline.hpp"
#include "cli/exit_status.hpp"

// What backfill shows while it runs and says when it ends.
namespace cli {

// What the final summary needs besides the run's result.
struct BackfillReport {
  std::string format = "text";  // text or json
  bool dry_run = false;
  std::string failed;          // --failed
  std::string state;           // --state, "" without
  int stdout_errno = 0;        // a dry run's messages could not be written
  int signal = 0;              // what stopped the run, 0 if nothing did
  bool allow_partial = false;  // an input that is not every identity is fine
  std::string summary_file;    // --summary: "" none, "-" standard output
};

// 143 after SIGTERM, 130 after SIGINT.
ExitStatus stopped_status(int signal);

// Prints the summary and the errors and notes on what to do next; the exit status. Text: the
// summary first, on stderr. JSON: one line, last of all: on stdout, or on stderr in a dry
// run (whose messages are on stdout). --summary FILE: the JSON line written there too.
ExitStatus backfill_summary(const BackfillReport& report, const core::BackfillResult& r);

// "12,000 identities (40% of the input, ETA 9 s), 2,000/s, 0 retries, 3 failed".
std::string progress_line(const core::BackfillProgress& p);

// Prints the progress line: redrawn in place at a terminal, every 5 s otherwise.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(const std::string& when);
  ~ProgressPrinter();
  ProgressPrinter(const ProgressPrinter&) = delete;
  ProgressPrinter& operator=(const ProgressPrinter&) = delete;
  void operator()(const core::BackfillProgress& p);
  // Takes a progress line off the terminal, so what comes next starts a line of its own.
  void clear();

 private:
  bool m_tty, m_show, m_shown = false;
  std::chrono::steady_clock::time_point m_last = std::chrono::steady_clock::now();
};

}  // namespace cli
