// ory-segment backfill: existing identities through the same transform to Segment's batch
// API, fast, resumable, losing nothing.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "cli/common.hpp"
#include "cli/diagnostics.hpp"
#include "cli/verbs.hpp"
#include "core/ctx_usage.hpp"
#include "core/kratos_context.hpp"
#include "core/segment_batch.hpp"
#include "core/transform_pool.hpp"
#include "core/webhook_action.hpp"
#include "io/file_io.hpp"
#include "io/process.hpp"
#include "io/record_reader.hpp"
#include "util/base64.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"
#include "util/url.hpp"

namespace cli {
namespace {

using Clock = std::chrono::steady_clock;

struct BackfillOptions {
  std::string jsonnet;
  std::string action;
  WriteKeyOptions key;
  SegmentTargetOptions target;
  std::string identities;
  std::string hook = "registration.after.password";
  std::string state;
  std::string failed = "backfill-failed.jsonl";
  int concurrency = 4;
  double rate = 500;
  std::string timestamp_from = "created_at";
  bool dry_run = false;
  std::string progress = "auto";
  int chunk = 1000;
  int evaluators = 0;
  int max_retries = 10;
  bool allow_insecure_url = false;
};

// A bounded queue that producers block on and consumers drain after close().
template <typename T>
class Channel {
 public:
  explicit Channel(std::size_t capacity) : m_capacity(capacity) {}
  bool push(T item) {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_not_full.wait(lock, [&] { return m_items.size() < m_capacity || m_closed; });
    if (m_closed) return false;
    m_items.push_back(std::move(item));
    m_not_empty.notify_one();
    return true;
  }
  std::optional<T> pop() {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_not_empty.wait(lock, [&] { return !m_items.empty() || m_closed; });
    if (m_items.empty()) return std::nullopt;
    T item = std::move(m_items.front());
    m_items.pop_front();
    m_not_full.notify_one();
    return item;
  }
  void close() {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_closed = true;
    m_not_empty.notify_all();
    m_not_full.notify_all();
  }

 private:
  std::size_t m_capacity;
  std::deque<T> m_items;
  bool m_closed = false;
  std::mutex m_mutex;
  std::condition_variable m_not_empty, m_not_full;
};

// A token bucket shared by the senders: at most `rate` requests per second.
class RateLimiter {
 public:
  explicit RateLimiter(double rate) : m_interval(rate > 0 ? 1.0 / rate : 0), m_next(Clock::now()) {}
  void acquire(const std::atomic<bool>& stop) {
    Clock::time_point slot;
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      const auto now = Clock::now();
      if (m_next < now) m_next = now;
      slot = m_next;
      m_next +=
          std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(m_interval));
    }
    while (Clock::now() < slot && !stop.load()) {
      std::this_thread::sleep_for(
          std::min<Clock::duration>(slot - Clock::now(), std::chrono::milliseconds(50)));
    }
  }

 private:
  double m_interval;
  Clock::time_point m_next;
  std::mutex m_mutex;
};

struct Record {
  long index = 0;
  core::Json identity;  // as read (credentials included, for the failed file)
  std::string text;     // the identity's JSON text, for batches (and their failures)
};

struct Stats {
  std::atomic<long> read{0}, sent{0}, skipped{0}, failed{0}, retries{0}, requests{0};
  std::atomic<long> unreachable_batches{0};
};

// Which records are finished (sent, failed into the failed file, or skipped), and the
// prefix of the input that is: what the state file records.
class Progress {
 public:
  explicit Progress(long start) : m_watermark(start) {}
  void done(long index) {
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
  long watermark() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_watermark;
  }
  // Finished records past the watermark, as [begin, end) ranges: with them a resumed run
  // sends again only what was in flight, not everything after the first gap.
  std::vector<std::pair<long, long>> done_ranges(long* watermark) {
    std::lock_guard<std::mutex> lock(m_mutex);
    *watermark = m_watermark;
    std::vector<std::pair<long, long>> ranges;
    for (std::size_t i = 0; i < m_done.size(); ++i) {
      if (!m_done[i]) continue;
      const long at = m_watermark + static_cast<long>(i);
      if (!ranges.empty() && ranges.back().second == at) {
        ++ranges.back().second;
      } else {
        ranges.emplace_back(at, at + 1);
      }
    }
    return ranges;
  }

 private:
  std::mutex m_mutex;
  long m_watermark;
  std::deque<bool> m_done;
};

// The failed file: JSON Lines that are themselves valid backfill input.
class FailedFile {
 public:
  explicit FailedFile(const std::string& path) : m_path(path) {
    m_file = std::fopen(path.c_str(), "a");
    if (!m_file) throw bad_input(path + ": cannot open for appending");
  }
  ~FailedFile() {
    if (m_file) std::fclose(m_file);
  }
  void write(const Record& r, const std::string& stage, const std::string& reason,
             const core::Json& message = nullptr) {
    core::Json line = {
        {"id", r.identity.is_object() ? r.identity.value("id", core::Json()) : core::Json()},
        {"record", r.index},
        {"stage", stage},
        {"reason", reason}};
    if (!message.is_null()) line["message"] = message;
    if (!r.identity.is_null()) line["identity"] = r.identity;
    const std::string text = line.dump(-1, ' ', false, core::Json::error_handler_t::replace) + "\n";
    std::lock_guard<std::mutex> lock(m_mutex);
    std::fwrite(text.data(), 1, text.size(), m_file);
    std::fflush(m_file);
  }
  // Makes what was written durable before the state file moves past it.
  void sync() {
    std::lock_guard<std::mutex> lock(m_mutex);
    std::fflush(m_file);
    ::fsync(fileno(m_file));
  }

 private:
  std::string m_path;
  std::FILE* m_file = nullptr;
  std::mutex m_mutex;
};

struct State {
  long records_done = 0;
  std::vector<std::pair<long, long>> done_after;  // finished [begin, end) past records_done
  std::string template_digest;

  bool finished(long index) const {
    if (index < records_done) return true;
    for (const auto& [begin, end] : done_after) {
      if (index >= begin && index < end) return true;
    }
    return false;
  }
};

std::optional<State> load_state(const std::string& path) {
  std::string text, err;
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return std::nullopt;
  if (!io::read_input(path, &text, &err)) throw bad_input(err);
  try {
    const auto j = core::Json::parse(text);
    State state;
    state.records_done = j.at("records_done").get<long>();
    state.template_digest = j.at("template_sha256").get<std::string>();
    for (const auto& r : j.value("done_after", core::Json::array())) {
      state.done_after.emplace_back(r.at(0).get<long>(), r.at(1).get<long>());
    }
    return state;
  } catch (const core::Json::exception&) {
    throw bad_input(path + ": not a backfill state file (delete it to start over)");
  }
}

void save_state(const std::string& path, const std::string& input, long done,
                const std::vector<std::pair<long, long>>& done_after, const std::string& digest,
                const Stats& stats) {
  core::Json ranges = core::Json::array();
  for (const auto& [begin, end] : done_after) ranges.push_back({begin, end});
  const core::Json j = {{"version", 1},
                        {"input", input},
                        {"template_sha256", digest},
                        {"records_done", done},
                        {"done_after", ranges},
                        {"sent", stats.sent.load()},
                        {"failed", stats.failed.load()},
                        {"skipped", stats.skipped.load()}};
  std::string err;
  if (!io::replace_file_atomically(path, j.dump(2) + "\n", "", &err))
    warning("cannot save the state: " + err);
}

std::atomic<bool> g_stop{false};
extern "C" void on_interrupt(int) { g_stop.store(true); }

// The batch endpoint a --url, --region or action URL maps to.
std::string batch_url(const std::string& url) {
  std::string why;
  const auto u = util::parse_url(url, &why);
  if (!u) throw bad_input("url '" + url + "' " + why);
  const std::string host = u->host.find(':') != std::string::npos ? "[" + u->host + "]" : u->host;
  return u->scheme + "://" + host + (u->port.empty() ? "" : ":" + u->port) + "/v1/batch";
}

struct Target {
  std::string source, name;
  std::string url;  // the batch endpoint
  std::string call = "identify";
  io::Headers headers;
};

Target target_from_options(const BackfillOptions& opts) {
  if (opts.jsonnet.empty() == opts.action.empty()) {
    throw bad_input("give exactly one of --jsonnet FILE or --action FILE");
  }
  Target t;
  if (!opts.action.empty()) {
    core::DeployedAction action;
    std::string err;
    if (!core::read_action(read_document_or_throw(opts.action), &action, &err)) {
      throw bad_input(io::display_name(opts.action) + ": " + err);
    }
    if (!util::starts_with(action.body, "base64://")) {
      throw bad_input("the action's body is not embedded (base64://); use --jsonnet FILE");
    }
    util::Base64Error b64;
    if (!util::base64_decode(action.body.substr(9), &t.source, &b64)) {
      throw bad_input("the action's body is not valid base64: " + b64.message);
    }
    t.name = "<action body>";
    std::string why;
    const auto u = util::parse_url(action.url, &why);
    if (!u) throw bad_input("the action's url " + why);
    t.call = core::call_from_path(u->path) ? core::to_string(*core::call_from_path(u->path))
                                           : "identify";
    t.url = batch_url(action.url);
    t.headers = action.headers;
    return t;
  }
  t.source = read_text_or_throw(opts.jsonnet);
  t.name = io::display_name(opts.jsonnet);
  require_one_of("--call", opts.target.call, core::segment_call_names());
  t.call = opts.target.call;
  t.url = batch_url(resolve_segment_url(opts.target));
  if (!opts.dry_run || write_key_given(opts.key)) {
    const std::string key = resolve_write_key(opts.key);
    t.headers.emplace_back("Authorization", "Basic " + util::base64_encode(key + ":"));
  }
  return t;
}

std::string format_count(long n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3)
    s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

class Backfill {
 public:
  Backfill(const BackfillOptions& opts, Target target, core::ContextFactory contexts, State resume)
      : m_opts(opts),
        m_target(std::move(target)),
        m_contexts(std::move(contexts)),
        m_progress(resume.records_done),
        m_resume(std::move(resume)),
        m_chunks(2 * static_cast<std::size_t>(std::max(1, opts.evaluators))),
        m_batches(2 * static_cast<std::size_t>(opts.concurrency)),
        m_rate(opts.rate) {
    m_digest = util::hex_digest(m_target.source, util::HashAlgorithm::sha256);
    m_message_options.call = *core::parse_segment_call(m_target.call);
    m_message_options.timestamp_from_created_at = opts.timestamp_from == "created_at";
    m_message_options.template_digest = m_digest;
    if (!opts.dry_run) m_failed = std::make_unique<FailedFile>(opts.failed);
  }

  const std::string& digest() const { return m_digest; }

  ExitStatus run() {
    std::string err;
    m_reader = std::make_unique<io::RecordReader>(m_opts.identities);
    if (!m_reader->ok()) throw bad_input(m_reader->error());
    const auto t0 = Clock::now();
    std::vector<std::thread> threads;
    threads.emplace_back([this] { read_loop(); });
    const int evaluators =
        m_opts.evaluators > 0
            ? m_opts.evaluators
            : static_cast<int>(std::max(1u, std::min(4u, std::thread::hardware_concurrency())));
    std::vector<std::thread> eval_threads;
    eval_threads.reserve(static_cast<std::size_t>(evaluators));
    for (int i = 0; i < evaluators; ++i) eval_threads.emplace_back([this] { evaluate_loop(); });
    std::vector<std::thread> senders;
    senders.reserve(static_cast<std::size_t>(m_opts.concurrency));
    for (int i = 0; i < m_opts.concurrency; ++i) senders.emplace_back([this] { send_loop(); });
    std::thread reporter([this, t0] { report_loop(t0); });

    threads[0].join();
    m_chunks.close();
    for (auto& t : eval_threads) t.join();
    {
      core::Batcher::Batch last;
      std::lock_guard<std::mutex> lock(m_batcher_mutex);
      if (!g_stop.load() && m_batcher.flush(&last)) m_batches.push(std::move(last));
    }
    m_batches.close();
    for (auto& t : senders) t.join();
    m_finished.store(true);
    m_report_cv.notify_all();
    reporter.join();
    persist();
    return summary(t0);
  }

 private:
  void fail(const Record& r, const std::string& stage, const std::string& reason,
            const core::Json& message = nullptr) {
    ++m_stats.failed;
    if (m_failed) m_failed->write(r, stage, reason, message);
    if (m_opts.dry_run) warning("record " + std::to_string(r.index) + ": " + stage + ": " + reason);
    m_progress.done(r.index);
  }

  void read_loop() {
    std::string text;
    long index = 0;
    std::vector<Record> chunk;
    while (!g_stop.load() && m_reader->next(&text)) {
      const long i = index++;
      if (m_resume.finished(i)) continue;  // finished by an earlier run
      ++m_stats.read;
      Record r{i, nullptr, {}};
      try {
        r.identity = core::Json::parse(text);
      } catch (const core::Json::exception& e) {
        fail(r, "parse", std::string("not JSON: ") + e.what());
        continue;
      }
      // A line of a failed file: retry the identity it carries.
      if (r.identity.is_object() && r.identity.contains("stage") &&
          r.identity.contains("identity")) {
        r.identity = core::Json(r.identity["identity"]);
        text = r.identity.dump();
      }
      r.text = std::move(text);
      const auto id = r.identity.is_object() ? r.identity.find("id") : r.identity.end();
      if (!r.identity.is_object() || id == r.identity.end() || !id->is_string() ||
          id->get<std::string>().empty()) {
        fail(r, "identity", "not an identity: no string 'id'");
        continue;
      }
      chunk.push_back(std::move(r));
      if (chunk.size() >= static_cast<std::size_t>(m_opts.chunk)) {
        if (!m_chunks.push(std::move(chunk))) return;
        chunk.clear();
      }
    }
    if (!m_reader->ok()) {
      m_read_error = m_reader->error();
      g_stop.store(true);
    }
    if (!chunk.empty() && !g_stop.load()) m_chunks.push(std::move(chunk));
  }

  void evaluate_loop() {
    core::TransformPool pool({m_target.source, m_target.name}, io::self_executable());
    while (auto chunk = m_chunks.pop()) {
      if (g_stop.load()) continue;  // not done: a resumed run does these again
      std::vector<std::string> contexts;
      contexts.reserve(chunk->size());
      for (const auto& r : *chunk) contexts.push_back(m_contexts.ctx_json(r.identity));
      const auto results = pool.evaluate(contexts);
      if (g_stop.load()) continue;  // stopped meanwhile: a resumed run does these again
      for (std::size_t i = 0; i < chunk->size(); ++i) handle_result((*chunk)[i], results[i]);
    }
  }

  void handle_result(const Record& r, const core::IdentityEvaluation& e) {
    switch (e.status) {
      case core::EvalStatus::cancelled:
        ++m_stats.skipped;
        m_progress.done(r.index);
        return;
      case core::EvalStatus::ok:
        break;
      default: {
        std::string reason = core::to_string(e.error);
        if (!e.error.hint.empty()) reason += " (" + e.error.hint + ")";
        fail(r, "transform", reason);
        return;
      }
    }
    core::BatchMessage m = core::make_batch_message(e.value, r.identity, m_message_options);
    if (!m.ok) {
      fail(r, m.stage, m.reason, m.message);
      return;
    }
    if (m_opts.dry_run) {
      std::lock_guard<std::mutex> lock(m_batcher_mutex);
      std::cout << m.text << "\n";
      ++m_stats.sent;
      m_progress.done(r.index);
      return;
    }
    core::Batcher::Batch full;
    bool emitted = false;
    {
      std::lock_guard<std::mutex> lock(m_batcher_mutex);
      emitted = m_batcher.add(r.index, std::move(m.text), r.text, &full);
    }
    if (emitted) m_batches.push(std::move(full));
  }

  void send_loop() {
    auto client = io::make_curl_client({});
    std::mt19937_64 rng(std::random_device{}());
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const auto jitter = [&] { return unit(rng); };
    core::RetryPolicy policy;
    policy.max_retries = m_opts.max_retries;
    while (auto batch = m_batches.pop()) {
      if (g_stop.load()) continue;  // not done: resent by a resumed run
      io::HttpRequest request;
      request.url = m_target.url;
      request.headers = m_target.headers;
      request.headers.emplace_back("Content-Type", "application/json");
      request.body = batch->body();
      request.timeout = std::chrono::seconds(30);
      m_rate.acquire(g_stop);
      const core::BatchDelivery d =
          core::deliver_batch(*client, io::system_clock(), jitter, request, policy, &g_stop);
      m_stats.requests += d.attempts;
      m_stats.retries += d.attempts - 1;
      if (d.interrupted) continue;
      if (d.delivered) {
        m_stats.sent += static_cast<long>(batch->records.size());
        for (long index : batch->records) m_progress.done(index);
        persist();  // so a crash now resends at most the batches still in flight
        continue;
      }
      if (d.status == 0) ++m_stats.unreachable_batches;
      const std::string reason =
          d.status == 0
              ? "network error after " + std::to_string(d.attempts) + " attempts: " + d.error
              : "HTTP " + std::to_string(d.status) + " after " + std::to_string(d.attempts) +
                    " attempts";
      for (std::size_t i = 0; i < batch->records.size(); ++i) {
        core::Json identity = core::Json::parse(batch->identities[i], nullptr, false);
        if (identity.is_discarded()) identity = nullptr;
        fail(Record{batch->records[i], identity, {}}, "send", reason,
             core::Json::parse(batch->texts[i]));
      }
    }
  }

  void persist() {
    if (m_opts.state.empty() || m_opts.dry_run) return;
    std::lock_guard<std::mutex> lock(m_persist_mutex);
    if (m_failed) m_failed->sync();
    long watermark = 0;
    const auto ranges = m_progress.done_ranges(&watermark);
    save_state(m_opts.state, m_opts.identities, watermark, ranges, m_digest, m_stats);
  }

  void report_loop(Clock::time_point t0) {
    const bool tty = ::isatty(STDERR_FILENO) != 0;
    const bool show = m_opts.progress == "always" || (m_opts.progress == "auto");
    const auto every = tty ? std::chrono::milliseconds(250) : std::chrono::milliseconds(5000);
    auto last_state = Clock::now();
    auto last_line = Clock::now();
    std::unique_lock<std::mutex> lock(m_report_mutex);
    // Wakes often enough to save the state twice a second; prints at its own pace.
    while (!m_report_cv.wait_for(lock, std::chrono::milliseconds(250),
                                 [&] { return m_finished.load(); })) {
      if (Clock::now() - last_state >= std::chrono::milliseconds(500)) {
        persist();
        last_state = Clock::now();
      }
      if (!show || m_opts.progress == "never" || Clock::now() - last_line < every) continue;
      last_line = Clock::now();
      const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
      const long done = m_stats.sent + m_stats.failed + m_stats.skipped;
      std::string line = format_count(done) + " identities";
      const std::size_t total = m_reader->total_bytes();
      if (total > 0) {
        const double frac =
            static_cast<double>(m_reader->bytes_read()) / static_cast<double>(total);
        char buf[64];
        std::snprintf(buf, sizeof buf, " (%.0f%% of the input", frac * 100);
        line += buf;
        if (frac > 0.01) {
          std::snprintf(buf, sizeof buf, ", ETA %.0f s", secs / frac - secs);
          line += buf;
        }
        line += ")";
      }
      char rate[64];
      std::snprintf(rate, sizeof rate, ", %.0f/s",
                    static_cast<double>(done) / std::max(secs, 0.001));
      line += rate;
      line += ", " + format_count(m_stats.retries) + " retries, " + format_count(m_stats.failed) +
              " failed";
      if (tty) {
        std::cerr << "\r" << line << "\033[K" << std::flush;
      } else {
        std::cerr << "ory-segment: progress: " << line << "\n" << std::flush;
      }
    }
    if (tty && show && m_opts.progress != "never") std::cerr << "\r\033[K" << std::flush;
  }

  ExitStatus summary(Clock::time_point t0) {
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    const long done = m_stats.sent + m_stats.failed + m_stats.skipped;
    char rate[64];
    std::snprintf(rate, sizeof rate, "%.1f s, %.0f identities/s", secs,
                  static_cast<double>(done) / std::max(secs, 0.001));
    std::cerr << "ory-segment: backfill: " << format_count(m_stats.read) << " read, "
              << format_count(m_stats.sent) << (m_opts.dry_run ? " printed, " : " sent, ")
              << format_count(m_stats.skipped) << " skipped (cancel), "
              << format_count(m_stats.failed) << " failed"
              << (m_stats.failed > 0 && m_failed ? " (see " + m_opts.failed + ")" : "") << ", "
              << format_count(m_stats.requests) << " requests, " << format_count(m_stats.retries)
              << " retries; " << rate << "\n";
    if (!m_read_error.empty()) {
      error(m_read_error);
      return ExitStatus::bad_input;
    }
    if (g_stop.load()) {
      note("interrupted: " + (m_opts.state.empty()
                                  ? std::string("pass --state FILE to resume")
                                  : "run the same command to resume from " + m_opts.state));
      return ExitStatus::interrupted;
    }
    if (m_stats.unreachable_batches > 0 && m_stats.sent == 0) return ExitStatus::unreachable;
    return m_stats.failed > 0 ? ExitStatus::check_failed : ExitStatus::ok;
  }

  const BackfillOptions& m_opts;
  Target m_target;
  core::ContextFactory m_contexts;
  Progress m_progress;
  State m_resume;
  std::string m_digest;
  core::MessageOptions m_message_options;
  std::unique_ptr<io::RecordReader> m_reader;
  std::unique_ptr<FailedFile> m_failed;
  Channel<std::vector<Record>> m_chunks;
  Channel<core::Batcher::Batch> m_batches;
  std::mutex m_batcher_mutex;
  core::Batcher m_batcher;
  RateLimiter m_rate;
  Stats m_stats;
  std::string m_read_error;
  std::atomic<bool> m_finished{false};
  std::mutex m_persist_mutex;
  std::mutex m_report_mutex;
  std::condition_variable m_report_cv;
};

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

ExitStatus run_backfill(const BackfillOptions& opts) {
  if (opts.identities.empty()) throw bad_input("--identities FILE|- is required");
  require_one_of("--timestamp-from", opts.timestamp_from, {"created_at", "none"});
  require_one_of("--progress", opts.progress, {"auto", "always", "never"});
  if (opts.concurrency < 1 || opts.concurrency > 64) throw bad_input("--concurrency must be 1-64");
  if (!(opts.rate > 0)) throw bad_input("--rate must be above 0");
  if (opts.chunk < 1 || opts.chunk > 10000) throw bad_input("--chunk must be 1-10000");
  if (opts.max_retries < 0 || opts.max_retries > 100)
    throw bad_input("--max-retries must be 0-100");
  if (opts.identities != "-" && same_file(opts.identities, opts.failed)) {
    throw bad_input("--failed " + opts.failed + " is the input; write failures to another file");
  }
  Target target = target_from_options(opts);
  if (!opts.dry_run) {
    const auto insecure =
        opts.allow_insecure_url ? core::InsecureUrl::allow : core::InsecureUrl::refuse;
    if (auto problem = core::validate_url(target.url, insecure)) throw bad_input(*problem);
  }
  const auto check = core::check_template(target.source, target.name);
  if (check.error) throw bad_input(core::to_string(*check.error));
  for (const auto& w : check.warnings) {
    throw Error(ExitStatus::check_failed, core::to_string(w) + " (every identity would fail)");
  }
  std::string err;
  const auto hook = core::parse_hook_point(opts.hook, &err);
  if (!hook) throw bad_input("--hook " + err);
  core::ContextOptions c;
  c.hook = *hook;
  c.identity = core::Json{{"id", "x"}};
  std::vector<std::string> dropped;
  core::Json base = core::build_context(c, &dropped);
  if (!base.contains("identity")) {
    throw bad_input("--hook " + opts.hook +
                    ": Kratos passes no identity there; backfill needs an after-hook");
  }
  // Where the identity goes in ctx; each ctx holds only what the template can read.
  std::vector<std::vector<std::string>> identity_paths = {{"identity"}};
  base.erase("identity");
  for (const char* holder : {"session", "flow"}) {
    if (base.contains(holder) && base[holder].is_object() && base[holder].contains("identity")) {
      base[holder].erase("identity");
      identity_paths.push_back({holder, "identity"});
    }
  }
  core::ContextFactory contexts(base, std::move(identity_paths), core::ctx_usage(target.source));

  State resume;
  const std::string digest = util::hex_digest(target.source, util::HashAlgorithm::sha256);
  if (const auto state = load_state(opts.dry_run ? "" : opts.state)) {
    if (state->template_digest != digest) {
      throw bad_input(opts.state +
                      " was written for another template (messageIds would differ); "
                      "delete it to start over");
    }
    resume = *state;
    long after = 0;
    for (const auto& [begin, end] : resume.done_after) after += end - begin;
    note("resuming after " + format_count(resume.records_done) + " records" +
         (after > 0 ? " (and " + format_count(after) + " finished past them)" : "") + " (" +
         opts.state + ")");
  }
  g_stop.store(false);
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  Backfill backfill(opts, std::move(target), std::move(contexts), std::move(resume));
  return backfill.run();
}

}  // namespace

VerbRunner setup_backfill(CLI::App& cmd) {
  auto opts = std::make_shared<BackfillOptions>();
  cmd.add_option("--jsonnet", opts->jsonnet, "the transform")->option_text("FILE");
  cmd.add_option("--action", opts->action, "a web_hook action: its template, URL host and auth")
      ->option_text("FILE");
  cmd.add_option("--identities", opts->identities,
                 "a JSON array (ory list identities --format json) or JSON Lines; '-' reads stdin")
      ->option_text("FILE|-");
  add_write_key_options(cmd, &opts->key);
  add_segment_target_options(cmd, &opts->target);
  cmd.add_option(
         "--hook", opts->hook,
         "the hook point whose ctx each identity gets (default registration.after.password)")
      ->option_text("FLOW.WHEN[.METHOD]");
  cmd.add_option("--state", opts->state,
                 "record progress here (atomically); the same command resumes from it")
      ->option_text("FILE");
  cmd.add_option("--failed", opts->failed,
                 "JSON Lines of what could not be sent (default backfill-failed.jsonl); valid "
                 "--identities input")
      ->option_text("FILE");
  cmd.add_option("--concurrency", opts->concurrency, "requests in flight (default 4)")
      ->option_text("N");
  cmd.add_option("--rate", opts->rate, "at most this many requests per second (default 500)")
      ->option_text("N");
  cmd.add_option("--timestamp-from", opts->timestamp_from,
                 "created_at (default: the identity's) or none")
      ->option_text("FIELD");
  cmd.add_flag("--dry-run", opts->dry_run, "print the messages as JSON Lines instead of sending");
  cmd.add_option("--progress", opts->progress, "auto (default), always or never")
      ->option_text("WHEN");
  cmd.add_option("--chunk", opts->chunk, "identities per template evaluation (default 1000)")
      ->option_text("N");
  cmd.add_option("--evaluators", opts->evaluators,
                 "template evaluation processes (default: cores, at most 4)")
      ->option_text("N");
  cmd.add_option("--max-retries", opts->max_retries,
                 "retries per batch before its messages go to the failed file (default 10)")
      ->option_text("N");
  cmd.add_flag("--allow-insecure-url", opts->allow_insecure_url,
               "allow plain http:// to a host that is not loopback");
  cmd.footer(
      R"(Sends existing identities through the same transform Kratos runs (many per evaluation, each isolated:
a failing identity goes to the failed file with its error, `error "cancel"` skips it) to Segment's batch
API: requests within 500 KB and 2,500 messages, a deterministic messageId per identity and template (so
Segment de-duplicates resends), timestamp from created_at, Segment's own clients' retry policy. Nothing
is dropped silently: every record is sent, skipped, or written to the failed file with the reason.
With --state the run resumes after Ctrl-C, a crash or kill -9; at most the batches in flight are sent
again. --url takes the API base (http://127.0.0.1:8765) or any /v1/... URL of it.

Exit: 0 all sent or skipped; 1 some records failed (see --failed); 2 bad input; 3 unreachable;
130 interrupted (resume with the same command).

Examples:
  ory list identities --format json > identities.json
  ory-segment backfill --jsonnet segment_identify.jsonnet --identities identities.json \
      --write-key-file key.txt --state backfill.state
  ory-segment backfill --action webhook-action.json --identities identities.json --state backfill.state
  ory-segment backfill --jsonnet segment_identify.jsonnet --identities backfill-failed.jsonl --write-key-file key.txt
  ory-segment backfill --jsonnet t.jsonnet --identities identities.json --dry-run | head)");
  return [opts] { return run_backfill(*opts); };
}

}  // namespace cli
