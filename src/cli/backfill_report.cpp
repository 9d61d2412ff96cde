// What backfill shows while it runs and says when it ends.
#include "cli/backfill_report.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "cli/common.hpp"
#include "cli/diagnostics.hpp"
#include "util/text.hpp"

namespace cli {

using Clock = std::chrono::steady_clock;

ExitStatus stopped_status(int signal) {
  return signal == SIGTERM ? ExitStatus::terminated : ExitStatus::interrupted;
}

std::string progress_line(const core::BackfillProgress& p) {
  const auto& s = p.stats;
  const long done = s.done();
  std::string line = util::format_count(done) + " identities";
  char buf[96];
  if (p.total_bytes > 0 && p.bytes_read > 0 && s.read > 0) {
    // Records, not bytes: the total estimated from the records read so far and the bytes
    // they took (marked ~), the ETA from the rate of records done.
    const double total = std::max(static_cast<double>(s.read) * static_cast<double>(p.total_bytes) /
                                      static_cast<double>(p.bytes_read),
                                  static_cast<double>(s.read));
    const double frac = std::min(1.0, static_cast<double>(done) / total);
    line += " of ~" + util::format_count(std::lround(total));
    std::snprintf(buf, sizeof buf, " (~%.0f%%", frac * 100);
    line += buf;
    if (done > 0 && frac > 0.01) {
      std::snprintf(buf, sizeof buf, ", ETA ~%.0f s",
                    p.seconds * (total - static_cast<double>(done)) / static_cast<double>(done));
      line += buf;
    }
    line += ")";
  }
  std::snprintf(buf, sizeof buf, ", %.0f/s",
                static_cast<double>(done) / std::max(p.seconds, 0.001));
  return line + buf + ", " + util::format_count(s.retries) + " retries, " +
         util::format_count(s.failed) + " failed";
}

namespace {

core::Json summary_json(const BackfillReport& opts, const core::BackfillResult& r) {
  const auto& s = r.stats;
  return {{"read", s.read},
          {opts.dry_run ? "printed" : "sent", s.sent},
          {"skipped", s.skipped},
          {"newer", s.newer},
          {"failed", s.failed},
          {"failed_file",
           s.failed > 0 && !opts.dry_run ? core::Json(opts.failed) : core::Json(nullptr)},
          {"requests", s.requests},
          {"retries", s.retries},
          {"seconds", r.seconds},
          {"incomplete", r.incomplete.empty() ? core::Json(nullptr) : core::Json(r.incomplete)},
          {"interrupted", r.interrupted},
          {"pending", s.pending()},
          {"error", !r.write_error.empty()   ? r.write_error
                    : !r.read_error.empty()  ? r.read_error
                    : !r.undelivered.empty() ? r.undelivered
                                             : ""}};
}

void print_text_summary(const BackfillReport& opts, const core::BackfillResult& r) {
  const auto& s = r.stats;
  const long done = s.done();
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.1f s, %.0f identities/s", r.seconds,
                static_cast<double>(done) / std::max(r.seconds, 0.001));
  std::cerr << "ory-segment: backfill: " << util::format_count(s.read) << " read, "
            << util::format_count(s.sent) << (opts.dry_run ? " printed, " : " sent, ")
            << util::format_count(s.skipped) << " skipped (cancel), "
            << (s.newer > 0 ? util::format_count(s.newer) +
                                  " newer (created at or after --created-before), "
                            : std::string())
            << util::format_count(s.failed) << " failed"
            << (s.failed > 0 && !opts.dry_run ? " (see " + opts.failed + ")" : "") << ", "
            << util::counted(s.requests, "request") << ", " << util::counted(s.retries, "retry")
            << "; " << rate << "\n";
}

// The errors and notes that say what happened and what to do next; the exit status.
ExitStatus conclude(const BackfillReport& opts, const core::BackfillResult& r) {
  const auto& s = r.stats;
  if (opts.stdout_errno != 0) {
    error(std::string("cannot write the messages to standard output: ") +
          std::strerror(opts.stdout_errno) + "; stopped");
    return ExitStatus::bad_input;
  }
  if (!r.write_error.empty()) {
    error(r.write_error);
    if (!opts.state.empty()) {
      note(opts.state +
           " stays at the last record whose outcome is on disk; free space and run "
           "the same command to resume");
    }
    return ExitStatus::bad_input;
  }
  if (!r.read_error.empty()) {
    error(r.read_error);
    if (!opts.state.empty() && r.source_unreachable) {
      note("run the same command to resume from " + opts.state);
    }
    return r.source_unreachable ? ExitStatus::unreachable : ExitStatus::bad_input;
  }
  if (r.interrupted) {
    note(std::string(opts.signal == SIGTERM ? "terminated" : "interrupted") + ": " +
         (opts.state.empty() ? std::string("pass --state FILE to resume")
                             : "run the same command to resume from " + opts.state));
    return stopped_status(opts.signal);
  }
  if (!r.undelivered.empty()) {
    error("the endpoint did not accept a batch (" + r.undelivered + "): stopped; " +
          util::format_count(s.pending()) + " identities read were not sent");
    note(opts.state.empty()
             ? std::string("run the same command when it answers: everything is sent again, "
                           "with the same messageIds (Segment keeps one of each); with --state "
                           "FILE a rerun sends only what is pending")
             : "run the same command when it answers: " + opts.state +
                   " keeps them pending, and they are sent with the same messageIds");
    return ExitStatus::unreachable;
  }
  if (!r.incomplete.empty() && !opts.allow_partial) {
    error(r.incomplete);
    return ExitStatus::check_failed;
  }
  if (!r.incomplete.empty()) note("--allow-partial: " + r.incomplete);
  if (r.earlier.failed > 0) {
    note(util::format_count(r.earlier.failed) + " record(s) failed in earlier runs of this state" +
         " (see " + opts.failed + "); send them again with --retry-failed");
    return ExitStatus::check_failed;
  }
  return s.failed > 0 ? ExitStatus::check_failed : ExitStatus::ok;
}

}  // namespace

ExitStatus backfill_summary(const BackfillReport& opts, const core::BackfillResult& r) {
  if (opts.format != "json") print_text_summary(opts, r);
  const ExitStatus status = conclude(opts, r);
  const std::string line = summary_json(opts, r).dump() + "\n";
  if (opts.format == "json") {
    std::cerr.flush();
    (opts.dry_run ? std::cerr : std::cout) << line << std::flush;
  }
  if (!opts.summary_file.empty() && !(opts.summary_file == "-" && opts.format == "json")) {
    write_output_or_throw(opts.summary_file, line);
  }
  return status;
}

ProgressPrinter::ProgressPrinter(const std::string& when)
    : m_tty(::isatty(STDERR_FILENO) != 0), m_show(when != "never") {}

ProgressPrinter::~ProgressPrinter() { clear(); }

void ProgressPrinter::clear() {
  if (m_tty && m_shown) std::cerr << "\r\033[K" << std::flush;
  m_shown = false;
}

void ProgressPrinter::operator()(const core::BackfillProgress& p) {
  const auto every = m_tty ? std::chrono::milliseconds(250) : std::chrono::milliseconds(5000);
  if (!m_show || Clock::now() - m_last < every) return;
  m_last = Clock::now();
  m_shown = true;
  if (m_tty) {
    std::cerr << "\r" << progress_line(p) << "\033[K" << std::flush;
  } else {
    std::cerr << "ory-segment: progress: " << progress_line(p) << "\n" << std::flush;
  }
}

}  // namespace cli
