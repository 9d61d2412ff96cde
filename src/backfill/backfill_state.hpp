#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace core {

// Where a backfill that reads Kratos's admin API picks up: the page holding the first record
// not finished (as the query that fetches it) and how many of its first records are.
struct PagePosition {
  std::string query;         // "page_size=500&page_token=..."; the first page: "page_size=500"
  long start = 0;            // the record number of the page's first identity
  long skip = 0;             // its first `skip` records are finished
  std::string last_done_id;  // the id of the last of those, checked when the page is read again

  bool operator==(const PagePosition& o) const {
    return query == o.query && start == o.start && skip == o.skip && last_done_id == o.last_done_id;
  }
};

// Finished records [begin, end) past the finished prefix, and the input's fingerprint
// through record end - 1, so a resume skips them only once it has read the same records.
struct FinishedRange {
  long begin = 0;
  long end = 0;
  std::optional<std::uint64_t> fingerprint;

  bool operator==(const FinishedRange& o) const {
    return begin == o.begin && end == o.end && fingerprint == o.fingerprint;
  }
};

// What the state file also shows: every run's outcomes added up.
struct BackfillCounts {
  long sent = 0, failed = 0, skipped = 0;
};

// The input's fingerprint after `records` records: FNV-1a over each record's text and a
// newline, from the first record on.
std::uint64_t fingerprint_step(std::uint64_t fingerprint, const std::string& record);

// What a backfill has finished (sent, skipped, or written to the failed file), as its
// state file records it: a prefix of the input and, past it, finished ranges, so a resumed
// run sends again only what was in flight. Files and stdin are fingerprinted (the prefix and
// each range), so a state is never applied to another input.
struct BackfillState {
  long records_done = 0;
  std::optional<std::uint64_t> fingerprint;  // through record records_done - 1
  std::vector<FinishedRange> done_after;
  std::string template_digest;       // sha256 of the template: messageIds depend on it
  std::string destination;           // destination_fingerprint(): messageIds depend on it too
  std::string input;                 // what the records were read from
  std::optional<PagePosition> page;  // reading the admin API: where to pick up
  BackfillCounts counts;             // every run's so far
  std::string failed_file;           // where their failures are
  std::string run;                   // this run's id, in each of its failed file's lines
  long failed_file_bytes = 0;        // its size once they were on disk
  // Finished records whose failures are being sent again (--retry-failed): read and sent once
  // more, and off this list once their new outcome is on disk.
  std::vector<long> retry;

  bool finished(long index) const;
  bool retrying(long index) const;
  long finished_after() const;  // records in done_after
};

// Reads the state at `path`. `*found` is false (and the result true) when there is no
// file; false with `err` for a file that is not a backfill state.
bool load_backfill_state(const std::string& path, BackfillState* out, bool* found,
                         std::string* err);

// Why the state read from `path` cannot be resumed by a run of the template with digest
// `template_digest` to `destination` (a destination_fingerprint()) reading `input` (`paged`:
// Kratos's admin API), with what to do about it; "" when it can. A state is applied only to
// the template, destination and input it was written for: messageIds depend on the first two,
// record numbers on the input.
std::string resume_problem(const BackfillState& state, const std::string& path,
                           const std::string& template_digest, const std::string& destination,
                           const std::string& input, bool paged);

// Why the state read from `path` cannot be resumed writing failures to `failed`: it names
// another failed file, where its earlier runs' failures are (and where a resume recovers the
// failures of a run killed before its next save). "" when it can.
std::string failed_file_problem(const BackfillState& state, const std::string& path,
                                const std::string& failed);

// Replaces the state at `path` atomically.
bool save_backfill_state(const std::string& path, const BackfillState& state, std::string* err);

// Holds `<state>.lock` (an flock, the holder's pid written in it) for as long as it lives: a
// second backfill on the same state refuses to start instead of sending everything twice.
class StateLock {
 public:
  StateLock() = default;
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;
  ~StateLock();
  // False with `err` (naming the other process) when another run holds it.
  bool acquire(const std::string& state_path, std::string* err);

 private:
  int m_fd = -1;
};

// Records finishing in any order, from several threads; the state they add up to.
class FinishedRecords {
 public:
  // From where `resume` left off: its prefix is finished; its ranges are pending until the
  // reader has read them again and confirms them (confirm()).
  explicit FinishedRecords(const BackfillState& resume);

  // The reader read record `index` (in order); the input's fingerprint through it.
  void read(long index, std::uint64_t fingerprint);
  // Record `index`'s outcome is on disk (a retried one's included: it leaves the retry list).
  void done(long index);
  // A pending range read again with the same fingerprint: finished.
  void confirm(const FinishedRange& range);

  // records_done, its fingerprint and done_after (pending ranges included), as of now.
  // Fingerprints older than the prefix are forgotten.
  BackfillState snapshot();

 private:
  std::optional<std::uint64_t> fingerprint_at(long index) const;

  void mark_done(long index);  // m_mutex held

  std::mutex m_mutex;
  std::set<long> m_retry;
  long m_watermark;
  std::optional<std::uint64_t> m_start_fingerprint;  // through m_start - 1
  long m_start;
  std::deque<bool> m_done;  // past the watermark
  std::vector<FinishedRange> m_pending;
  long m_hash_base;  // the record m_hashes[0] is for
  std::deque<std::uint64_t> m_hashes;
};

}  // namespace core
