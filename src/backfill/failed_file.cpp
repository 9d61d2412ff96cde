#include "backfill/failed_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace core {

std::string failed_line(long record, const Json& identity, const std::string& stage,
                        const std::string& reason, const Json& message) {
  Json line = {{"id", identity.is_object() ? identity.value("id", Json()) : Json()},
               {"record", record},
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

FailedFile::~FailedFile() {
  if (m_file) std::fclose(m_file);
}

bool FailedFile::open(const std::string& path, std::string* err) {
  m_file = std::fopen(path.c_str(), "a");
  if (!m_file) {
    *err = path + ": cannot open for appending: " + std::strerror(errno);
    return false;
  }
  m_path = path;
  struct stat st {};
  m_bytes = ::fstat(fileno(m_file), &st) == 0 ? static_cast<long>(st.st_size) : 0;
  return true;
}

bool FailedFile::records_after(long offset, std::vector<long>* records, bool* shrunk,
                               std::string* err) {
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

}  // namespace core
