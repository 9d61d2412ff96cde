#include "core/backfill_state.hpp"

#include <nlohmann/json.hpp>

#include "io/file_io.hpp"

namespace core {

using Json = nlohmann::ordered_json;

bool BackfillState::finished(long index) const {
  if (index < records_done) return true;
  for (const auto& [begin, end] : done_after) {
    if (index >= begin && index < end) return true;
  }
  return false;
}

long BackfillState::finished_after() const {
  long n = 0;
  for (const auto& [begin, end] : done_after) n += end - begin;
  return n;
}

bool load_backfill_state(const std::string& path, BackfillState* out, bool* found,
                         std::string* err) {
  *found = false;
  if (!io::path_exists(path)) return true;
  std::string text;
  if (!io::read_input(path, &text, err)) return false;
  *found = true;
  const auto not_a_state = [&] {
    *err = path + ": not a backfill state file (delete it to start over)";
    return false;
  };
  const Json j = Json::parse(text, nullptr, false);
  if (!j.is_object()) return not_a_state();
  try {
    BackfillState state;
    state.records_done = j.at("records_done").get<long>();
    state.template_digest = j.at("template_sha256").get<std::string>();
    for (const auto& r : j.value("done_after", Json::array())) {
      state.done_after.emplace_back(r.at(0).get<long>(), r.at(1).get<long>());
    }
    if (const auto in = j.find("input"); in != j.end() && in->is_string()) {
      state.input = in->get<std::string>();
    }
    if (const auto p = j.find("page"); p != j.end() && !p->is_null()) {
      PagePosition page;
      page.query = p->at("query").get<std::string>();
      page.start = p->at("start").get<long>();
      page.skip = p->at("skip").get<long>();
      page.last_done_id = p->at("last_done_id").get<std::string>();
      if (page.start < 0 || page.skip < 0 || page.start + page.skip != state.records_done) {
        return not_a_state();
      }
      state.page = std::move(page);
    }
    *out = std::move(state);
    return true;
  } catch (const Json::exception&) {
    return not_a_state();
  }
}

bool save_backfill_state(const std::string& path, const std::string& input,
                         const BackfillState& state, const BackfillCounts& counts,
                         std::string* err) {
  Json ranges = Json::array();
  for (const auto& [begin, end] : state.done_after) ranges.push_back({begin, end});
  Json j = {{"version", 1},
            {"input", input},
            {"template_sha256", state.template_digest},
            {"records_done", state.records_done},
            {"done_after", ranges},
            {"sent", counts.sent},
            {"failed", counts.failed},
            {"skipped", counts.skipped}};
  if (state.page) {
    j["page"] = {{"query", state.page->query},
                 {"start", state.page->start},
                 {"skip", state.page->skip},
                 {"last_done_id", state.page->last_done_id}};
  }
  return io::replace_file_atomically(path, j.dump(2) + "\n", "", err);
}

void FinishedRecords::done(long index) {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (index < m_watermark) return;
  const auto offset = static_cast<std::size_t>(index - m_watermark);
  if (m_done.size() <= offset) m_done.resize(offset + 1, false);
  m_done[offset] = true;
  while (!m_done.empty() && m_done.front()) {
    m_done.pop_front();
    ++m_watermark;
  }
}

BackfillState FinishedRecords::snapshot(const std::string& template_digest) {
  std::lock_guard<std::mutex> lock(m_mutex);
  BackfillState state;
  state.template_digest = template_digest;
  state.records_done = m_watermark;
  for (std::size_t i = 0; i < m_done.size(); ++i) {
    if (!m_done[i]) continue;
    const long at = m_watermark + static_cast<long>(i);
    if (!state.done_after.empty() && state.done_after.back().second == at) {
      ++state.done_after.back().second;
    } else {
      state.done_after.emplace_back(at, at + 1);
    }
  }
  return state;
}

}  // namespace core
