#include "core/failed_file.hpp"

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
  return true;
}

void FailedFile::append(const std::string& line) {
  std::lock_guard<std::mutex> lock(m_mutex);
  std::fwrite(line.data(), 1, line.size(), m_file);
  std::fflush(m_file);
}

void FailedFile::sync() {
  std::lock_guard<std::mutex> lock(m_mutex);
  std::fflush(m_file);
  ::fsync(fileno(m_file));
}

}  // namespace core
