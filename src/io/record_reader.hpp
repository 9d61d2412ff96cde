#pragma once

#include <cstddef>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>

namespace io {

// Streams records from a file or stdin, one record's text at a time: the elements of a JSON
// array (`[{...}, {...}]`), JSON Lines, or pages as the Ory CLI prints them (`ory list
// identities --format json`: `{"identities": [...], "next_page_token": "..."}`), compact or
// pretty, several in a row (a loop over the pages); arrays may follow each other too.
// Memory stays bounded by the largest record (a page: by the page), never the whole input.
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

  // The next_page_token of the last value read, when it was a page ("" when it had none, or
  // was not a page): at the end of the input, a non-empty one means pages are missing.
  const std::string& last_page_token() const { return m_last_page_token; }

  std::size_t bytes_read() const { return m_consumed; }
  // The input's size when it is a regular file, else 0.
  std::size_t total_bytes() const { return m_total; }

 private:
  bool next_record(std::string* record);
  bool next_array_element(std::string* record);
  // One whole JSON value starting with `first` (structurally: strings and nesting), and
  // whether it had a line break outside its strings.
  // `depth`: the nesting already read into `value` (0 when `first` starts the value).
  bool read_value(int first, std::string* value, bool* multiline, int depth = 0);
  // A page's records go to m_pending; anything else is one record.
  void take(std::string text, bool may_be_page);
  int get();  // next byte or EOF
  bool refill();
  int peek_non_space();

  std::FILE* m_file = nullptr;
  bool m_owns = false;
  // unknown: between top-level values; array: inside one; lines: JSON Lines (the first
  // object was on one line); values: whitespace-separated values (pretty-printed).
  enum class Mode { unknown, array, lines, values, done } m_mode = Mode::unknown;
  std::deque<std::string> m_pending;  // records of a page already read
  std::string m_last_page_token;
  std::size_t m_max;
  std::size_t m_consumed = 0;
  std::size_t m_total = 0;
  std::string m_error;
  std::string m_name;
  std::string m_buffer;
  std::size_t m_pos = 0;
};

}  // namespace io
