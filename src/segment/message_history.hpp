#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "segment/segment_endpoint.hpp"

namespace core {

// The messageIds Segment has kept lately, as it de-duplicates: a message whose messageId it
// has seen in about the last 24 hours is answered 200 and dropped, whichever source or
// workspace it came to (Segment's "Duplicate data" guide, segment.com/docs/guides/duplicate-data/).
class MessageIdHistory {
 public:
  static constexpr std::int64_t k_window_seconds = 24 * 60 * 60;

  // Whether a message with `message_id` arriving at `now` (Unix seconds) is a duplicate; if
  // not, it is recorded as kept. An empty id is never a duplicate (Segment assigns one).
  bool duplicate(const std::string& message_id, std::int64_t now);

  // Reads earlier kept messages from `listen --jsonl` lines (those with verdict "accepted"
  // and a receivedAt within the window before `now`); lines it cannot read are skipped, and
  // so is anything but a regular file (/dev/null, /dev/full).
  // The number of ids it now holds.
  std::size_t load_jsonl(const std::string& path, std::int64_t now);

 private:
  std::unordered_map<std::string, std::int64_t> m_seen;  // messageId -> when it was kept
};

// Marks the messages `history` has seen kept within the window as dropped duplicates, and
// records the others' ids; whether any was a duplicate. `now`: Unix seconds.
bool drop_duplicates(MessageIdHistory* history, std::vector<ReceivedMessage>* messages,
                     std::int64_t now);

// The current time in Unix seconds.
std::int64_t unix_seconds_now();

}  // namespace core
