#include "pool/transform_pool.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "engine/jsonnet_manifest.hpp"
#include "io/process.hpp"
#include "pool/transform_wire.hpp"
#include "pool/transform_worker.hpp"

namespace core {

using namespace wire;  // NOLINT(google-build-using-namespace): the protocol's own names
using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds k_stop_poll{100};

TransformPool::TransformPool(TransformSetup setup, std::string worker_executable,
                             std::chrono::milliseconds load_limit)
    : m_setup(std::move(setup)),
      m_executable(std::move(worker_executable)),
      m_load_limit(load_limit),
      m_fast_cancel(with_fast_cancel(m_setup.source, k_fast_cancel_function)),
      m_lookups(single_site_lookups(m_setup.source)) {}

TransformPool::~TransformPool() = default;

bool TransformPool::ensure_worker(std::string* err) {
  if (m_worker || m_template_outcome) return true;
  m_worker = io::ChildProcess::spawn({m_executable, k_transform_worker_verb}, "/dev/null", err);
  if (!m_worker) return false;
  WorkerSetup setup;
  setup.name = m_setup.name;
  setup.source = m_fast_cancel ? m_fast_cancel->source : m_setup.source;
  setup.fast_cancel = m_fast_cancel.has_value();
  setup.cancel_sites = m_fast_cancel ? m_fast_cancel->sites.size() : 0;
  for (const auto& lookup : m_lookups) setup.lookup_paths.push_back(lookup.path);
  const auto deadline = Clock::now() + m_load_limit;
  std::string header, payload;
  if (!m_worker->write_all(frame('S', encode_setup(setup)), deadline) ||
      !m_worker->read_exact(k_header_size, &header, deadline) ||
      !m_worker->read_exact(payload_size(header), &payload, deadline)) {
    const bool timed_out = m_worker->timed_out();
    m_worker.reset();
    if (!timed_out) {
      *err = k_evaluation_died_message;
      return false;
    }
    m_template_outcome =
        failure(EvalStatus::timed_out, timed_out_message("the template's top level"));
    return true;
  }
  if (header[0] == 'R') return true;
  m_worker.reset();
  // 'X': the template fails whatever the identity.
  m_template_outcome = from_error(payload);
  return true;
}

IdentityEvaluation TransformPool::failure(EvalStatus status, const std::string& message) const {
  return IdentityEvaluation{status, "", nullptr, {Severity::error, m_setup.name, message, ""}};
}

IdentityEvaluation TransformPool::recorded(std::size_t site) const {
  const std::size_t cancels = m_fast_cancel ? m_fast_cancel->sites.size() : 0;
  if (site < cancels) {
    // What libjsonnet would have said: the literal, at the `error`.
    const auto& s = m_fast_cancel->sites[site];
    return IdentityEvaluation{
        EvalStatus::cancelled,
        "",
        nullptr,
        {Severity::error, source_location(m_setup.name, m_setup.source, s.offset), s.message, ""}};
  }
  if (site - cancels < m_lookups.size()) {
    const CtxLookup& l = m_lookups[site - cancels];
    return IdentityEvaluation{EvalStatus::failed, "", nullptr,
                              finding_at("field does not exist: " + l.path.back(), m_setup.name,
                                         m_setup.source, l.begin, l.end)};
  }
  return failure(EvalStatus::failed, k_evaluation_died_message);
}

IdentityEvaluation TransformPool::from_error(const std::string& jsonnet_error) const {
  return IdentityEvaluation{status_of_error(jsonnet_error), "", nullptr,
                            finding_from_jsonnet(jsonnet_error, m_setup.name, m_setup.source)};
}

std::string TransformPool::item(const Json& ctx) const {
  std::string ids;
  for (std::size_t i = 0; i < m_lookups.size(); ++i) {
    const auto& path = m_lookups[i].path;
    const Json* parent = &ctx;
    for (std::size_t d = 0; parent && d + 1 < path.size(); ++d) {
      const auto it = parent->is_object() ? parent->find(path[d]) : parent->end();
      parent = it == parent->end() ? nullptr : &*it;
    }
    if (!parent || !parent->is_object() || parent->contains(path.back())) continue;
    if (!ids.empty()) ids += ',';
    ids += std::to_string(i);
  }
  return ids + "\n" + ctx.dump();
}

std::vector<IdentityEvaluation> TransformPool::evaluate(const std::vector<Json>& contexts,
                                                        const std::atomic<bool>* stop) {
  std::vector<IdentityEvaluation> out(contexts.size());
  if (contexts.empty()) return out;
  std::string err;
  if (!ensure_worker(&err)) {
    std::fill(out.begin(), out.end(),
              failure(EvalStatus::failed, "cannot start the evaluation process: " + err));
    return out;
  }
  if (m_template_outcome) {
    std::fill(out.begin(), out.end(), *m_template_outcome);
    return out;
  }
  // Until answered otherwise.
  std::fill(out.begin(), out.end(),
            failure(EvalStatus::failed, "the evaluation process stopped answering"));
  std::vector<std::string> items;
  items.reserve(contexts.size());
  for (const Json& ctx : contexts) items.push_back(item(ctx));
  const std::string request = encode_items(items);
  // The helper enforces the time limits itself; this only guards against it hanging.
  const auto deadline = Clock::now() + std::chrono::seconds(10) +
                        std::chrono::seconds(3) * static_cast<long>(contexts.size());
  if (!m_worker->write_all(frame('C', request), deadline)) {
    m_worker.reset();
    return out;
  }
  std::string header, payload;
  for (;;) {
    // Watching `stop` while the helper works (a chunk of failing identities takes seconds):
    // between its messages, and while waiting for the next.
    for (bool ready = false; stop && !ready;) {
      if (stop->load()) {
        m_worker.reset();  // kills it and, with it, its children
        return out;
      }
      ready = m_worker->wait_readable(std::min(deadline, Clock::now() + k_stop_poll)) ||
              Clock::now() >= deadline;
    }
    if (!m_worker->read_exact(k_header_size, &header, deadline) ||
        !m_worker->read_exact(payload_size(header), &payload, deadline)) {
      m_worker.reset();  // kills it; the next request starts a fresh one
      return out;
    }
    const char type = header[0];
    if (type == 'D' && payload.size() >= 24) {
      m_evaluations += static_cast<long>(get_u64(payload, 0));
      m_fast_cancels += static_cast<long>(get_u64(payload, 8));
      m_fast_failures += static_cast<long>(get_u64(payload, 16));
      return out;
    }
    if (type == 'V' && payload.size() >= 16) take_values(payload, &out);
    if (type == 'F' && payload.size() >= 9) take_failure(payload, &out);
  }
}

// A 'V' frame: the values of identities [begin, end), each as Kratos would send it.
void TransformPool::take_values(const std::string& payload,
                                std::vector<IdentityEvaluation>* out) const {
  const std::size_t begin = get_u64(payload, 0);
  const std::size_t end = std::min<std::size_t>(get_u64(payload, 8), out->size());
  Json values = parse_manifested(std::string_view(payload).substr(16));
  for (std::size_t i = begin; values.is_array() && i < end && i - begin < values.size(); ++i) {
    IdentityEvaluation& e = (*out)[i];
    Json& value = values[i - begin];
    e.body = manifest_like_jsonnet(value);
    if (e.body.size() > m_setup.max_output) {
      e = failure(EvalStatus::output_too_large, output_too_large_message(m_setup.max_output));
      continue;
    }
    e.status = EvalStatus::ok;
    e.error = Finding{};
    e.value = std::move(value);
  }
}

// An 'F' frame: one identity's failure, by its status byte.
void TransformPool::take_failure(const std::string& payload,
                                 std::vector<IdentityEvaluation>* out) const {
  const std::size_t index = get_u64(payload, 0);
  if (index >= out->size()) return;
  const std::string text = payload.substr(9);
  IdentityEvaluation& e = (*out)[index];
  switch (payload[8]) {
    case k_failed:
      e = from_error(text);
      break;
    case k_timed_out:
      e = failure(EvalStatus::timed_out, timed_out_message());
      break;
    case k_too_large:
      e = failure(EvalStatus::output_too_large, output_too_large_message());
      break;
    case k_recorded:
      e = recorded(std::strtoul(text.c_str(), nullptr, 10));
      break;
    default:
      e = failure(EvalStatus::failed, k_evaluation_died_message);
      break;
  }
}

}  // namespace core
