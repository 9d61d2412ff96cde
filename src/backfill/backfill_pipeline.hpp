#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backfill/backfill_state.hpp"
#include "backfill/context_factory.hpp"
#include "backfill/identity_source.hpp"
#include "segment/segment_api.hpp"
#include "util/time_format.hpp"

namespace core {

// Where a backfill sends, and with which template.
struct BackfillTarget {
  std::string source;        // the template
  std::string name;          // for error locations
  std::string url;           // the batch endpoint
  std::string template_uri;  // the action's body URI; "": base64:// of the template
  SegmentCall call = SegmentCall::identify;
  bool call_fixed = false;  // given (--call, a URL's path): else each message names its own
  // Content-Type, auth and any others (core::kratos_request's, less what Go adds)
  std::vector<std::pair<std::string, std::string>> headers;
  // What messageIds (and each identity's ctx.flow.id) are scoped to: destination_key().
  std::string destination;
};

struct BackfillSettings {
  std::string state_path;   // "": no state is kept
  std::string failed_path;  // "": no failed file (dry run)
  bool dry_run = false;     // messages go to BackfillHooks::print instead of Segment
  int concurrency = 4;      // batches in flight
  double rate = 500;        // requests per second at most
  // Messages per second at most, over the whole run (Segment's per-workspace figure); 0: no
  // limit. Batches then hold at most a tenth of a second's worth, so the rate stays even.
  double events_per_second = 1000;
  int chunk = 1000;      // identities per evaluation
  int evaluators = 0;    // helper processes; 0: cores, at most 4
  int max_retries = 10;  // per batch
  bool timestamp_from_created_at = true;
  std::string worker_executable;  // this binary, for TransformPool's helpers
  std::size_t max_output = 0;     // the Kratos profile's output limit; 0: EvalLimits's
  // Identities created at or after it are not sent (the hook sent them): counted as newer.
  std::optional<util::Instant> created_before;
};

struct BackfillStats {
  long read = 0, sent = 0, skipped = 0, failed = 0, retries = 0, requests = 0;
  long newer = 0;  // created at or after BackfillSettings::created_before
  long done() const { return sent + skipped + failed + newer; }
  long pending() const { return read - done(); }  // read, not finished: a rerun sends them
};

struct BackfillProgress {
  BackfillStats stats;
  std::size_t bytes_read = 0;
  std::size_t total_bytes = 0;  // 0 when the input is not a regular file
  double seconds = 0;
};

// How the pipeline reaches its caller; each may be empty.
struct BackfillHooks {
  std::function<void(const std::string&)> print;  // dry run: one message's JSON text
  std::function<void(const std::string&)> warn;   // a failure in a dry run; a state not saved;
                                                  // a template's messageId that does not vary
  std::function<void(const BackfillProgress&)> progress;  // about every 250 ms
};

struct BackfillResult {
  BackfillStats stats;      // this run's
  BackfillCounts earlier;   // what the state says earlier runs did
  std::string write_error;  // an outcome could not be recorded (the failed file): the run stopped
  std::string read_error;   // the input could not be read to its end
  std::string incomplete;   // read to its end, the input is not every identity: why
  std::string undelivered;  // the endpoint never accepted a batch (why): the run stopped there
  bool source_unreachable = false;  // ... because it stopped answering
  bool interrupted = false;         // stopped from outside before the end
  double seconds = 0;
};

// Existing identities through the template to Segment's batch API, as threads: a reader,
// evaluators (one TransformPool each), senders, and a reporter that saves the state
// twice a second; bounded queues between them keep memory flat. Every record ends sent,
// skipped (a cancel) or in the failed file with its reason.
class BackfillPipeline {
 public:
  // `source` is open, and `resume` is what it made of the state (IdentitySource::open).
  // `stop` stops the run from outside (Ctrl-C); the pipeline also sets it on a read error.
  BackfillPipeline(BackfillSettings settings, BackfillTarget target, ContextFactory contexts,
                   std::unique_ptr<IdentitySource> source, BackfillState resume,
                   BackfillHooks hooks, std::atomic<bool>* stop);
  ~BackfillPipeline();
  BackfillPipeline(const BackfillPipeline&) = delete;
  BackfillPipeline& operator=(const BackfillPipeline&) = delete;

  // Runs to the end of the input (or a stop). False with `err` when the failed file cannot
  // be opened.
  bool run(BackfillResult* result, std::string* err);

 private:
  class Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace core
