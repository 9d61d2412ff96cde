#include "backfill/backfill_state.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "io/file_io.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"

namespace core {

using Json = nlohmann::ordered_json;

namespace {

std::string hex64(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

// "fnv1a64:<16 hex digits>", or nullopt (a null, or no such field).
std::optional<std::uint64_t> parse_fingerprint(const Json& j) {
  if (j.is_null()) return std::nullopt;
  const std::string text = j.get<std::string>();
  const std::string prefix = "fnv1a64:";
  if (text.size() != prefix.size() + 16 || text.compare(0, prefix.size(), prefix) != 0 ||
      text.find_first_not_of("0123456789abcdef", prefix.size()) != std::string::npos) {
    throw Json::other_error::create(501, "not a fingerprint", &j);
  }
  return std::stoull(text.substr(prefix.size()), nullptr, 16);
}

Json fingerprint_json(const std::optional<std::uint64_t>& f) {
  return f ? Json("fnv1a64:" + hex64(*f)) : Json();
}

}  // namespace

std::uint64_t fingerprint_step(std::uint64_t fingerprint, const std::string& record) {
  return util::fnv1a64("\n", util::fnv1a64(record, fingerprint));
}

bool BackfillState::finished(long index) const {
  if (index < records_done) return true;
  for (const auto& r : done_after) {
    if (index >= r.begin && index < r.end) return true;
  }
  return false;
}

bool BackfillState::retrying(long index) const {
  return std::binary_search(retry.begin(), retry.end(), index);
}

long BackfillState::finished_after() const {
  long n = 0;
  for (const auto& r : done_after) n += r.end - r.begin;
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
    *err = path + ": not a backfill state file (delete it, or pass --restart, to start over)";
    return false;
  };
  const Json j = Json::parse(text, nullptr, false);
  if (!j.is_object()) return not_a_state();
  try {
    BackfillState state;
    const int version = j.value("version", 1);
    if (version != 1 && version != 2) return not_a_state();
    state.records_done = j.at("records_done").get<long>();
    state.template_digest = j.at("template_sha256").get<std::string>();
    state.destination = j.value("destination", std::string());
    state.run = j.value("run", std::string());
    if (version >= 2) state.fingerprint = parse_fingerprint(j.value("input_fingerprint", Json()));
    long last_end = state.records_done;
    for (const auto& r : j.value("done_after", Json::array())) {
      FinishedRange range{r.at(0).get<long>(), r.at(1).get<long>(), std::nullopt};
      if (r.size() > 2) range.fingerprint = parse_fingerprint(r.at(2));
      // In order, past the prefix, not empty, not overlapping.
      if (range.begin < last_end || range.end <= range.begin) return not_a_state();
      last_end = range.end;
      state.done_after.push_back(range);
    }
    if (state.records_done < 0) return not_a_state();
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
    state.counts = {j.value("sent", 0L), j.value("failed", 0L), j.value("skipped", 0L)};
    state.failed_file = j.value("failed_file", std::string());
    state.failed_file_bytes = j.value("failed_file_bytes", 0L);
    for (const auto& index : j.value("retry", Json::array())) {
      if (!state.finished(index.get<long>())) return not_a_state();
      state.retry.push_back(index.get<long>());
    }
    std::sort(state.retry.begin(), state.retry.end());
    *out = std::move(state);
    return true;
  } catch (const Json::exception&) {
    return not_a_state();
  } catch (const std::exception&) {  // stoull out of range
    return not_a_state();
  }
}

bool save_backfill_state(const std::string& path, const BackfillState& state, std::string* err) {
  Json ranges = Json::array();
  for (const auto& r : state.done_after) {
    Json range = {r.begin, r.end};
    if (r.fingerprint) range.push_back(fingerprint_json(r.fingerprint));
    ranges.push_back(range);
  }
  Json j = {{"version", 2},
            {"input", state.input},
            {"template_sha256", state.template_digest},
            {"records_done", state.records_done}};
  if (!state.destination.empty()) j["destination"] = state.destination;
  if (!state.run.empty()) j["run"] = state.run;
  if (state.fingerprint) j["input_fingerprint"] = fingerprint_json(state.fingerprint);
  j["done_after"] = ranges;
  if (state.page) {
    j["page"] = {{"query", state.page->query},
                 {"start", state.page->start},
                 {"skip", state.page->skip},
                 {"last_done_id", state.page->last_done_id}};
  }
  j["sent"] = state.counts.sent;
  j["failed"] = state.counts.failed;
  j["skipped"] = state.counts.skipped;
  if (!state.failed_file.empty()) {
    j["failed_file"] = state.failed_file;
    j["failed_file_bytes"] = state.failed_file_bytes;
  }
  if (!state.retry.empty()) j["retry"] = state.retry;
  return io::replace_file_atomically(path, j.dump(2) + "\n", {}, nullptr, err);
}

StateLock::~StateLock() {
  if (m_fd >= 0) ::close(m_fd);
}

bool StateLock::acquire(const std::string& state_path, std::string* err) {
  const std::string path = state_path + ".lock";
  m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (m_fd < 0) {
    *err = "cannot save the state: " + path + ": " + std::strerror(errno) + "; nothing was sent";
    return false;
  }
  if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
    char pid[32] = {0};
    const ssize_t n = ::pread(m_fd, pid, sizeof pid - 1, 0);
    const std::string holder(pid, n > 0 ? static_cast<std::size_t>(n) : 0);
    *err = "another backfill" +
           (holder.empty() ? "" : " (pid " + std::string(util::trim(holder)) + ")") +
           " is running on " + state_path +
           ": two runs on one state would send everything twice; wait for it, or stop it";
    ::close(m_fd);
    m_fd = -1;
    return false;
  }
  // The pid only names the holder in another run's message: the lock holds without it.
  const std::string pid = std::to_string(::getpid()) + "\n";
  const bool named = ::ftruncate(m_fd, 0) == 0 &&
                     ::pwrite(m_fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
  static_cast<void>(named);
  return true;
}

FinishedRecords::FinishedRecords(const BackfillState& resume)
    : m_watermark(resume.records_done),
      m_start_fingerprint(resume.fingerprint),
      m_start(resume.records_done),
      m_pending(resume.done_after),
      m_hash_base(resume.records_done) {
  m_retry.insert(resume.retry.begin(), resume.retry.end());
}

void FinishedRecords::read(long index, std::uint64_t fingerprint) {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (index != m_hash_base + static_cast<long>(m_hashes.size())) return;
  m_hashes.push_back(fingerprint);
}

void FinishedRecords::done(long index) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_retry.erase(index);
  mark_done(index);
}

void FinishedRecords::mark_done(long index) {
  if (index < m_watermark) return;
  const auto offset = static_cast<std::size_t>(index - m_watermark);
  if (m_done.size() <= offset) m_done.resize(offset + 1, false);
  m_done[offset] = true;
  while (!m_done.empty() && m_done.front()) {
    m_done.pop_front();
    ++m_watermark;
  }
}

void FinishedRecords::confirm(const FinishedRange& range) {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    const auto it = std::find(m_pending.begin(), m_pending.end(), range);
    if (it == m_pending.end()) return;
    m_pending.erase(it);
  }
  std::lock_guard<std::mutex> lock(m_mutex);
  for (long i = range.begin; i < range.end; ++i) mark_done(i);
}

std::optional<std::uint64_t> FinishedRecords::fingerprint_at(long index) const {
  if (index == m_start - 1) return m_start_fingerprint;
  if (index >= m_hash_base && index < m_hash_base + static_cast<long>(m_hashes.size())) {
    return m_hashes[static_cast<std::size_t>(index - m_hash_base)];
  }
  return std::nullopt;
}

BackfillState FinishedRecords::snapshot() {
  std::lock_guard<std::mutex> lock(m_mutex);
  BackfillState state;
  state.records_done = m_watermark;
  state.fingerprint = m_watermark > 0 ? fingerprint_at(m_watermark - 1) : std::nullopt;
  std::vector<FinishedRange> ranges = m_pending;
  for (std::size_t i = 0; i < m_done.size(); ++i) {
    if (!m_done[i]) continue;
    const long at = m_watermark + static_cast<long>(i);
    if (i > 0 && m_done[i - 1]) {
      ++ranges.back().end;
    } else {
      ranges.push_back(FinishedRange{at, at + 1, std::nullopt});
    }
    ranges.back().fingerprint = fingerprint_at(ranges.back().end - 1);
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const FinishedRange& a, const FinishedRange& b) { return a.begin < b.begin; });
  state.done_after = std::move(ranges);
  state.retry.assign(m_retry.begin(), m_retry.end());
  while (m_hash_base < m_watermark - 1 && !m_hashes.empty()) {
    m_hashes.pop_front();
    ++m_hash_base;
  }
  return state;
}

std::string resume_problem(const BackfillState& state, const std::string& path,
                           const std::string& template_digest, const std::string& destination,
                           const std::string& input, bool paged) {
  if (state.template_digest != template_digest) {
    return path +
           " was written for another template (messageIds would differ); pass --restart to "
           "start over";
  }
  // An earlier version wrote none: its messageIds did not depend on the destination.
  if (!state.destination.empty() && state.destination != destination) {
    return path +
           " was written for another destination (another write key, URL or "
           "--message-id-salt, so other messageIds): give the same ones, or another --state";
  }
  if ((paged || state.page) && state.input != input) {
    return path + " was written reading " +
           (state.input.empty() ? std::string("another input") : state.input) + ", not " + input +
           "; give that input, or another --state";
  }
  const bool unchecked_range =
      std::any_of(state.done_after.begin(), state.done_after.end(),
                  [](const FinishedRange& r) { return !r.fingerprint.has_value(); });
  if (!state.page && ((state.records_done > 0 && !state.fingerprint) || unchecked_range)) {
    return path +
           " does not identify its input (an earlier version wrote it), so it cannot be "
           "checked against this one; pass --restart to start over (messageIds are the same, "
           "so Segment drops what it already has)";
  }
  return "";
}

std::string failed_file_problem(const BackfillState& state, const std::string& path,
                                const std::string& failed) {
  if (state.failed_file.empty() || failed.empty() || state.failed_file == failed ||
      io::same_file(state.failed_file, failed)) {
    return "";
  }
  return path + " was written with its failures in " + state.failed_file + ", not " + failed +
         ": give --failed " + state.failed_file +
         " (the earlier runs' failures are there, and a resume recovers the last run's from "
         "it), or another --state";
}

}  // namespace core
