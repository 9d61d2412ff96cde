#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace core {

// What a backfill has finished (sent, skipped, or written to the failed file), as its
// state file records it: a prefix of the input and, past it, finished [begin, end)
// ranges, so a resumed run sends again only what was in flight.
struct BackfillState {
  long records_done = 0;
  std::vector<std::pair<long, long>> done_after;
  std::string template_digest;  // sha256 of the template: messageIds depend on it

  bool finished(long index) const;
  long finished_after() const;  // records in done_after
};

// What the state file also shows, for people reading it.
struct BackfillCounts {
  long sent = 0, failed = 0, skipped = 0;
};

// Reads the state at `path`. `*found` is false (and the result true) when there is no
// file; false with `err` for a file that is not a backfill state.
bool load_backfill_state(const std::string& path, BackfillState* out, bool* found,
                         std::string* err);

// Replaces the state at `path` atomically. `input` names the identities' source.
bool save_backfill_state(const std::string& path, const std::string& input,
                         const BackfillState& state, const BackfillCounts& counts,
                         std::string* err);

// Records finishing in any order, from several threads; the state they add up to.
class FinishedRecords {
 public:
  explicit FinishedRecords(long start) : m_watermark(start) {}
  void done(long index);
  // records_done and done_after, as of now.
  BackfillState snapshot(const std::string& template_digest);

 private:
  std::mutex m_mutex;
  long m_watermark;
  std::deque<bool> m_done;  // past the watermark
};

}  // namespace core
