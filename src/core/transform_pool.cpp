#include "core/transform_pool.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/jsonnet_manifest.hpp"
#include "core/jsonnet_vm.hpp"
#include "io/process.hpp"

namespace core {
namespace {

constexpr const char* k_trace_marker = "ory-segment:item ";

// Frames: one type byte, an 8-byte little-endian length, the payload.
std::string frame(char type, const std::string& payload) {
  std::string out(1, type);
  std::uint64_t n = payload.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return out + payload;
}

std::uint64_t frame_length(const std::string& header) {
  std::uint64_t n = 0;
  for (std::size_t i = 8; i >= 1; --i) n = (n << 8) | static_cast<unsigned char>(header[i]);
  return n;
}

bool read_fd_exact(int fd, std::size_t n, std::string* out) {
  out->resize(n);
  std::size_t done = 0;
  while (done < n) {
    const ssize_t r = ::read(fd, &(*out)[done], n - done);
    if (r > 0) {
      done += static_cast<std::size_t>(r);
    } else if (r == 0 || errno != EINTR) {
      return false;
    }
  }
  return true;
}

bool write_fd_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      return false;
    }
  }
  return true;
}

// The code evaluated for a chunk: every identity through the template, each marked with a
// trace so a failure can be pinned to the identity being evaluated.
// The data arrives as external strings parsed with std.parseJson, which is far cheaper
// than parsing a megabyte of JSON as Jsonnet code.
std::string chunk_code(const Json& setup) {
  const bool with_session = setup.value("with_session", false);
  std::string code = "local t = " + detail::import_expression() + ";\n";
  code += "local base = std.parseJson(std.extVar('ory_segment_base'));\n";
  code += "local ids = std.parseJson(std.extVar('ory_segment_identities'));\n";
  code += "local ctx(i) = base + { identity: i }";
  if (with_session) code += " + { session: base.session + { identity: i } }";
  code += ";\n";
  code += "local call(c) = if std.type(t) == 'function' then t(ctx=c) else t;\n";
  // Force the template first: an error here (before any marker) concerns every identity.
  code += "if std.type(t) == '' then null else\n";
  // std.trace forces its arguments before printing, so the marker goes in a condition that
  // is decided before the identity's evaluation starts.
  code +=
      std::string("[if std.trace('") + k_trace_marker +
      "' + k, true) then call(ctx(ids[k])) else null for k in std.range(0, std.length(ids) - 1)]\n";
  return code;
}

}  // namespace

int serve_transform_worker(int in_fd, int out_fd) {
  Json setup;
  std::string header, payload;
  for (;;) {
    if (!read_fd_exact(in_fd, 9, &header)) return 0;
    if (!read_fd_exact(in_fd, frame_length(header), &payload)) return 1;
    if (header[0] == 'S') {
      setup = Json::parse(payload);
      continue;
    }
    // A chunk: start each with an empty trace file (our stderr), so the last marker in it
    // names the identity being evaluated when something goes wrong.
    if (::ftruncate(STDERR_FILENO, 0) == 0) ::lseek(STDERR_FILENO, 0, SEEK_SET);
    JsonnetVm vm;
    const std::string source = setup["source"].get<std::string>();
    const std::string name = setup["name"].get<std::string>();
    detail::prepare_vm(&vm, source, name);
    vm.ext_var("ory_segment_base", setup["base_ctx"].dump());
    vm.ext_var("ory_segment_identities", payload);
    std::string out, err;
    const bool ok = vm.evaluate("<ory-segment>", chunk_code(setup), &out, &err);
    if (!write_fd_all(out_fd, ok ? frame('O', out) : frame('E', err))) return 1;
  }
}

TransformPool::TransformPool(TransformSetup setup, std::string worker_executable,
                             const std::string& scratch_dir, int per_item_ms)
    : m_setup(std::move(setup)),
      m_executable(std::move(worker_executable)),
      m_per_item_ms(per_item_ms) {
  static std::atomic<int> counter{0};
  m_trace_path = scratch_dir + "/ory-segment-trace." + std::to_string(::getpid()) + "." +
                 std::to_string(counter++);
}

TransformPool::~TransformPool() {
  m_worker.reset();
  ::unlink(m_trace_path.c_str());
}

bool TransformPool::ensure_worker(std::string* err) {
  if (m_worker) return true;
  m_worker = io::ChildProcess::spawn({m_executable, "__transform-worker"}, m_trace_path, err);
  if (!m_worker) return false;
  const Json setup = {{"source", m_setup.source},
                      {"name", m_setup.name},
                      {"base_ctx", m_setup.base_ctx},
                      {"with_session", m_setup.with_session}};
  return m_worker->write_all(frame('S', setup.dump()),
                             std::chrono::steady_clock::now() + std::chrono::seconds(10));
}

long TransformPool::last_traced_item() {
  std::ifstream in(m_trace_path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  const auto pos = text.rfind(k_trace_marker);
  if (pos == std::string::npos) return -1;
  return std::strtol(text.c_str() + pos + std::strlen(k_trace_marker), nullptr, 10);
}

std::vector<IdentityEvaluation> TransformPool::evaluate(const std::vector<Json>& identities) {
  std::vector<IdentityEvaluation> out(identities.size());
  if (!identities.empty()) evaluate_range(identities, 0, identities.size(), &out);
  return out;
}

void TransformPool::evaluate_range(const std::vector<Json>& identities, std::size_t begin,
                                   std::size_t end, std::vector<IdentityEvaluation>* out) {
  if (begin >= end) return;
  const std::size_t n = end - begin;
  Json chunk = Json::array();
  for (std::size_t i = begin; i < end; ++i) chunk.push_back(identities[i]);
  std::string err;
  const auto fail_all = [&](EvalStatus status, const Diagnostic& d) {
    for (std::size_t i = begin; i < end; ++i)
      (*out)[i] = IdentityEvaluation{status, "", nullptr, d};
  };
  if (!ensure_worker(&err)) {
    fail_all(EvalStatus::failed, {m_setup.name, "cannot start the evaluation process: " + err, ""});
    return;
  }
  ++m_evaluations;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1000) +
                        std::chrono::milliseconds(static_cast<long>(n) * m_per_item_ms);
  std::string header, payload;
  const bool answered = m_worker->write_all(frame('C', chunk.dump()), deadline) &&
                        m_worker->read_exact(9, &header, deadline) &&
                        m_worker->read_exact(frame_length(header), &payload, deadline);
  if (!answered) {
    const bool timed_out = m_worker->timed_out();
    m_worker.reset();  // kills it; the next range starts a fresh one
    const Diagnostic d{m_setup.name,
                       timed_out ? "the evaluation exceeds Kratos's 1 s limit (stopped)"
                                 : "the evaluation process died (out of memory or stack?)",
                       ""};
    if (n == 1) {
      (*out)[begin] = IdentityEvaluation{timed_out ? EvalStatus::timed_out : EvalStatus::failed, "",
                                         nullptr, d};
      return;
    }
    // The identity being evaluated gets a try of its own (a slow machine is not a runaway
    // template); the ones before and after it are evaluated again.
    const long k = last_traced_item();
    const std::size_t at =
        k >= 0 && static_cast<std::size_t>(k) < n ? static_cast<std::size_t>(k) : 0;
    evaluate_range(identities, begin, begin + at, out);
    evaluate_range(identities, begin + at, begin + at + 1, out);
    evaluate_range(identities, begin + at + 1, end, out);
    return;
  }
  if (header[0] == 'E') {
    Diagnostic d = detail::diagnostic_from_jsonnet(payload, m_setup.name, m_setup.source);
    const long k = last_traced_item();
    if (k < 0 || static_cast<std::size_t>(k) >= n) {
      // Failed before any identity: the template itself (every identity would fail).
      fail_all(detail::is_cancel(d.message) ? EvalStatus::cancelled : EvalStatus::failed, d);
      return;
    }
    const std::size_t failed = static_cast<std::size_t>(k);
    (*out)[begin + failed] = IdentityEvaluation{
        detail::is_cancel(d.message) ? EvalStatus::cancelled : EvalStatus::failed, "", nullptr, d};
    evaluate_range(identities, begin, begin + failed, out);
    evaluate_range(identities, begin + failed + 1, end, out);
    return;
  }
  Json values = Json::parse(payload);
  const EvalLimits limits;
  for (std::size_t i = 0; i < n && i < values.size(); ++i) {
    IdentityEvaluation& e = (*out)[begin + i];
    e.body = manifest_like_jsonnet(values[i]);
    if (e.body.size() > limits.max_output) {
      e = IdentityEvaluation{EvalStatus::output_too_large,
                             "",
                             nullptr,
                             {m_setup.name, "the output exceeds Kratos's 256 KiB limit", ""}};
      continue;
    }
    e.status = EvalStatus::ok;
    e.value = std::move(values[i]);
  }
}

}  // namespace core
