#pragma once

#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace core {

using Json = nlohmann::ordered_json;

// Backfill's failed file: JSON Lines, one per record that could not be sent, each with
// the reason and the identity as read, so the file is itself valid backfill input.

// One line (with its newline): {"id", "record", "stage", "reason", ["message"],
// ["identity"]}. Bytes that are not UTF-8 are replaced, never lost as a whole line.
std::string failed_line(long record, const Json& identity, const std::string& stage,
                        const std::string& reason, const Json& message = nullptr);

// A record read as backfill input: a line of a failed file stands for the identity it
// carries. True when `record` was such a line and is now that identity.
bool unwrap_failed_line(Json* record);

// Appends lines from several threads.
class FailedFile {
 public:
  FailedFile() = default;
  FailedFile(const FailedFile&) = delete;
  FailedFile& operator=(const FailedFile&) = delete;
  ~FailedFile();

  // Opens `path` for appending (creating it); false with `err` naming the path.
  bool open(const std::string& path, std::string* err);

  void append(const std::string& line);

  // Makes what was appended durable, before a state file moves past it.
  void sync();

  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
  std::FILE* m_file = nullptr;
  std::mutex m_mutex;
};

}  // namespace core
