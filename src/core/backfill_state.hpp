#pragma once

#include <deque>
#include <mutex>
#include <optional>
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

// What a backfill has finished (sent, skipped, or written to the failed file), as its
// state file records it: a prefix of the input and, past it, finished [begin, end)
// ranges, so a resumed run sends again only what was in flight.
struct BackfillState {
  long records_done = 0;
  std::vector<std::pair<long, long>> done_after;
  std::string template_digest;       // sha256 of the template: messageIds depend on it
  std::string input;                 // what the records were read from, as the state file names it
  std::optional<PagePosition> page;  // reading the admin API: where to pick up

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
