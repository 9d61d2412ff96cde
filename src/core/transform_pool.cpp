#include "core/transform_pool.hpp"

extern "C" {
#include <libjsonnet.h>
}

#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <deque>
#include <new>

#include "core/jsonnet_manifest.hpp"
#include "core/jsonnet_vm.hpp"
#include "io/process.hpp"

namespace core {
namespace {

using Clock = std::chrono::steady_clock;

// The protocol between the pool and its helper. Frames: a type byte, an 8-byte
// little-endian length, the payload.
// To the helper:  'S' {"source", "name"} once; then 'C' per request: contexts, each an
//                 8-byte length and its JSON text.
// From the helper: 'R' when the template is loaded, or 'X' and libjsonnet's error when the
//                 template fails before it reads ctx; per request, any number of
//                 'V' (begin, end, the manifested array of their values) and
//                 'F' (index, a status byte, a text), then 'D' (evaluations run).
constexpr char k_failed = 'e';     // text: libjsonnet's error
constexpr char k_timed_out = 't';  // over 1 s, alone
constexpr char k_died = 'd';       // the evaluation process died, alone
constexpr char k_too_large = 'b';  // output over the cap, alone

constexpr std::size_t k_header_size = 9;
constexpr const char* k_too_large_message = "the output exceeds Kratos's 256 KiB limit";
constexpr auto k_kratos_limit = std::chrono::milliseconds(1000);

std::string u64(std::uint64_t n) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>(n >> (8 * i));
  return out;
}

std::uint64_t get_u64(const std::string& s, std::size_t at) {
  std::uint64_t n = 0;
  for (std::size_t i = 8; i >= 1; --i) n = (n << 8) | static_cast<unsigned char>(s[at + i - 1]);
  return n;
}

std::string frame(char type, const std::string& payload) {
  return std::string(1, type) + u64(payload.size()) + payload;
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

// What the helper evaluates once: load and force the template, then hand over to
// ory_segment_next, which returns (in each forked child) the contexts to evaluate. A child
// hands its results to ory_segment_done, which writes them and exits: libjsonnet's
// teardown of everything it loaded (tens of milliseconds of copy-on-write) is skipped.
// `'' + [...]` is libjsonnet's own manifester on one line; the values are what Kratos's
// manifest would print, re-indented by the pool.
std::string helper_code() {
  return "local t = " + detail::import_expression() +
         ";\n"
         "local contexts = if std.type(t) == '' then null else std.native('ory_segment_next')();\n"
         "if contexts == null then null else\n"
         "local cs = std.parseJson(contexts);\n"
         "local mark = std.native('ory_segment_mark');\n"
         "local call(c) = if std.type(t) == 'function' then t(ctx=c) else t;\n"
         "std.native('ory_segment_done')('' + [if mark(k) then call(cs[k]) else null\n"
         "                                    for k in std.range(0, std.length(cs) - 1)])\n";
}

// Shared between the helper and its children: the context a child is evaluating.
struct Marker {
  std::atomic<std::int64_t> index{-1};
};

struct Range {
  std::size_t begin = 0, end = 0;
  bool alone = false;  // a context retried by itself: Kratos's 1 s, from the start
};

class Server {
 public:
  Server(int in_fd, int out_fd, Marker* marker, ::JsonnetVm* vm)
      : m_in(in_fd), m_out(out_fd), m_marker(marker), m_vm(vm) {}

  bool in_child() const { return m_child; }
  bool started() const { return m_started; }
  int result_fd() const { return m_result_fd; }
  ::JsonnetVm* vm() const { return m_vm; }
  Marker* marker() const { return m_marker; }

  // In the helper: serves requests until EOF, then returns nullopt. In each forked child:
  // returns the contexts that child evaluates.
  std::optional<std::string> next() {
    if (!m_started) {
      m_started = true;
      if (!write_fd_all(m_out, frame('R', ""))) return std::nullopt;
    }
    for (;;) {
      if (m_queue.empty()) {
        if (m_open && !write_fd_all(m_out, frame('D', u64(m_runs)))) return std::nullopt;
        m_open = false;
        if (!read_request()) return std::nullopt;
        m_open = true;
        m_runs = 0;
        push({0, m_items.size(), false});
        continue;
      }
      const Range r = m_queue.front();
      m_queue.pop_front();
      int fds[2];
      if (::pipe(fds) != 0) {
        fail_range(r, k_died, "cannot create a pipe");
        continue;
      }
      m_marker->index.store(-1);
      const pid_t pid = ::fork();
      if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives the helper that watches it
        ::close(fds[0]);
        ::close(m_in);
        ::close(m_out);
        m_child = true;
        m_result_fd = fds[1];
        return range_text(r);
      }
      ::close(fds[1]);
      if (pid < 0) {
        ::close(fds[0]);
        fail_range(r, k_died, "cannot start an evaluation process");
        continue;
      }
      ++m_runs;
      watch(pid, fds[0], r);
    }
  }

 private:
  bool read_request() {
    std::string header, payload;
    if (!read_fd_exact(m_in, k_header_size, &header) || header[0] != 'C') return false;
    if (!read_fd_exact(m_in, get_u64(header, 1), &payload)) return false;
    m_items.clear();
    for (std::size_t at = 0; at + 8 <= payload.size();) {
      const std::size_t n = get_u64(payload, at);
      m_items.push_back(payload.substr(at + 8, n));
      at += 8 + n;
    }
    return true;
  }

  void push(const Range& r) {
    if (r.begin < r.end) m_queue.push_back(r);
  }

  std::string range_text(const Range& r) const {
    std::string text = "[";
    for (std::size_t i = r.begin; i < r.end; ++i) {
      if (i > r.begin) text += ',';
      text += m_items[i];
    }
    return text + "]";
  }

  void fail_item(std::size_t index, char status, const std::string& text) {
    write_fd_all(m_out, frame('F', u64(index) + std::string(1, status) + text));
  }

  void fail_range(const Range& r, char status, const std::string& text) {
    for (std::size_t i = r.begin; i < r.end; ++i) fail_item(i, status, text);
  }

  // The context at `at` by itself, the others again without it.
  void isolate(const Range& r, std::size_t at) {
    push({r.begin, at, false});
    push({at, at + 1, true});
    push({at + 1, r.end, false});
  }

  // Waits for a child, stopping it when a context runs over Kratos's limit or the output
  // over the cap, and reports or splits its range.
  void watch(pid_t pid, int fd, const Range& r) {
    const std::size_t n = r.end - r.begin;
    const std::size_t cap = n * (std::size_t{768} << 10) + (std::size_t{1} << 20);
    const auto t0 = Clock::now();
    auto since = t0;
    std::int64_t current = -1;
    std::string out;
    char stopped = 0;
    char buf[65536];
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      const int ready = ::poll(&p, 1, 20);
      if (ready > 0) {
        const ssize_t got = ::read(fd, buf, sizeof buf);
        if (got == 0 || (got < 0 && errno != EINTR)) break;
        if (got > 0) out.append(buf, static_cast<std::size_t>(got));
        if (out.size() > cap) {
          stopped = k_too_large;
          break;
        }
      }
      const auto now = Clock::now();
      const std::int64_t k = m_marker->index.load();
      if (k != current) {
        current = k;
        since = now;
      }
      const bool over = r.alone ? now - t0 > k_kratos_limit
                        : k < 0 ? now - t0 > k_kratos_limit + std::chrono::milliseconds(n)
                                : now - since > k_kratos_limit;
      if (over) {
        stopped = k_timed_out;
        break;
      }
    }
    if (stopped) ::kill(pid, SIGKILL);
    ::close(fd);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    const std::int64_t k = m_marker->index.load();
    const std::size_t at =
        r.begin + (k >= 0 && static_cast<std::size_t>(k) < n ? static_cast<std::size_t>(k) : 0);
    if (stopped == k_too_large) {
      if (n == 1) {
        fail_item(r.begin, k_too_large, "");
      } else {
        push({r.begin, r.begin + n / 2, false});
        push({r.begin + n / 2, r.end, false});
      }
    } else if (stopped == k_timed_out || out.empty() || (out[0] != 'O' && out[0] != 'E')) {
      if (r.alone || n == 1) {
        fail_item(at, stopped == k_timed_out ? k_timed_out : k_died, "");
      } else {
        isolate(r, at);
      }
    } else if (out[0] == 'O') {
      write_fd_all(m_out, frame('V', u64(r.begin) + u64(r.end) + out.substr(1)));
    } else if (k < 0) {
      fail_range(r, k_failed, out.substr(1));  // before any context: it concerns them all
    } else {
      fail_item(at, k_failed, out.substr(1));
      push({r.begin, at, false});
      push({at + 1, r.end, false});
    }
  }

  int m_in, m_out;
  Marker* m_marker;
  ::JsonnetVm* m_vm;
  bool m_started = false;
  bool m_child = false;
  bool m_open = false;
  int m_result_fd = -1;
  std::uint64_t m_runs = 0;
  std::vector<std::string> m_items;
  std::deque<Range> m_queue;
};

using Args = const JsonnetJsonValue* const*;

JsonnetJsonValue* native_next(void* ctx, Args /*argv*/, int* success) {
  auto* server = static_cast<Server*>(ctx);
  if (server->in_child()) {
    *success = 0;
    return jsonnet_json_make_string(server->vm(), "ory_segment_next: not available");
  }
  *success = 1;
  const auto contexts = server->next();
  if (!contexts) return jsonnet_json_make_null(server->vm());
  return jsonnet_json_make_string(server->vm(), contexts->c_str());
}

JsonnetJsonValue* native_done(void* ctx, Args argv, int* success) {
  auto* server = static_cast<Server*>(ctx);
  if (!server->in_child()) {
    *success = 0;
    return jsonnet_json_make_string(server->vm(), "ory_segment_done: not available");
  }
  const char* text = jsonnet_json_extract_string(server->vm(), argv[0]);
  write_fd_all(server->result_fd(), std::string("O") + (text ? text : "null"));
  ::_exit(0);
}

JsonnetJsonValue* native_mark(void* ctx, Args argv, int* success) {
  auto* server = static_cast<Server*>(ctx);
  double k = -1;
  jsonnet_json_extract_number(server->vm(), argv[0], &k);
  server->marker()->index.store(static_cast<std::int64_t>(k));
  *success = 1;
  return jsonnet_json_make_bool(server->vm(), 1);
}

}  // namespace

int serve_transform_worker(int in_fd, int out_fd) {
  // Ctrl-C and SIGTERM are for the backfill process, which stops its helpers itself; a
  // helper dies with it in any case.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGTERM, SIG_IGN);
  std::string header, payload;
  if (!read_fd_exact(in_fd, k_header_size, &header) || header[0] != 'S' ||
      !read_fd_exact(in_fd, get_u64(header, 1), &payload)) {
    return 1;
  }
  const Json setup = Json::parse(payload, nullptr, false);
  if (!setup.is_object()) return 1;
  void* shared =
      ::mmap(nullptr, sizeof(Marker), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) return 1;
  auto* marker = new (shared) Marker;
  JsonnetVm vm;
  detail::prepare_vm(&vm, setup.value("source", ""), setup.value("name", ""));
  Server server(in_fd, out_fd, marker, vm.handle());
  const char* no_params[] = {nullptr};
  const char* index_param[] = {"k", nullptr};
  jsonnet_native_callback(vm.handle(), "ory_segment_next", native_next, &server, no_params);
  jsonnet_native_callback(vm.handle(), "ory_segment_mark", native_mark, &server, index_param);
  const char* text_param[] = {"text", nullptr};
  jsonnet_native_callback(vm.handle(), "ory_segment_done", native_done, &server, text_param);
  std::string out, err;
  const bool ok = vm.evaluate("<ory-segment>", helper_code(), &out, &err);
  if (server.in_child()) {
    write_fd_all(server.result_fd(), ok ? "O" + out : "E" + err);
    ::_exit(0);
  }
  if (!server.started() && !write_fd_all(out_fd, frame('X', ok ? "" : err))) return 1;
  return 0;
}

TransformPool::TransformPool(TransformSetup setup, std::string worker_executable,
                             std::chrono::milliseconds load_limit)
    : m_setup(std::move(setup)),
      m_executable(std::move(worker_executable)),
      m_load_limit(load_limit) {}

TransformPool::~TransformPool() = default;

bool TransformPool::ensure_worker(std::string* err) {
  if (m_worker || m_template_outcome) return true;
  m_worker = io::ChildProcess::spawn({m_executable, "__transform-worker"}, "/dev/null", err);
  if (!m_worker) return false;
  const Json setup = {{"source", m_setup.source}, {"name", m_setup.name}};
  const auto deadline = Clock::now() + m_load_limit;
  std::string header, payload;
  if (!m_worker->write_all(frame('S', setup.dump()), deadline) ||
      !m_worker->read_exact(k_header_size, &header, deadline) ||
      !m_worker->read_exact(get_u64(header, 1), &payload, deadline)) {
    const bool timed_out = m_worker->timed_out();
    m_worker.reset();
    if (!timed_out) {
      *err = "the evaluation process died";
      return false;
    }
    m_template_outcome = failure(EvalStatus::timed_out,
                                 "the template's top level exceeds Kratos's 1 s limit (stopped)");
    return true;
  }
  if (header[0] == 'R') return true;
  m_worker.reset();
  // 'X': the template fails whatever the identity.
  const Diagnostic d = detail::diagnostic_from_jsonnet(payload, m_setup.name, m_setup.source);
  m_template_outcome = IdentityEvaluation{
      detail::is_cancel(d.message) ? EvalStatus::cancelled : EvalStatus::failed, "", nullptr, d};
  return true;
}

IdentityEvaluation TransformPool::failure(EvalStatus status, const std::string& message) const {
  return IdentityEvaluation{status, "", nullptr, {m_setup.name, message, ""}};
}

std::vector<IdentityEvaluation> TransformPool::evaluate(const std::vector<std::string>& contexts) {
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
  std::string request;
  for (const auto& c : contexts) request += u64(c.size()) + c;
  // The helper enforces the time limits itself; this only guards against it hanging.
  const auto deadline = Clock::now() + std::chrono::seconds(10) +
                        std::chrono::seconds(3) * static_cast<long>(contexts.size());
  if (!m_worker->write_all(frame('C', request), deadline)) {
    m_worker.reset();
    return out;
  }
  const EvalLimits limits;
  std::string header, payload;
  for (;;) {
    if (!m_worker->read_exact(k_header_size, &header, deadline) ||
        !m_worker->read_exact(get_u64(header, 1), &payload, deadline)) {
      m_worker.reset();  // kills it; the next request starts a fresh one
      return out;
    }
    const char type = header[0];
    if (type == 'D' && payload.size() >= 8) {
      m_evaluations += static_cast<long>(get_u64(payload, 0));
      return out;
    }
    if (type == 'V' && payload.size() >= 16) {
      const std::size_t begin = get_u64(payload, 0);
      const std::size_t end = std::min<std::size_t>(get_u64(payload, 8), out.size());
      Json values = Json::parse(payload.begin() + 16, payload.end(), nullptr, false);
      for (std::size_t i = begin; values.is_array() && i < end && i - begin < values.size(); ++i) {
        IdentityEvaluation& e = out[i];
        Json& value = values[i - begin];
        e.body = manifest_like_jsonnet(value);
        if (e.body.size() > limits.max_output) {
          e = failure(EvalStatus::output_too_large, k_too_large_message);
          continue;
        }
        e.status = EvalStatus::ok;
        e.error = Diagnostic{};
        e.value = std::move(value);
      }
    } else if (type == 'F' && payload.size() >= 9) {
      const std::size_t index = get_u64(payload, 0);
      if (index >= out.size()) continue;
      const std::string text = payload.substr(9);
      IdentityEvaluation& e = out[index];
      switch (payload[8]) {
        case k_failed: {
          Diagnostic d = detail::diagnostic_from_jsonnet(text, m_setup.name, m_setup.source);
          e = IdentityEvaluation{
              detail::is_cancel(d.message) ? EvalStatus::cancelled : EvalStatus::failed, "",
              nullptr, std::move(d)};
          break;
        }
        case k_timed_out:
          e = failure(EvalStatus::timed_out, "the evaluation exceeds Kratos's 1 s limit (stopped)");
          break;
        case k_too_large:
          e = failure(EvalStatus::output_too_large, k_too_large_message);
          break;
        default:
          e = failure(EvalStatus::failed, "the evaluation process died (out of memory or stack?)");
          break;
      }
    }
  }
}

}  // namespace core
