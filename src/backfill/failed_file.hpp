#pragma once

#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backfill/backfill_state.hpp"

namespace core {

using Json = nlohmann::ordered_json;

// Backfill's failed file: JSON Lines, one per record that could not be sent, each with
// the reason and the identity as read, so the file is itself valid backfill input.

// One line (with its newline): {"id", "record", "run", "stage", "reason", ["message"],
// ["identity"]}; `run` names the run that wrote it (BackfillState::run). Bytes that are not
// UTF-8 are replaced, never lost as a whole line.
std::string failed_line(long record, const std::string& run, const Json& identity,
                        const std::string& stage, const std::string& reason,
                        const Json& message = nullptr);

// A record read as backfill input: a line of a failed file stands for the identity it
// carries. True when `record` was such a line and is now that identity.
bool unwrap_failed_line(Json* record);

// Parses a record of backfill input into `identity` (a failed file's line: the identity it
// carries, and `text` becomes that identity's). False with `why` for text that is not JSON
// or nests deeper than io::k_max_document_depth levels (no Kratos identity does).
bool parse_record(std::string* text, Json* identity, std::string* why);

// --retry-failed: the failures in the state's failed file are sent again. Their lines go to
// `<failed file>.retried` (appended, kept), the records join `state->retry`, the failed count
// drops by as many, the state is saved, then the failed file is emptied. False with `err`;
// `*count`: the records now to be retried.
bool begin_retry(const std::string& state_path, BackfillState* state, long* count,
                 std::string* err);

// Appends lines from several threads. A line that cannot be written is an error the caller
// must not go past: the record's outcome would be lost.
class FailedFile {
 public:
  FailedFile() = default;
  FailedFile(const FailedFile&) = delete;
  FailedFile& operator=(const FailedFile&) = delete;
  ~FailedFile();

  // Opens `path` for appending (creating it); false with `err` naming the path.
  bool open(const std::string& path, std::string* err);

  // The records of the lines past byte `offset`: what run `run` had written when it stopped
  // before saving its state. A last line cut short by a crash is removed (its record was not
  // finished). `*shrunk`: the file is shorter than `offset` (someone truncated it). A line of
  // another run there is an error: its records would be taken for this run's.
  bool records_after(long offset, const std::string& run, std::vector<long>* records, bool* shrunk,
                     std::string* err);

  bool append(const std::string& line, std::string* err);

  // Makes what was appended durable, before a state file moves past it; `*bytes` is the
  // file's size then.
  bool sync(long* bytes, std::string* err);

  const std::string& path() const { return m_path; }
  // Bytes of a line cut short that open() removed from the end (0: none).
  long cut() const { return m_cut; }

 private:
  bool remove_cut_line(std::string* err);

  std::string m_path;
  std::FILE* m_file = nullptr;
  long m_bytes = 0;
  long m_cut = 0;
  std::mutex m_mutex;
};

}  // namespace core
