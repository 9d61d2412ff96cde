#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/ctx_usage.hpp"
#include "core/transform.hpp"

namespace io {
class ChildProcess;
}

namespace core {

using Json = nlohmann::ordered_json;

// The template a backfill runs.
struct TransformSetup {
  std::string source;
  std::string name;
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
// the error and the others are evaluated again without it. A context still running after
// Kratos's 1 s is stopped and tried alone with 1 s of its own (a slow machine is not a
// runaway template). So a failing or runaway identity costs itself, not the run.
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

  // One result per ctx (JSON text). When `stop` becomes true the evaluation is abandoned
  // within about 100 ms (the helper and its children killed) and the results are failures.
  std::vector<IdentityEvaluation> evaluate(const std::vector<std::string>& contexts,
                                           const std::atomic<bool>* stop = nullptr);

  // Evaluations (forked children) run so far, for tests and benchmarks.
  long evaluations() const { return m_evaluations; }
  // Identities cancelled by a literal `error "...cancel..."` without libjsonnet's error path.
  long fast_cancels() const { return m_fast_cancels; }

 private:
  bool ensure_worker(std::string* err);
  IdentityEvaluation failure(EvalStatus status, const std::string& message) const;
  // libjsonnet's error for an identity: cancelled or failed, located in the template.
  IdentityEvaluation from_error(const std::string& jsonnet_error) const;

  TransformSetup m_setup;
  std::string m_executable;
  std::chrono::milliseconds m_load_limit;
  std::unique_ptr<io::ChildProcess> m_worker;
  // The template fails (or times out) before reading ctx: every identity gets this.
  std::optional<IdentityEvaluation> m_template_outcome;
  // The helper's copy of the template, where `error "...cancel..."` exits fast.
  std::optional<FastCancel> m_fast_cancel;
  long m_evaluations = 0;
  long m_fast_cancels = 0;
};

}  // namespace core
