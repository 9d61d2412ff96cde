#include "segment/message_history.hpp"

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "util/time_format.hpp"

namespace core {

bool MessageIdHistory::duplicate(const std::string& message_id, std::int64_t now) {
  if (message_id.empty()) return false;
  const auto it = m_seen.find(message_id);
  if (it != m_seen.end() && now - it->second < k_window_seconds) return true;
  m_seen[message_id] = now;
  return false;
}

std::size_t MessageIdHistory::load_jsonl(const std::string& path, std::int64_t now) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return m_seen.size();  // /dev/...
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || j.value("verdict", "") != "accepted") continue;
    const auto at = util::parse_rfc3339(j.value("receivedAt", ""));
    const auto message = j.find("message");
    if (!at || message == j.end() || !message->is_object()) continue;
    const auto id = message->find("messageId");
    if (id == message->end() || !id->is_string() || now - at->seconds >= k_window_seconds) continue;
    m_seen[id->get<std::string>()] = at->seconds;
  }
  return m_seen.size();
}

bool drop_duplicates(MessageIdHistory* history, std::vector<ReceivedMessage>* messages,
                     std::int64_t now) {
  bool any = false;
  for (auto& m : *messages) {
    const auto id = m.message.is_object() ? m.message.find("messageId") : m.message.end();
    if (m.dropped || id == m.message.end() || !id->is_string()) continue;
    if (!history->duplicate(id->get<std::string>(), now)) continue;
    m.dropped = m.duplicate = any = true;
    m.reason = "duplicate messageId: Segment keeps the first message with it in about 24 hours";
  }
  return any;
}

std::int64_t unix_seconds_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace core
