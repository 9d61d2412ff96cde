#include "io/record_reader.hpp"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "io/document.hpp"
#include "io/file_io.hpp"
#include "io/json_scan.hpp"
#include "util/text.hpp"

namespace io {

RecordReader::RecordReader(std::size_t max_record_bytes) : m_max(max_record_bytes) {}

bool RecordReader::open(const std::string& path, std::string* err) {
  m_name = path == "-" ? "<stdin>" : path;
  if (path == "-") {
    if (stdin_closed()) {
      *err = "standard input is closed; give a FILE or pipe the identities in";
      return false;
    }
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

void RecordReader::take(std::string text, bool may_be_page) {
  // A page is an object whose members include "identities": [...]. Taken apart as text, never
  // parsed whole: a record nested too deep is refused alone, and memory stays near the page's.
  std::vector<std::string> records;
  std::string not_array;
  const auto list = may_be_page && text.find("\"identities\"") != std::string::npos
                        ? json_member(text, "identities")
                        : std::nullopt;
  if (list && split_json_array(*list, &records, &not_array)) {
    m_last_page_token.clear();
    if (const auto token = json_member(text, "next_page_token")) {
      const Json value = Json::parse(*token, nullptr, false);
      if (value.is_string()) m_last_page_token = value.get<std::string>();
    }
    for (std::string& record : records) {
      compact_json(&record);
      m_pending.push_back(std::move(record));
    }
    return;
  }
  m_last_page_token.clear();
  m_pending.push_back(std::move(text));
}

bool RecordReader::read_value(int c, std::string* value, bool* multiline, int depth) {
  JsonStrings strings;
  *multiline = false;
  for (;; c = get()) {
    if (c == EOF) {
      if (depth == 0 && !strings.in_string && !value->empty()) return true;
      m_error = m_name + ": the input ends inside a JSON value (truncated input?)";
      return false;
    }
    if (value->size() >= m_max) {
      m_error = m_name + ": a record or page is larger than " + std::to_string(m_max) + " bytes";
      return false;
    }
    value->push_back(static_cast<char>(c));
    if (strings.inside(c)) {
      if (!strings.in_string && depth == 0) return true;  // a bare string at top level
      continue;
    }
    if (c == '\n') *multiline = true;
    if (c == '{' || c == '[') ++depth;
    if ((c == '}' || c == ']') && --depth <= 0) return true;
    if (depth == 0 && c != '"') {
      // A bare scalar at top level: up to the next white space.
      for (int d = get(); d != EOF && !std::isspace(d); d = get())
        value->push_back(static_cast<char>(d));
      return true;
    }
  }
}

bool RecordReader::next_record(std::string* record) {
  record->clear();
  for (;;) {
    if (!m_pending.empty()) {
      *record = std::move(m_pending.front());
      m_pending.pop_front();
      return true;
    }
    if (!m_file || !m_error.empty() || m_mode == Mode::done) return false;
    if (m_mode == Mode::array) {
      if (next_array_element(record)) return true;
      if (!m_error.empty()) return false;
      m_mode = Mode::unknown;  // the array closed: another top-level value may follow
      continue;
    }
    if (m_mode == Mode::lines) {
      std::string line;
      int c = get();
      for (; c != EOF && c != '\n'; c = get()) {
        if (line.size() >= m_max) {
          m_error = m_name + ": a line is longer than " + std::to_string(m_max) + " bytes";
          return false;
        }
        line.push_back(static_cast<char>(c));
      }
      const std::string_view trimmed = util::trim(line);
      if (trimmed == "{" && c != EOF) {
        // A pretty-printed value starts here (a json-pretty page among compact ones).
        std::string value(line);
        value.push_back('\n');
        bool multiline = false;
        if (!read_value(get(), &value, &multiline, 1)) return false;
        take(std::move(value), true);
        continue;
      }
      if (!trimmed.empty()) take(std::move(line), true);
      if (c == EOF) m_mode = Mode::done;
      continue;
    }
    const int c = peek_non_space();
    if (c == EOF) {
      m_mode = Mode::done;
      continue;
    }
    if (c == '[') {
      m_mode = Mode::array;
      continue;
    }
    std::string value;
    bool multiline = false;
    if (m_mode == Mode::unknown && c == '{') {
      // The first object decides: on one line, the input is JSON Lines (a broken line
      // spoils only itself); across lines, a stream of pretty-printed values.
      if (!read_value(c, &value, &multiline)) return false;
      m_mode = multiline ? Mode::values : Mode::lines;
      if (!multiline) {
        // The rest of its line belongs to it, as for every later line.
        for (int d = get(); d != EOF && d != '\n'; d = get()) value.push_back(static_cast<char>(d));
      }
      take(std::move(value), true);
      continue;
    }
    if (m_mode == Mode::unknown) {
      // Not an object or array: one line, as JSON Lines would have it.
      m_mode = Mode::lines;
      std::string line(1, static_cast<char>(c));
      for (int d = get(); d != EOF && d != '\n'; d = get()) line.push_back(static_cast<char>(d));
      take(std::move(line), false);
      continue;
    }
    if (!read_value(c, &value, &multiline)) return false;
    take(std::move(value), true);
  }
}

bool RecordReader::next_array_element(std::string* record) {
  // One element, tracked by depth and string state; then ',' or ']'.
  int c = peek_non_space();
  if (c == ']') return false;
  if (c == ',') c = peek_non_space();
  if (c == EOF) {
    m_error = m_name + ": the JSON array is not closed (truncated input?)";
    return false;
  }
  int depth = 0;
  JsonStrings strings;
  for (;; c = get()) {
    if (c == EOF) {
      m_error = m_name + ": the JSON array ends inside a record (truncated input?)";
      return false;
    }
    if (record->size() >= m_max) {
      m_error = m_name + ": a record is larger than " + std::to_string(m_max) + " bytes";
      return false;
    }
    if (strings.inside(c)) {
      record->push_back(static_cast<char>(c));
      continue;
    }
    if (depth == 0 && (c == ',' || c == ']')) {
      if (c == ']') {
        // Put the ']' back: the next call ends the array.
        --m_pos;
        --m_consumed;
      }
      return true;
    }
    record->push_back(static_cast<char>(c));
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') {
      if (--depth == 0) return true;  // complete; the separator is read by the next call
    }
  }
}

}  // namespace io
