#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/transform.hpp"

namespace io {
class ChildProcess;
}

namespace core {

using Json = nlohmann::ordered_json;

// What every evaluation of a backfill shares: the template and the ctx around the identity.
struct TransformSetup {
  std::string source;
  std::string name;
  Json base_ctx;              // ctx without identity (and without session.identity)
  bool with_session = false;  // the hook point passes a session holding the identity
};

// One identity's outcome: exactly what evaluate_template would give for it.
struct IdentityEvaluation {
  EvalStatus status = EvalStatus::failed;
  std::string body;  // ok: the manifested JSON, byte for byte what Kratos sends
  Json value;        // ok: the same, parsed
  Diagnostic error;  // every other status
};

// Evaluates many identities per libjsonnet evaluation in a helper process (this binary's
// hidden `__transform-worker` verb), keeping per-identity isolation: when an evaluation
// fails, std.trace markers name the identity that failed; it gets the error and the rest
// are evaluated again without it. A time limit of 1 s plus `per_item_ms` per identity
// bounds each evaluation; on a timeout the identity being evaluated is tried alone (1 s, as
// Kratos allows), so a runaway template costs one identity, not the run.
// One instance per thread.
class TransformPool {
 public:
  TransformPool(TransformSetup setup, std::string worker_executable, const std::string& scratch_dir,
                int per_item_ms = 20);
  ~TransformPool();
  TransformPool(const TransformPool&) = delete;
  TransformPool& operator=(const TransformPool&) = delete;

  // `identities` as they go into ctx.identity (credentials and metadata_admin removed).
  std::vector<IdentityEvaluation> evaluate(const std::vector<Json>& identities);

  // Evaluations run so far (for progress and benchmarks).
  long evaluations() const { return m_evaluations; }

 private:
  void evaluate_range(const std::vector<Json>& identities, std::size_t begin, std::size_t end,
                      std::vector<IdentityEvaluation>* out);
  bool ensure_worker(std::string* err);
  long last_traced_item();

  TransformSetup m_setup;
  std::string m_executable;
  std::string m_trace_path;
  int m_per_item_ms;
  std::unique_ptr<io::ChildProcess> m_worker;
  long m_evaluations = 0;
};

// The helper process's side: serves evaluation requests from `in_fd`, answers on
// `out_fd`, until EOF. Returns the process exit status.
int serve_transform_worker(int in_fd, int out_fd);

}  // namespace core
