#include "backfill/failed_file.hpp"

#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "io/document.hpp"
#include "io/json_scan.hpp"

namespace core {

std::string failed_line(long record, const std::string& run, const Json& identity,
                        const std::string& stage, const std::string& reason, const Json& message) {
  Json line = {{"id", identity.is_object() ? identity.value("id", Json()) : Json()},
               {"record", record},
               {"run", run},
               {"stage", stage},
               {"reason", reason}};
  if (!message.is_null()) line["message"] = message;
  if (!identity.is_null()) line["identity"] = identity;
  return line.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

bool unwrap_failed_line(Json* record) {
  if (!record->is_object() || !record->contains("stage") || !record->contains("identity")) {
    return false;
  }
  Json identity = std::move((*record)["identity"]);
  *record = std::move(identity);
  return true;
}

bool parse_record(std::string* text, Json* identity, std::string* why) {
  if (io::json_depth(*text, io::k_max_document_depth) > io::k_max_document_depth) {
    *why = "nests deeper than " + std::to_string(io::k_max_document_depth) +
           " levels (a Kratos identity does not); not read";
    return false;
  }
  if (!io::parse_json_text(*text, "", identity, why)) return false;  // never quotes the record
  if (unwrap_failed_line(identity)) *text = identity->dump();
  return true;
}

FailedFile::~FailedFile() {
  if (m_file) std::fclose(m_file);
}

bool FailedFile::open(const std::string& path, std::string* err) {
  m_file = std::fopen(path.c_str(), "a+");  // read too: a cut last line is looked for
  if (!m_file) {
    *err = path + ": cannot open for appending: " + std::strerror(errno);
    return false;
  }
  m_path = path;
  struct stat st {};
  const bool regular = ::fstat(fileno(m_file), &st) == 0 && S_ISREG(st.st_mode);
  m_bytes = regular ? static_cast<long>(st.st_size) : 0;
  // One run writes a failed file at a time: another's lines would be read back as this one's.
  if (regular && ::flock(fileno(m_file), LOCK_EX | LOCK_NB) != 0) {
    *err = path +
           ": another backfill is writing its failures there; give this one another "
           "--failed FILE";
    return false;
  }
  return !regular || remove_cut_line(err);
}

bool FailedFile::remove_cut_line(std::string* err) {
  // A run that died while writing a line (before any state recorded the file's size) left it
  // cut short: the next line would be glued to it. Its record was never finished.
  const int fd = fileno(m_file);
  long end = m_bytes;
  char c = '\n';
  while (end > 0 && ::pread(fd, &c, 1, end - 1) == 1 && c != '\n') --end;
  if (end == m_bytes) return true;
  if (::ftruncate(fd, end) != 0) {
    *err = m_path + ": cannot remove a line cut short at its end: " + std::strerror(errno);
    return false;
  }
  m_cut = m_bytes - end;
  m_bytes = end;
  return true;
}

bool FailedFile::records_after(long offset, const std::string& run, std::vector<long>* records,
                               bool* shrunk, std::string* err) {
  std::lock_guard<std::mutex> lock(m_mutex);
  *shrunk = m_bytes < offset;
  if (*shrunk || m_bytes == offset) return true;
  std::FILE* in = std::fopen(m_path.c_str(), "r");
  if (!in || std::fseek(in, offset, SEEK_SET) != 0) {
    *err = m_path + ": cannot read: " + std::strerror(errno);
    if (in) std::fclose(in);
    return false;
  }
  std::string tail;
  char buf[65536];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, in)) > 0;) tail.append(buf, n);
  std::fclose(in);
  const std::size_t complete = tail.rfind('\n') == std::string::npos ? 0 : tail.rfind('\n') + 1;
  if (complete < tail.size()) {
    const long keep = offset + static_cast<long>(complete);
    if (::ftruncate(fileno(m_file), keep) != 0) {
      *err = m_path + ": cannot remove a line cut short: " + std::strerror(errno);
      return false;
    }
    m_bytes = keep;
  }
  std::size_t at = 0;
  while (at < complete) {
    const std::size_t end = tail.find('\n', at);
    const Json line = Json::parse(tail.substr(at, end - at), nullptr, false);
    at = end + 1;
    const auto record = line.is_object() ? line.find("record") : line.end();
    const auto writer = line.is_object() ? line.find("run") : line.end();
    if (writer != line.end() && writer->is_string() && *writer != run) {
      *err = m_path + " holds failures of another run (" + writer->get<std::string>() +
             ", after byte " + std::to_string(offset) + ") where this state's run (" + run +
             ") left off: they cannot be told from its own. Give each run its own --failed "
             "file: move those lines elsewhere, or start again with --restart";
      return false;
    }
    if (line.is_object() && record != line.end() && record->is_number_integer()) {
      records->push_back(record->get<long>());
    }
  }
  return true;
}

bool FailedFile::append(const std::string& line, std::string* err) {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (std::fwrite(line.data(), 1, line.size(), m_file) != line.size() || std::fflush(m_file) != 0) {
    *err = m_path + ": cannot write a failure: " + std::strerror(errno);
    std::clearerr(m_file);
    return false;
  }
  m_bytes += static_cast<long>(line.size());
  return true;
}

bool FailedFile::sync(long* bytes, std::string* err) {
  std::lock_guard<std::mutex> lock(m_mutex);
  // fsync's EINVAL: a device or a pipe (--failed /dev/null), which has nothing to sync.
  if (std::fflush(m_file) != 0 || (::fsync(fileno(m_file)) != 0 && errno != EINVAL)) {
    *err = m_path + ": cannot make the failures durable: " + std::strerror(errno);
    return false;
  }
  *bytes = m_bytes;
  return true;
}

namespace {

// Appends the whole lines of `path` to `to` (made durable), and the finished records they
// name that are not being retried already.
bool move_aside(const std::string& path, const std::string& to, const BackfillState& state,
                std::vector<long>* records, std::string* err) {
  std::FILE* in = std::fopen(path.c_str(), "rb");
  if (!in) return true;  // no failures were written
  std::FILE* out = std::fopen(to.c_str(), "ab");
  if (!out) {
    *err = to + ": cannot open for appending: " + std::strerror(errno);
    std::fclose(in);
    return false;
  }
  std::string line;
  bool ok = true;
  for (int c; ok && (c = std::fgetc(in)) != EOF;) {
    line.push_back(static_cast<char>(c));
    if (c != '\n')
      continue;  // a line cut short by a crash is left out: its record was not finished
    ok = std::fwrite(line.data(), 1, line.size(), out) == line.size();
    const Json j = Json::parse(line, nullptr, false);
    const auto record = j.is_object() ? j.find("record") : j.end();
    if (record != j.end() && record->is_number_integer()) {
      const long index = record->get<long>();
      if (state.finished(index) && !state.retrying(index)) records->push_back(index);
    }
    line.clear();
  }
  std::fclose(in);
  ok = ok && std::fflush(out) == 0 && (::fsync(fileno(out)) == 0 || errno == EINVAL);
  if (std::fclose(out) != 0) ok = false;
  if (!ok) *err = to + ": cannot write: " + std::strerror(errno);
  return ok;
}

}  // namespace

bool begin_retry(const std::string& state_path, BackfillState* state, long* count,
                 std::string* err) {
  *count = 0;
  const std::string& path = state->failed_file;
  if (path.empty()) return true;
  std::vector<long> records;
  if (!move_aside(path, path + ".retried", *state, &records, err)) return false;
  std::sort(records.begin(), records.end());
  records.erase(std::unique(records.begin(), records.end()), records.end());
  state->retry.insert(state->retry.end(), records.begin(), records.end());
  std::sort(state->retry.begin(), state->retry.end());
  state->counts.failed = std::max(0L, state->counts.failed - static_cast<long>(records.size()));
  state->failed_file_bytes = 0;
  if (!save_backfill_state(state_path, *state, err)) return false;
  if (::truncate(path.c_str(), 0) != 0 && errno != ENOENT) {
    *err = path + ": cannot empty it for the retry: " + std::strerror(errno);
    return false;
  }
  *count = static_cast<long>(records.size());
  return true;
}

}  // namespace core
