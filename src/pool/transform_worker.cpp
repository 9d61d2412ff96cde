#include "pool/transform_worker.hpp"

extern "C" {
#include <libjsonnet.h>
}

#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <new>
#include <nlohmann/json.hpp>
#include <optional>

#include "engine/ctx_usage.hpp"
#include "engine/go_std.hpp"
#include "engine/jsonnet_throw.hpp"
#include "engine/jsonnet_vm.hpp"
#include "engine/kratos_sandbox.hpp"
#include "engine/transform.hpp"
#include "io/fd_io.hpp"
#include "io/forked_child.hpp"
#include "pool/transform_wire.hpp"
#include "pool/worker_driver.hpp"

namespace core {
namespace {

using namespace wire;  // NOLINT(google-build-using-namespace): the protocol's own names
using Clock = std::chrono::steady_clock;
using Json = nlohmann::ordered_json;

bool read_fd_exact(int fd, std::size_t n, std::string* out) {
  return io::read_exact(fd, n, out) == io::FdResult::ok;
}

bool write_fd_all(int fd, const std::string& data) {
  return io::write_all(fd, data) == io::FdResult::ok;
}

// Shared between the helper and its children: how many contexts the child has finished,
// which is the index of the one it is on.
struct Marker {
  std::atomic<std::int64_t> done{0};
  // The context a recorded outcome ended (it is `done` while the child goes on), and its
  // site (a fast cancel's or a lookup's).
  std::atomic<std::int64_t> cancelled{-1};
  std::atomic<std::int64_t> site{-1};
};

struct Range {
  std::size_t begin = 0, end = 0;
  bool alone = false;  // a context retried by itself: Kratos's 1 s, from the start
};

class Server {
 public:
  // Sites below `first_lookup_site` are fast cancels; from it on, `lookups`.
  Server(int in_fd, int out_fd, Marker* marker, ::JsonnetVm* vm, bool errors_at_throw,
         std::vector<CtxLookup> lookups, std::size_t first_lookup_site)
      : m_in(in_fd),
        m_out(out_fd),
        m_marker(marker),
        m_vm(vm),
        m_errors_at_throw(errors_at_throw),
        m_lookups(std::move(lookups)),
        m_first_lookup_site(first_lookup_site) {}

  bool in_child() const { return m_child; }
  bool started() const { return m_started; }
  ::JsonnetVm* vm() const { return m_vm; }

  // In the helper: serves requests until EOF, then returns nullopt. In each forked child:
  // returns how many contexts that child evaluates.
  std::optional<std::size_t> next() {
    if (!m_started) {
      m_started = true;
      if (!write_fd_all(m_out, frame('R', ""))) return std::nullopt;
    }
    for (;;) {
      if (m_queue.empty()) {
        if (m_open && !write_fd_all(m_out, frame('D', u64(m_runs) + u64(m_fast_cancels) +
                                                          u64(m_fast_failures)))) {
          return std::nullopt;
        }
        m_open = false;
        if (!read_request()) return std::nullopt;
        m_open = true;
        m_runs = 0;
        m_fast_cancels = 0;
        m_fast_failures = 0;
        push({0, m_items.size(), false});
        continue;
      }
      const Range r = m_queue.front();
      m_queue.pop_front();
      m_marker->done.store(0);
      m_marker->cancelled.store(-1);
      int child_fd = -1;
      std::string err;
      auto child = io::ForkedChild::fork_here(&child_fd, &err);
      if (child_fd >= 0) {  // the child: evaluates the range, from this callback on
        ::close(m_in);
        ::close(m_out);
        m_child = true;
        m_result_fd = child_fd;
        m_range = r;
        // An error ends this child where it is thrown: libjsonnet's unwinding would free
        // everything loaded, page by copy-on-write page, for nothing.
        if (m_errors_at_throw) {
          s_child = this;
          on_runtime_error([](const std::string& text) { s_child->finish('E', text); });
        }
        return r.end - r.begin;
      }
      if (!child) {
        fail_range(r, k_died, err);
        continue;
      }
      ++m_runs;
      watch(*child, r);
    }
  }

  // In a child: context k of its range.
  const std::string& item(std::size_t k) const {
    static const std::string none = "null";
    return m_range.begin + k < m_range.end ? m_items[m_range.begin + k] : none;
  }

  // In a child: one more result; the next context starts.
  void emit(std::string result) {
    m_results.push_back(m_recorded_site >= 0 ? "C" + std::to_string(m_recorded_site)
                                             : std::move(result));
    m_recorded_site = -1;
    m_marker->done.store(static_cast<std::int64_t>(m_results.size()));
  }

  // In a child: which of the lookups context k lacks.
  const std::vector<std::size_t>& absent(std::size_t k) const {
    static const std::vector<std::size_t> none;
    return m_range.begin + k < m_range.end ? m_absent[m_range.begin + k] : none;
  }

  // In a child: the context being evaluated reached a literal `error "...cancel..."`, or a
  // lookup of a field it lacks. That is its outcome, as libjsonnet's first error would be;
  // the evaluation goes on (with null in the error's place) only to reach the next context
  // without a new child.
  void record(long site) {
    if (m_recorded_site >= 0) return;  // the first one stands
    m_recorded_site = site;
    m_marker->site.store(site);
    m_marker->cancelled.store(static_cast<std::int64_t>(m_results.size()));
  }

  // In a child: reports the results and how it ended, and exits.
  [[noreturn]] void finish(char end, const std::string& text) {
    if (m_recorded_site >= 0) {
      emit("");
      if (end == 'E') end = 'S';
    }
    std::string out = u64(m_results.size());
    for (const auto& r : m_results) out += u64(r.size()) + r;
    out += end;
    out += text;
    write_fd_all(m_result_fd, out);
    ::_exit(0);
  }

 private:
  bool read_request() {
    std::string header, payload;
    if (!read_fd_exact(m_in, k_header_size, &header) || header[0] != 'C') return false;
    if (!read_fd_exact(m_in, payload_size(header), &payload)) return false;
    m_items = decode_items(payload);
    // Each item: the indices of the lookups it lacks (comma-separated), a newline, the ctx.
    m_absent.assign(m_items.size(), {});
    for (std::size_t i = 0; i < m_items.size(); ++i) {
      std::string& item = m_items[i];
      const std::size_t nl = item.find('\n');
      if (nl == std::string::npos) continue;
      for (const char* p = item.c_str(); p < item.c_str() + nl;) {
        char* end = nullptr;
        const unsigned long id = std::strtoul(p, &end, 10);
        if (end == p) break;
        if (id < m_lookups.size()) m_absent[i].push_back(id);
        p = end + (*end == ',' ? 1 : 0);
      }
      item.erase(0, nl + 1);
    }
    return true;
  }

  void push(const Range& r) {
    if (r.begin < r.end) m_queue.push_back(r);
  }

  void fail_item(std::size_t index, char status, const std::string& text) {
    write_fd_all(m_out, frame('F', u64(index) + std::string(1, status) + text));
  }

  void fail_range(const Range& r, char status, const std::string& text) {
    for (std::size_t i = r.begin; i < r.end; ++i) fail_item(i, status, text);
  }

  // Waits for a child, stopping it when a context runs over Kratos's limit or the output
  // over the cap; reports what it finished and what stopped it, and queues the rest.
  //
  // The limit counts the evaluation, as Kratos's does on its own warm worker: the child's
  // CPU time on the context it is on, not time it spent waiting for a CPU on a loaded
  // machine. A child that makes no progress at all for k_stall_limit is stopped as well.
  void watch(io::ForkedChild& child, const Range& r) {
    const std::size_t n = r.end - r.begin;
    const std::size_t cap = n * (std::size_t{768} << 10) + (std::size_t{1} << 20);
    const auto t0 = Clock::now();
    const auto cpu0 = child.cpu_time();
    auto since = t0;
    auto cpu_since = cpu0;
    std::int64_t current = 0;
    std::string out;
    char stopped = 0;
    for (;;) {
      if (child.read_some(&out, std::chrono::milliseconds(20)) == io::ForkedChild::Read::eof) {
        break;
      }
      if (out.size() > cap) {
        stopped = k_too_large;
        break;
      }
      const auto now = Clock::now();
      const auto cpu = child.cpu_time();
      const std::int64_t done = m_marker->done.load();
      if (done != current) {
        current = done;
        since = now;
        cpu_since = cpu;
      }
      // Kratos's limit (kratos_sandbox.hpp): the CPU time on the context it is on.
      const auto spent = cpu - (r.alone ? cpu0 : cpu_since);
      if (spent > EvalLimits{}.timeout || now - since > k_stall_limit) {
        stopped = k_timed_out;
        break;
      }
    }
    if (stopped) child.kill();
    child.reap();
    const ChildReport report = stopped ? ChildReport{} : parse_report(out);
    const std::size_t finished = std::min(report.results.size(), n);
    report_results(r.begin, report.results, finished);
    // The context it was on when it ended.
    const std::int64_t marked = std::max<std::int64_t>(m_marker->done.load(), 0);
    const std::size_t at =
        r.begin + (report.end ? finished : std::min(static_cast<std::size_t>(marked), n - 1));
    if (report.end == 'O' || at >= r.end) return;
    if (report.end == 'S') {
      push({at, r.end, false});
    } else if (report.end == 'E') {
      fail_item(at, k_failed, report.text);
      push({at + 1, r.end, false});
    } else if (m_marker->cancelled.load() == marked) {
      // Killed or died after a recorded outcome: it stands.
      count_recorded(m_marker->site.load());
      fail_item(at, k_recorded, std::to_string(m_marker->site.load()));
      push({r.begin, at, false});
      push({at + 1, r.end, false});
    } else if (stopped == k_too_large) {
      if (n == 1) {
        fail_item(r.begin, k_too_large, "");
      } else {
        push({r.begin, r.begin + n / 2, false});
        push({r.begin + n / 2, r.end, false});
      }
    } else if (r.alone || n == 1) {  // stopped at the limit, or died
      fail_item(at, stopped == k_timed_out ? k_timed_out : k_died, "");
    } else {
      // The one it was on gets a try of its own (a slow machine is not a runaway
      // template); the others are evaluated again without it.
      push({r.begin, at, false});
      push({at, at + 1, true});
      push({at + 1, r.end, false});
    }
  }

  void count_recorded(long site) {
    ++(site >= 0 && static_cast<std::size_t>(site) >= m_first_lookup_site ? m_fast_failures
                                                                          : m_fast_cancels);
  }

  // Values as 'V' frames (runs of them), recorded outcomes as 'F' frames.
  void report_results(std::size_t begin, const std::vector<std::string>& results,
                      std::size_t count) {
    std::string values;
    std::size_t run_begin = begin;
    const auto flush = [&](std::size_t end) {
      if (end > run_begin) {
        write_fd_all(m_out, frame('V', u64(run_begin) + u64(end) + "[" + values + "]"));
      }
      values.clear();
    };
    for (std::size_t i = 0; i < count; ++i) {
      const std::string& result = results[i];
      if (!result.empty() && result[0] == 'C') {
        flush(begin + i);
        run_begin = begin + i + 1;
        count_recorded(std::strtol(result.c_str() + 1, nullptr, 10));
        fail_item(begin + i, k_recorded, result.substr(1));
        continue;
      }
      // Each value comes as `[value]`: the array's inside is the value.
      if (!values.empty()) values += ',';
      values.append(result, 1, result.size() - 2);
    }
    flush(begin + count);
  }

  static Server* s_child;  // in a child: the server whose finish() an error calls

  int m_in, m_out;
  Marker* m_marker;
  ::JsonnetVm* m_vm;
  bool m_errors_at_throw;
  bool m_started = false;
  bool m_child = false;
  bool m_open = false;
  int m_result_fd = -1;
  Range m_range;
  std::uint64_t m_runs = 0;
  std::uint64_t m_fast_cancels = 0;
  std::uint64_t m_fast_failures = 0;
  std::vector<CtxLookup> m_lookups;
  std::size_t m_first_lookup_site;
  std::vector<std::string> m_items;
  std::vector<std::vector<std::size_t>> m_absent;  // per item: the lookups it lacks
  std::vector<std::string> m_results;
  long m_recorded_site = -1;
  std::deque<Range> m_queue;
};

Server* Server::s_child = nullptr;

using Args = const JsonnetJsonValue* const*;

JsonnetJsonValue* unavailable(Server* server, int* success) {
  *success = 0;
  return jsonnet_json_make_string(server->vm(), "not available");
}

JsonnetJsonValue* native_next(void* ctx, Args /*argv*/, int* success) {
  auto* server = static_cast<Server*>(ctx);
  if (server->in_child()) return unavailable(server, success);
  *success = 1;
  const auto n = server->next();
  if (!n) return jsonnet_json_make_null(server->vm());
  return jsonnet_json_make_number(server->vm(), static_cast<double>(*n));
}

JsonnetJsonValue* native_item(void* ctx, Args argv, int* success) {
  auto* server = static_cast<Server*>(ctx);
  if (!server->in_child()) return unavailable(server, success);
  double k = -1;
  jsonnet_json_extract_number(server->vm(), argv[0], &k);
  *success = 1;
  return jsonnet_json_make_string(server->vm(),
                                  server->item(static_cast<std::size_t>(k < 0 ? 0 : k)).c_str());
}

JsonnetJsonValue* native_emit(void* ctx, Args argv, int* success) {
  auto* server = static_cast<Server*>(ctx);
  if (!server->in_child()) return unavailable(server, success);
  const char* text = jsonnet_json_extract_string(server->vm(), argv[0]);
  server->emit(text ? text : "[null]");
  *success = 1;
  return jsonnet_json_make_bool(server->vm(), 1);
}

JsonnetJsonValue* native_done(void* ctx, Args /*argv*/, int* success) {
  auto* server = static_cast<Server*>(ctx);
  if (!server->in_child()) return unavailable(server, success);
  server->finish('O', "");
}

// `error "...cancel..."`, or a lookup of an absent field, in a child: recorded without
// unwinding libjsonnet.
JsonnetJsonValue* record_site(Server* server, Args argv, int* success) {
  double site = -1;
  jsonnet_json_extract_number(server->vm(), argv[0], &site);
  server->record(static_cast<long>(site));
  *success = 1;
  return jsonnet_json_make_null(server->vm());
}

JsonnetJsonValue* native_absent(void* ctx, Args argv, int* success) {
  auto* server = static_cast<Server*>(ctx);
  if (!server->in_child()) return unavailable(server, success);
  return record_site(server, argv, success);
}

JsonnetJsonValue* native_absent_ids(void* ctx, Args argv, int* success) {
  auto* server = static_cast<Server*>(ctx);
  if (!server->in_child()) return unavailable(server, success);
  double k = -1;
  jsonnet_json_extract_number(server->vm(), argv[0], &k);
  JsonnetJsonValue* out = jsonnet_json_make_array(server->vm());
  for (const std::size_t id : server->absent(static_cast<std::size_t>(k < 0 ? 0 : k))) {
    jsonnet_json_array_append(server->vm(), out,
                              jsonnet_json_make_number(server->vm(), static_cast<double>(id)));
  }
  *success = 1;
  return out;
}

JsonnetJsonValue* native_has_absent(void* ctx, Args argv, int* success) {
  auto* server = static_cast<Server*>(ctx);
  if (!server->in_child()) return unavailable(server, success);
  double k = -1;
  jsonnet_json_extract_number(server->vm(), argv[0], &k);
  *success = 1;
  return jsonnet_json_make_bool(
      server->vm(), server->absent(static_cast<std::size_t>(k < 0 ? 0 : k)).empty() ? 0 : 1);
}

JsonnetJsonValue* native_cancel(void* ctx, Args argv, int* success) {
  auto* server = static_cast<Server*>(ctx);
  if (server->in_child()) return record_site(server, argv, success);
  *success = 0;  // the template's top level: an ordinary error, every identity cancelled
  return jsonnet_json_make_string(server->vm(), "cancel");
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
      !read_fd_exact(in_fd, payload_size(header), &payload)) {
    return 1;
  }
  WorkerSetup setup;
  if (!decode_setup(payload, &setup)) return 1;  // another protocol version: the pool says so
  void* shared =
      ::mmap(nullptr, sizeof(Marker), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) return 1;
  auto* marker = new (shared) Marker;
  JsonnetVm vm;
  // The pool numbered the sites: fast cancels from 0, the absent-field lookups after them.
  prepare_kratos_vm(&vm, setup.source, setup.name, setup.fast_cancel ? k_fast_cancel_field : "");
  const std::size_t first_lookup_site = setup.cancel_sites;
  std::vector<CtxLookup> lookups;
  for (auto& path : setup.lookup_paths) lookups.push_back(CtxLookup{std::move(path), 0, 0});
  const std::string code = helper_code(lookups, first_lookup_site);
  Server server(in_fd, out_fd, marker, vm.handle(), runtime_errors_readable(), std::move(lookups),
                first_lookup_site);
  const char* no_params[] = {nullptr};
  const char* k_param[] = {"k", nullptr};
  const char* text_param[] = {"text", nullptr};
  const char* site_param[] = {"site", nullptr};
  jsonnet_native_callback(vm.handle(), "ory_segment_next", native_next, &server, no_params);
  jsonnet_native_callback(vm.handle(), "ory_segment_item", native_item, &server, k_param);
  jsonnet_native_callback(vm.handle(), "ory_segment_emit", native_emit, &server, text_param);
  jsonnet_native_callback(vm.handle(), "ory_segment_done", native_done, &server, text_param);
  jsonnet_native_callback(vm.handle(), "ory_segment_cancel", native_cancel, &server, site_param);
  jsonnet_native_callback(vm.handle(), "ory_segment_absent", native_absent, &server, site_param);
  jsonnet_native_callback(vm.handle(), "ory_segment_absent_ids", native_absent_ids, &server,
                          k_param);
  jsonnet_native_callback(vm.handle(), "ory_segment_has_absent", native_has_absent, &server,
                          k_param);
  std::string out, err;
  const bool ok = vm.evaluate(main_file_beside(setup.name), code, &out, &err);
  if (server.in_child()) server.finish(ok ? 'O' : 'E', ok ? "" : err);
  if (!server.started() && !write_fd_all(out_fd, frame('X', ok ? "" : err))) return 1;
  return 0;
}

}  // namespace core
