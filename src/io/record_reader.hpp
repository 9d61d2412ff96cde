#pragma once

#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>

namespace io {

// Streams the records of a JSON array (`[{...}, {...}]`, what `ory list identities
// --format json` prints) or of JSON Lines, from a file or stdin, one record's text at a
// time: memory stays bounded by the largest record, never the whole input.
class RecordReader {
 public:
  explicit RecordReader(std::size_t max_record_bytes = std::size_t{16} << 20);
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;
  ~RecordReader();

  // Opens a file, or stdin for "-"; false with `err` naming the path.
  bool open(const std::string& path, std::string* err);

  // The next record's text (not parsed); false at the end, or on an error with `err` set
  // (a record over the size limit, a truncated array).
  bool next(std::string* record, std::string* err);

  std::size_t bytes_read() const { return m_consumed; }
  // The input's size when it is a regular file, else 0.
  std::size_t total_bytes() const { return m_total; }

 private:
  bool next_record(std::string* record);
  int get();  // next byte or EOF
  bool refill();
  int peek_non_space();

  std::FILE* m_file = nullptr;
  bool m_owns = false;
  enum class Mode { unknown, array, lines, done } m_mode = Mode::unknown;
  std::size_t m_max;
  std::size_t m_consumed = 0;
  std::size_t m_total = 0;
  std::string m_error;
  std::string m_name;
  std::string m_buffer;
  std::size_t m_pos = 0;
};

}  // namespace io
