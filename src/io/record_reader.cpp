#include "io/record_reader.hpp"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace io {

RecordReader::RecordReader(std::size_t max_record_bytes) : m_max(max_record_bytes) {}

bool RecordReader::open(const std::string& path, std::string* err) {
  m_name = path == "-" ? "<stdin>" : path;
  if (path == "-") {
    m_file = stdin;
  } else {
    m_file = std::fopen(path.c_str(), "rb");
    m_owns = true;
    if (!m_file) {
      m_error = path + (errno == ENOENT ? ": no such file"
                                        : ": cannot open: " + std::string(std::strerror(errno)));
    }
  }
  struct stat st {};
  if (m_file && ::fstat(fileno(m_file), &st) == 0) {
    if (S_ISDIR(st.st_mode)) m_error = path + ": is a directory, expected a file";
    if (S_ISREG(st.st_mode)) m_total = static_cast<std::size_t>(st.st_size);
  }
  if (m_error.empty()) return true;
  *err = m_error;
  return false;
}

bool RecordReader::next(std::string* record, std::string* err) {
  if (next_record(record)) return true;
  if (!m_error.empty()) *err = m_error;
  return false;
}

RecordReader::~RecordReader() {
  if (m_owns && m_file) std::fclose(m_file);
}

bool RecordReader::refill() {
  m_buffer.resize(std::size_t{1} << 16);
  const std::size_t n = std::fread(&m_buffer[0], 1, m_buffer.size(), m_file);
  m_buffer.resize(n);
  m_pos = 0;
  return n > 0;
}

int RecordReader::get() {
  if (m_pos >= m_buffer.size() && !refill()) return EOF;
  ++m_consumed;
  return static_cast<unsigned char>(m_buffer[m_pos++]);
}

int RecordReader::peek_non_space() {
  for (;;) {
    const int c = get();
    if (c == EOF || !std::isspace(c)) return c;
  }
}

bool RecordReader::next_record(std::string* record) {
  record->clear();
  if (!m_file || !m_error.empty() || m_mode == Mode::done) return false;
  if (m_mode == Mode::unknown) {
    const int c = peek_non_space();
    if (c == EOF) {
      m_mode = Mode::done;
      return false;
    }
    if (c == '[') {
      m_mode = Mode::array;
    } else {
      m_mode = Mode::lines;
      record->push_back(static_cast<char>(c));
    }
  }
  if (m_mode == Mode::lines) {
    for (;;) {
      const int c = get();
      if (c == EOF || c == '\n') {
        // Skip blank lines; stop at the end.
        bool blank = true;
        for (char ch : *record) blank = blank && std::isspace(static_cast<unsigned char>(ch));
        if (!blank) return true;
        record->clear();
        if (c == EOF) {
          m_mode = Mode::done;
          return false;
        }
        continue;
      }
      if (record->size() >= m_max) {
        m_error = m_name + ": a line is longer than " + std::to_string(m_max) + " bytes";
        return false;
      }
      record->push_back(static_cast<char>(c));
    }
  }
  // Array mode: one element, tracked by depth and string state; then ',' or ']'.
  int c = peek_non_space();
  if (c == ']') {
    m_mode = Mode::done;
    return false;
  }
  if (c == ',') c = peek_non_space();
  if (c == EOF) {
    m_error = m_name + ": the JSON array is not closed (truncated input?)";
    return false;
  }
  int depth = 0;
  bool in_string = false, escaped = false;
  for (;; c = get()) {
    if (c == EOF) {
      m_error = m_name + ": the JSON array ends inside a record (truncated input?)";
      return false;
    }
    if (record->size() >= m_max) {
      m_error = m_name + ": a record is larger than " + std::to_string(m_max) + " bytes";
      return false;
    }
    if (in_string) {
      record->push_back(static_cast<char>(c));
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (depth == 0 && (c == ',' || c == ']')) {
      if (c == ']') m_mode = Mode::done;
      return true;
    }
    record->push_back(static_cast<char>(c));
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') {
      if (--depth == 0) {
        // The element is complete; the separator is read by the next call.
        return true;
      }
    }
  }
}

}  // namespace io
