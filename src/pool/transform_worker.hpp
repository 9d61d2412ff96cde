#pragma once

namespace core {

// The hidden verb that runs a TransformPool's helper process.
constexpr const char* k_transform_worker_verb = "__transform-worker";

// The helper process's side of TransformPool: serves evaluation requests from `in_fd`,
// answers on `out_fd` (see transform_wire), until EOF. Returns the process exit status.
//
// It loads libjsonnet's std and the template once and, from a native callback inside that
// one evaluation, forks a child per batch of contexts. A child fetches each context and
// hands over each result through native callbacks, counting them in memory shared with
// the helper, so an error, a crash or a runaway identity is pinned to one identity and
// the next child starts after it. Kratos's limits (kratos_sandbox) are enforced here.
int serve_transform_worker(int in_fd, int out_fd);

}  // namespace core
