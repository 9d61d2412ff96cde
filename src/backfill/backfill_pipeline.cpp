#include "backfill/backfill_pipeline.hpp"

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "backfill/failed_file.hpp"
#include "backfill/resume_check.hpp"
#include "io/file_io.hpp"
#include "pool/transform_pool.hpp"
#include "segment/segment_batch.hpp"
#include "util/base64.hpp"
#include "util/channel.hpp"
#include "util/hash.hpp"
#include "util/rate_limiter.hpp"

namespace core {
namespace {

using Clock = std::chrono::steady_clock;

struct Record {
  long index = 0;
  Json identity;     // as read (credentials included, for the failed file)
  std::string text;  // the identity's JSON text, for batches (and their failures)
};

struct AtomicStats {
  std::atomic<long> read{0}, sent{0}, skipped{0}, failed{0}, retries{0}, requests{0};
  std::atomic<long> newer{0};

  BackfillStats load() const {
    return BackfillStats{read.load(),    sent.load(),     skipped.load(), failed.load(),
                         retries.load(), requests.load(), newer.load()};
  }
};

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

class BackfillPipeline::Impl {
 public:
  Impl(BackfillSettings settings, BackfillTarget target, ContextFactory contexts,
       std::unique_ptr<IdentitySource> source, BackfillState resume, BackfillHooks hooks,
       std::atomic<bool>* stop)
      : m_settings(std::move(settings)),
        m_target(std::move(target)),
        m_contexts(std::move(contexts)),
        m_source(std::move(source)),
        m_finished_records(resume),
        m_resume(std::move(resume)),
        m_resume_check(m_resume, &m_finished_records),
        m_hooks(std::move(hooks)),
        m_stop(*stop),
        m_chunks(2 * static_cast<std::size_t>(std::max(1, m_settings.evaluators))),
        m_batches(2 * static_cast<std::size_t>(m_settings.concurrency)),
        m_batcher(batch_cap(m_settings.events_per_second)),
        m_rate(m_settings.rate),
        m_events(m_settings.events_per_second) {
    m_digest = util::hex_digest(m_target.source, util::HashAlgorithm::sha256);
    m_message_options.call = m_target.call;
    m_message_options.call_fixed = m_target.call_fixed;
    m_message_options.timestamp_from_created_at = m_settings.timestamp_from_created_at;
    m_message_options.template_digest = m_digest;
    m_message_options.destination = m_target.destination;
    if (!m_target.destination.empty()) m_contexts.vary_flow(m_target.destination);
    m_template_uri = m_target.template_uri.empty()
                         ? "base64://" + util::base64_encode(m_target.source)
                         : m_target.template_uri;
    m_input_fixed = worker_input_size(m_template_uri, m_target.source, "");
    if (m_resume.run.empty()) m_resume.run = util::random_uuid();  // a fresh run
  }

  bool run(BackfillResult* result, std::string* err) {
    m_base = m_resume.counts;
    if (!m_settings.failed_path.empty()) {
      if (!m_failed.open(m_settings.failed_path, err) || !recover_failures(err)) return false;
      if (m_failed.cut() > 0 && m_hooks.warn) {
        m_hooks.warn(m_failed.path() + ": removed a line cut short at its end (" +
                     std::to_string(m_failed.cut()) + " bytes; a run stopped while writing it)");
      }
    }
    if (!save_initial_state(&result->write_error)) return true;
    const auto t0 = Clock::now();
    std::thread reader([this] { read_loop(); });
    std::vector<std::thread> evaluators, senders;
    const int n_evaluators =
        m_settings.evaluators > 0
            ? m_settings.evaluators
            : static_cast<int>(std::max(1u, std::min(4u, std::thread::hardware_concurrency())));
    for (int i = 0; i < n_evaluators; ++i) evaluators.emplace_back([this] { evaluate_loop(); });
    for (int i = 0; i < m_settings.concurrency; ++i) senders.emplace_back([this] { send_loop(); });
    std::thread reporter([this, t0] { report_loop(t0); });

    reader.join();
    m_chunks.close();
    for (auto& t : evaluators) t.join();
    {
      Batcher::Batch last;
      std::lock_guard<std::mutex> lock(m_batcher_mutex);
      if (!m_stop.load() && m_batcher.flush(&last)) m_batches.push(std::move(last));
    }
    m_batches.close();
    for (auto& t : senders) t.join();
    {
      std::lock_guard<std::mutex> lock(m_report_mutex);
      m_done = true;
    }
    m_report_cv.notify_all();
    reporter.join();
    persist();
    result->stats = m_stats.load();
    result->earlier = m_base;
    result->read_error = m_read_error;
    result->incomplete = m_incomplete;
    result->write_error = m_write_error;
    result->source_unreachable = m_source_unreachable;
    result->undelivered = m_undelivered;
    result->interrupted =
        m_stop.load() && m_read_error.empty() && m_write_error.empty() && m_undelivered.empty();
    result->seconds = seconds_since(t0);
    return true;
  }

 private:
  // A failure in the failed file, then the record finished: both or neither, as persist()
  // sees them (it takes the same lock).
  void fail(const Record& r, const std::string& stage, const std::string& reason,
            const Json& message = nullptr) {
    if (m_settings.dry_run && m_hooks.warn) {
      m_hooks.warn("record " + std::to_string(r.index) + ": " + stage + ": " + reason);
    }
    std::lock_guard<std::mutex> lock(m_fail_mutex);
    if (!m_failed.path().empty()) {
      std::string err;
      if (!m_failed.append(failed_line(r.index, m_resume.run, r.identity, stage, reason, message),
                           &err)) {
        fatal(err);  // not finished: a resumed run does it again
        return;
      }
    }
    ++m_stats.failed;
    m_finished_records.done(r.index);
  }

  // Stops the run: an outcome cannot be recorded, so nothing may go past it.
  void fatal(const std::string& error) {
    {
      std::lock_guard<std::mutex> lock(m_error_mutex);
      if (m_write_error.empty()) m_write_error = error;
    }
    m_stop.store(true);
  }
  bool failed_fatally() {
    std::lock_guard<std::mutex> lock(m_error_mutex);
    return !m_write_error.empty();
  }

  // Failures a run wrote after its last saved state (it was killed before the next save):
  // their records are finished, not done again and written twice.
  bool recover_failures(std::string* err) {
    if (m_resume.failed_file.empty() || !io::same_file(m_resume.failed_file, m_failed.path())) {
      return true;
    }
    std::vector<long> records;
    bool shrunk = false;
    if (!m_failed.records_after(m_resume.failed_file_bytes, m_resume.run, &records, &shrunk, err))
      return false;
    if (shrunk && m_hooks.warn) {
      m_hooks.warn(m_failed.path() + " is shorter than when the state was saved: " +
                   std::to_string(m_base.failed) + " failures of earlier runs may be missing");
    }
    for (long index : records) {
      if (m_resume_check.recover(index)) ++m_base.failed;
    }
    return true;
  }

  void read_loop() {
    std::string text;
    long index = m_source->first_index();
    std::uint64_t fingerprint = util::k_fnv1a64_start;
    std::vector<Record> chunk;
    std::string error;
    while (!m_stop.load() && m_source->next(&text, &error)) {
      const long i = index++;
      fingerprint = fingerprint_step(fingerprint, text);
      if (i >= m_resume.records_done) m_finished_records.read(i, fingerprint);
      const bool earlier = m_resume_check.finished_earlier(i, fingerprint, &error);
      if (!error.empty()) break;
      if (earlier) continue;
      ++m_stats.read;
      Record r{i, nullptr, {}};
      if (std::string why; !parse_record(&text, &r.identity, &why)) {
        fail(r, "parse", why);
        continue;
      }
      r.text = std::move(text);
      const auto id = r.identity.is_object() ? r.identity.find("id") : r.identity.end();
      if (!r.identity.is_object() || id == r.identity.end() || !id->is_string() ||
          id->get<std::string>().empty()) {
        fail(r, "identity", "not an identity: no string 'id'");
        continue;
      }
      if (m_settings.created_before && !older(r)) continue;
      chunk.push_back(std::move(r));
      if (chunk.size() >= static_cast<std::size_t>(m_settings.chunk)) {
        if (!m_chunks.push(std::move(chunk))) return;
        chunk.clear();
      }
    }
    if (error.empty() && !m_stop.load() && m_source->first_index() == 0)
      error = m_resume_check.check_end(index);
    if (error.empty() && !m_stop.load()) m_incomplete = m_source->incomplete();
    if (!error.empty()) {
      m_read_error = error;
      m_source_unreachable = m_source->unreachable();
      m_stop.store(true);
    }
    if (!chunk.empty() && !m_stop.load()) m_chunks.push(std::move(chunk));
  }

  // Whether `r` was created before the cut-off, so the hook did not send it; a newer one is
  // finished here, one without a creation time fails.
  bool older(const Record& r) {
    const auto created = r.identity.find("created_at");
    const auto at = created != r.identity.end() && created->is_string()
                        ? util::parse_rfc3339(created->get<std::string>())
                        : std::nullopt;
    if (!at) {
      fail(r, "identity", "no created_at (an RFC 3339 time) to compare with --created-before");
      return false;
    }
    if (*at < *m_settings.created_before) return true;
    ++m_stats.newer;
    m_finished_records.done(r.index);
    return false;
  }

  void evaluate_loop() {
    TransformSetup setup{m_target.source, m_target.name};
    if (m_settings.max_output > 0) setup.max_output = m_settings.max_output;
    TransformPool pool(setup, m_settings.worker_executable);
    while (auto chunk = m_chunks.pop()) {
      if (m_stop.load()) continue;  // not done: a resumed run does these again
      std::vector<Json> contexts;
      std::vector<const Record*> evaluated;
      for (const auto& r : *chunk) {
        if (const std::string why = over_input_limit(r); !why.empty()) {
          fail(r, "transform", why);
          continue;
        }
        contexts.push_back(m_contexts.ctx(r.identity));
        evaluated.push_back(&r);
      }
      const auto results = pool.evaluate(contexts, &m_stop);
      if (m_stop.load()) continue;  // stopped meanwhile: a resumed run does these again
      for (std::size_t i = 0; i < evaluated.size(); ++i) handle_result(*evaluated[i], results[i]);
    }
  }

  // Why Kratos's worker could not read the evaluation for `r` (EvalLimits::max_input), or "".
  // The whole ctx is built only when a bound on it says it might matter.
  std::string over_input_limit(const Record& r) const {
    const EvalLimits limits;
    const std::size_t bound = m_input_fixed + 6 * m_contexts.full_ctx_size_bound(r.text.size()) + 2;
    if (bound <= limits.max_input) return "";
    const std::size_t size =
        worker_input_size(m_template_uri, m_target.source, m_contexts.full_ctx(r.identity).dump());
    return size > limits.max_input ? input_too_large_message(size, limits.max_input) : "";
  }

  void handle_result(const Record& r, const IdentityEvaluation& e) {
    switch (e.status) {
      case EvalStatus::cancelled:
        ++m_stats.skipped;
        m_finished_records.done(r.index);
        return;
      case EvalStatus::ok:
        break;
      default: {
        std::string reason = to_string(e.error);
        if (!e.error.hint.empty()) reason += " (" + e.error.hint + ")";
        fail(r, "transform", reason);
        return;
      }
    }
    BatchMessage m;
    std::string why;
    if (!make_batch_message(e.value, r.identity, m_message_options, &m, &why)) {
      fail(r, m.stage, why, m.message);
      return;
    }
    if (m.own_id) check_own_id(r, m.message["messageId"]);
    if (m_settings.dry_run) {
      std::lock_guard<std::mutex> lock(m_batcher_mutex);
      if (m_hooks.print) m_hooks.print(m.text);
      ++m_stats.sent;
      m_finished_records.done(r.index);
      return;
    }
    Batcher::Batch full;
    bool emitted = false;
    {
      std::lock_guard<std::mutex> lock(m_batcher_mutex);
      emitted = m_batcher.add(r.index, std::move(m.text), r.text, &full);
    }
    if (emitted) m_batches.push(std::move(full));
  }

  // A template's own messageId that is the same for two identities: Segment keeps one of them.
  void check_own_id(const Record& r, const Json& message_id) {
    const std::string warning =
        m_own_ids.repeated(r.identity.value("id", std::string()), message_id);
    if (!warning.empty() && m_hooks.warn) m_hooks.warn(warning);
  }

  void send_loop() {
    io::CurlOptions curl;
    curl.cancel = &m_stop;  // a stalled Segment never holds up Ctrl-C
    auto client = io::make_curl_client(curl);
    std::mt19937_64 rng(std::random_device{}());
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const auto jitter = [&] { return unit(rng); };
    RetryPolicy policy;
    policy.max_retries = m_settings.max_retries;
    while (auto batch = m_batches.pop()) {
      if (m_stop.load()) continue;  // not done: resent by a resumed run
      const io::HttpRequest request = batch_request(m_target.url, m_target.headers, batch->body());
      if (!m_rate.acquire(m_stop)) continue;  // stopped while waiting for its slot: not sent
      if (m_settings.events_per_second > 0 &&
          !m_events.acquire(m_stop, static_cast<double>(batch->records.size()))) {
        continue;
      }
      const BatchDelivery d =
          deliver_batch(*client, io::system_clock(), jitter, request, policy, &m_stop);
      m_stats.requests += d.attempts;
      m_stats.retries += d.attempts - 1;
      if (d.interrupted) continue;
      if (d.delivered) {
        m_stats.sent += static_cast<long>(batch->records.size());
        for (long index : batch->records) m_finished_records.done(index);
        persist();  // so a crash now resends at most the batches still in flight
        continue;
      }
      const std::string reason = delivery_failure(d);
      if (!endpoint_refused(d.status)) {
        // Never accepted (unreachable, a timeout, 5xx or 429 to the end): its records stay
        // pending, and so does everything after it; the same command sends them again.
        std::lock_guard<std::mutex> lock(m_error_mutex);
        if (m_undelivered.empty()) m_undelivered = reason;
        m_stop.store(true);
        continue;
      }
      for (std::size_t i = 0; i < batch->records.size(); ++i) {
        Json identity = Json::parse(batch->identities[i], nullptr, false);
        if (identity.is_discarded()) identity = nullptr;
        fail(Record{batch->records[i], identity, {}}, "send", reason, Json::parse(batch->texts[i]));
      }
    }
  }

  void persist() {
    std::lock_guard<std::mutex> lock(m_persist_mutex);
    const bool saving = !m_settings.state_path.empty() && !m_settings.dry_run;
    BackfillState state;
    BackfillStats s;
    std::string err;
    long failed_file_bytes = 0;
    {
      // The failures on disk, then the records finished: no failure line can fall between.
      std::lock_guard<std::mutex> fail_lock(m_fail_mutex);
      if (saving && !m_failed.path().empty() && !failed_fatally() &&
          !m_failed.sync(&failed_file_bytes, &err)) {
        fatal(err);
      }
      state = m_finished_records.snapshot();
      s = m_stats.load();
    }
    state.failed_file_bytes = failed_file_bytes;
    // Also lets a paged source forget the pages now finished.
    state.page = m_source->position(state.records_done);
    if (!saving || failed_fatally()) return;
    if (state.page) {  // the page and the last id stand for the input; no fingerprints
      state.fingerprint.reset();
      for (auto& r : state.done_after) r.fingerprint.reset();
    }
    state.template_digest = m_digest;
    state.destination = destination_fingerprint(m_target.destination);
    state.input = m_source->name();
    state.counts = {m_base.sent + s.sent, m_base.failed + s.failed,
                    m_base.skipped + s.skipped + s.newer};
    state.failed_file = m_failed.path();
    state.run = m_resume.run;
    // Progress that cannot be recorded stops the run at once (the state of its last save).
    if (!save_backfill_state(m_settings.state_path, state, &err)) {
      fatal("cannot save the state: " + err + "; stopped");
    }
  }

  // The state as it was loaded (the input, template and destination named), saved once before
  // anything is read: one that cannot be saved stops the run before anything is sent.
  bool save_initial_state(std::string* err) {
    if (m_settings.state_path.empty() || m_settings.dry_run) return true;
    BackfillState state = m_resume;
    if (state.failed_file.empty() && !m_failed.path().empty()) {
      // A fresh run names its failed file and where its own lines start, so a run killed
      // before its first save has the failures it wrote recovered, not written twice.
      if (!m_failed.sync(&state.failed_file_bytes, err)) return false;
      state.failed_file = m_failed.path();
    }
    state.template_digest = m_digest;
    state.destination = destination_fingerprint(m_target.destination);
    state.input = m_source->name();
    if (state.page) {
      state.fingerprint.reset();
      for (auto& r : state.done_after) r.fingerprint.reset();
    }
    if (save_backfill_state(m_settings.state_path, state, err)) return true;
    *err = "cannot save the state: " + *err + "; nothing was sent";
    return false;
  }

  // Saves the state twice a second and reports progress four times a second.
  void report_loop(Clock::time_point t0) {
    auto last_state = Clock::now();
    std::unique_lock<std::mutex> lock(m_report_mutex);
    while (!m_report_cv.wait_for(lock, std::chrono::milliseconds(250), [&] { return m_done; })) {
      if (Clock::now() - last_state >= std::chrono::milliseconds(500)) {
        persist();
        last_state = Clock::now();
      }
      if (m_hooks.progress) {
        m_hooks.progress(BackfillProgress{m_stats.load(), m_source->bytes_read(),
                                          m_source->total_bytes(), seconds_since(t0)});
      }
    }
  }

  BackfillSettings m_settings;
  BackfillTarget m_target;
  ContextFactory m_contexts;
  std::string m_template_uri;     // what Kratos passes its worker as the template's Filename
  std::size_t m_input_fixed = 0;  // the worker's input without the ctx
  std::unique_ptr<IdentitySource> m_source;
  FinishedRecords m_finished_records;
  BackfillState m_resume;
  ResumeCheck m_resume_check;
  BackfillHooks m_hooks;
  std::atomic<bool>& m_stop;
  std::string m_digest;
  MessageOptions m_message_options;
  OwnMessageIds m_own_ids;
  FailedFile m_failed;
  util::Channel<std::vector<Record>> m_chunks;
  util::Channel<Batcher::Batch> m_batches;
  std::mutex m_batcher_mutex;
  Batcher m_batcher;
  util::RateLimiter m_rate;    // requests
  util::RateLimiter m_events;  // messages
  AtomicStats m_stats;
  std::string m_read_error;
  std::string m_incomplete;
  bool m_source_unreachable = false;
  std::mutex m_error_mutex;
  std::string m_write_error;
  std::string m_undelivered;
  std::mutex m_fail_mutex;
  BackfillCounts m_base;  // earlier runs' outcomes
  std::mutex m_persist_mutex;
  std::mutex m_report_mutex;
  std::condition_variable m_report_cv;
  bool m_done = false;
};

BackfillPipeline::BackfillPipeline(BackfillSettings settings, BackfillTarget target,
                                   ContextFactory contexts, std::unique_ptr<IdentitySource> source,
                                   BackfillState resume, BackfillHooks hooks,
                                   std::atomic<bool>* stop)
    : m_impl(std::make_unique<Impl>(std::move(settings), std::move(target), std::move(contexts),
                                    std::move(source), std::move(resume), std::move(hooks), stop)) {
}

BackfillPipeline::~BackfillPipeline() = default;

bool BackfillPipeline::run(BackfillResult* result, std::string* err) {
  return m_impl->run(result, err);
}

}  // namespace core
