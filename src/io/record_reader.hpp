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
  // `path` "-" reads stdin. Throws nothing; check ok().
  explicit RecordReader(const std::string& path,
                        std::size_t max_record_bytes = std::size_t{16} << 20);
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;
  ~RecordReader();

  bool ok() const { return m_error.empty(); }
  const std::string& error() const { return m_error; }

  // The next record's text (not parsed); false at the end or on an error (see error()).
  bool next(std::string* record);

  std::size_t bytes_read() const { return m_consumed; }
  // The input's size when it is a regular file, else 0.
  std::size_t total_bytes() const { return m_total; }

 private:
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
