#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/ctx_usage.hpp"
#include "engine/transform.hpp"

namespace io {
class ChildProcess;
}

namespace core {

using Json = nlohmann::ordered_json;

// The template a backfill runs.
struct TransformSetup {
  std::string source;
  std::string name;
  std::size_t max_output = EvalLimits{}.max_output;  // the Kratos profile's output limit
};

// One identity's outcome: exactly what evaluate_template would give for its ctx.
struct IdentityEvaluation {
  EvalStatus status = EvalStatus::failed;
  std::string body;  // ok: the manifested JSON, byte for byte what Kratos sends
  Json value;        // ok: the same, parsed
  Finding error;     // every other status
};

// Evaluates many contexts per libjsonnet evaluation, with per-identity isolation, in a
// helper process (this binary's hidden worker verb, transform_worker).
//
// The helper loads libjsonnet's standard library and the template once, then forks a
// child per evaluation from inside it (a native callback hands each child its contexts),
// so an evaluation costs a fork, not a fresh VM. A child marks each context as it starts
// on it, in memory it shares with the helper; when a child fails, the marked context gets
// the error and the others are evaluated again without it.
//
// Failing identities are cheap: a literal cancel and a lookup of a field the identity
// lacks (single_site_lookups) are recorded where libjsonnet would throw, and the child goes
// on; any other error ends the child where it is thrown (jsonnet_throw), without
// libjsonnet's unwinding and teardown. A context that uses more than Kratos's 1 s of CPU
// is stopped and tried alone with 1 s of its own (time spent waiting for a CPU on a loaded
// machine does not count). So a failing or runaway identity costs itself, not the run.
// One instance per thread.
class TransformPool {
 public:
  // `load_limit`: how long the helper may take to load the template and evaluate its top
  // level (Kratos allows 1 s; libjsonnet needs tens of milliseconds more to load).
  TransformPool(TransformSetup setup, std::string worker_executable,
                std::chrono::milliseconds load_limit = std::chrono::seconds(5));
  ~TransformPool();
  TransformPool(const TransformPool&) = delete;
  TransformPool& operator=(const TransformPool&) = delete;

  // One result per ctx. When `stop` becomes true the evaluation is abandoned within about
  // 100 ms (the helper and its children killed) and the results are failures.
  std::vector<IdentityEvaluation> evaluate(const std::vector<Json>& contexts,
                                           const std::atomic<bool>* stop = nullptr);

  // Evaluations (forked children) run so far, for tests and benchmarks.
  long evaluations() const { return m_evaluations; }
  // Identities cancelled by a literal `error "...cancel..."` without libjsonnet's error path.
  long fast_cancels() const { return m_fast_cancels; }
  // Identities failed by a lookup of a field they lack, without libjsonnet's error path.
  long fast_failures() const { return m_fast_failures; }

 private:
  bool ensure_worker(std::string* err);
  // `ctx` as the helper receives it: the lookups it lacks, then its JSON (transform_wire).
  std::string item(const Json& ctx) const;
  IdentityEvaluation failure(EvalStatus status, const std::string& message) const;
  // The outcome recorded at a site: a fast cancel's, or an absent field's lookup.
  IdentityEvaluation recorded(std::size_t site) const;
  // libjsonnet's error for an identity: cancelled or failed, located in the template.
  IdentityEvaluation from_error(const std::string& jsonnet_error) const;
  // The helper's 'V' and 'F' frames, into the results.
  void take_values(const std::string& payload, std::vector<IdentityEvaluation>* out) const;
  void take_failure(const std::string& payload, std::vector<IdentityEvaluation>* out) const;

  TransformSetup m_setup;
  std::string m_executable;
  std::chrono::milliseconds m_load_limit;
  std::unique_ptr<io::ChildProcess> m_worker;
  // The template fails (or times out) before reading ctx: every identity gets this.
  std::optional<IdentityEvaluation> m_template_outcome;
  // The helper's copy of the template, where `error "...cancel..."` exits fast.
  std::optional<FastCancel> m_fast_cancel;
  // The fields whose absence the helper records without an error (single_site_lookups).
  std::vector<CtxLookup> m_lookups;
  long m_evaluations = 0;
  long m_fast_cancels = 0;
  long m_fast_failures = 0;
};

}  // namespace core
