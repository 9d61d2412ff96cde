// ory-segment listen: a local Segment endpoint that checks what it receives.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "cli/common.hpp"
#include "cli/diagnostics.hpp"
#include "cli/flags.hpp"
#include "cli/listen_faults.hpp"
#include "cli/listen_ui.hpp"
#include "cli/verbs.hpp"
#include "io/fd_io.hpp"
#include "io/http_server.hpp"
#include "io/process.hpp"
#include "segment/message_history.hpp"
#include "segment/segment_endpoint.hpp"
#include "util/text.hpp"
#include "util/time_format.hpp"
#include "util/url.hpp"

namespace cli {
namespace {

struct ListenOptions {
  std::string host = "127.0.0.1";
  int port = 8765;
  long max_events = 0;
  long expect = 0;  // exit 1 when fewer messages arrived
  double client_timeout = 10;
  double exit_after = 0;
  WriteKeyOptions key;
  std::string jsonl;
  bool quiet = false;
  bool strict_auth = false;
  bool ui = false;
  std::vector<std::string> fail;
  std::string respond;
};

std::string now_iso8601() {
  return util::iso8601_utc(std::chrono::system_clock::now(), util::Fraction::millis);
}

std::string short_value(const core::Json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return util::escape_controls(s);
}

// "identify userId=... email=... name=..." for the terminal.
std::string describe(const core::ReceivedMessage& m) {
  const core::Json& msg = m.message;
  std::string line = m.type.empty() ? "?" : m.type;
  if (!msg.is_object()) return line + " (not an object)";
  for (const char* id : {"userId", "anonymousId", "previousId", "groupId", "event", "name"}) {
    if (msg.contains(id) && !msg[id].is_null())
      line += std::string(" ") + id + "=" + short_value(msg[id]);
  }
  for (const char* bag : {"traits", "properties"}) {
    if (!msg.contains(bag) || !msg[bag].is_object()) continue;
    int shown = 0;
    for (const auto& [key, value] : msg[bag].items()) {
      if (shown++ == 3) {
        line += " ...";
        break;
      }
      line += " " + util::escape_controls(key) + "=" + short_value(value);
    }
  }
  return line;
}

class Listener {
 public:
  Listener(const ListenOptions& opts, std::string write_key, std::deque<Fault> faults)
      : m_opts(opts),
        m_write_key(std::move(write_key)),
        m_faults(std::move(faults)),
        m_answer(parse_answer(opts.respond)) {
    m_colour = ::isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
    if (!opts.jsonl.empty()) {
      refuse_output_onto_inputs(
          "--jsonl", opts.jsonl,
          {{"--write-key-file", opts.key.key_file}, {"--respond", answer_file(opts.respond)}});
      m_jsonl = ::open(opts.jsonl.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
      if (m_jsonl < 0) throw bad_input(opts.jsonl + ": cannot open for writing");
    }
  }

  // The page and its stream (--ui), beside the endpoint.
  void attach_ui(ListenUi* ui) { m_ui = ui; }

  // Never lets an exception reach the connection thread: a bug answers 500, not a crash.
  io::ServerResponse handle(const io::ServerRequest& req, io::HttpServer& server) {
    try {
      if (m_ui) {
        if (auto page = m_ui->answer(req)) return std::move(*page);
      }
      return handle_unsafe(req, server);
    } catch (const std::exception& e) {
      return io::ServerResponse{500,
                                {},
                                core::Json{{"success", false}, {"error", e.what()}}.dump(
                                    -1, ' ', false, core::Json::error_handler_t::replace)};
    }
  }

  io::ServerResponse handle_unsafe(const io::ServerRequest& req, io::HttpServer& server) {
    std::lock_guard<std::mutex> lock(m_mutex);
    std::chrono::milliseconds delay{0};
    if (!m_faults.empty()) {
      // A slow answer is still an answer: the request is processed and recorded.
      if (m_faults.front().kind != Fault::Kind::slow) return inject_fault();
      delay = inject_fault().delay;
    }
    core::EndpointOptions options;
    options.strict_auth = m_opts.strict_auth;
    options.content_encoding = req.header("content-encoding");
    core::EndpointResult result = core::handle_tracking_request(
        m_write_key, req.method, req.target, req.header("authorization"), req.body, options);
    io::ServerResponse response{result.status, {}, result.body};
    response.delay = delay;
    if (!result.error.empty()) {
      ++m_rejected_requests;
      if (!m_opts.quiet) {
        std::cout << now_iso8601().substr(11, 8) << " " << req.method << " " << req.target << " -> "
                  << result.status << " " << result.error << "\n"
                  << std::flush;
      }
      if (m_ui) m_ui->publish_refused(req, result.error, now_iso8601());
      return response;
    }
    if (core::drop_duplicates(&m_history, &result.messages, core::unix_seconds_now()))
      response.headers.emplace_back(core::k_dropped_header, "duplicate messageId");
    // Recorded before it is answered: a message --jsonl cannot hold is not acknowledged, so
    // the sender retries it (Segment's clients retry a 503).
    if (!append_jsonl(result.messages)) {
      ++m_rejected_requests;
      return io::ServerResponse{503,
                                {{"Content-Type", "application/json"}},
                                R"({"success":false,"error":"the events file cannot be written"})"};
    }
    const std::string received_at = now_iso8601();
    for (const auto& m : result.messages) record(m, received_at);
    if (m_ui) m_ui->publish(result.messages, req, options, received_at);
    if (m_opts.max_events > 0 && m_events >= m_opts.max_events) server.stop();
    if (m_answer) {
      response.status = m_answer->status;
      response.body = m_answer->body;
      if (!response.body.empty()) response.headers.emplace_back("Content-Type", "application/json");
    }
    return response;
  }

  // The messageIds kept in the last 24 hours of --jsonl's earlier runs.
  void load_history() {
    if (m_opts.jsonl.empty()) return;
    const std::size_t n = m_history.load_jsonl(m_opts.jsonl, core::unix_seconds_now());
    if (n > 0) {
      note(std::to_string(n) + " messageId(s) kept in the last 24 hours, from " + m_opts.jsonl +
           ": a message that repeats one is dropped as a duplicate, as Segment drops it");
    }
  }

  int summary() {
    std::lock_guard<std::mutex> lock(m_mutex);
    std::string by_type;
    for (const auto& [type, n] : m_by_type)
      by_type += (by_type.empty() ? "" : ", ") + type + " " + std::to_string(n);
    const long kept = m_events - m_dropped - m_duplicates;
    std::cout << "received " << m_events << " message" << (m_events == 1 ? "" : "s") << ": " << kept
              << " accepted, " << m_dropped << " would be dropped"
              << (by_type.empty() ? "" : " (" + by_type + ")");
    if (m_duplicates > 0) {
      std::cout << "; " << m_duplicates << " duplicate messageId" << (m_duplicates == 1 ? "" : "s")
                << " (dropped, as Segment drops them)";
    }
    if (m_rejected_requests > 0) {
      std::cout << "; " << util::counted(m_rejected_requests, "request") << " rejected";
    }
    if (m_faulted > 0) {
      std::cout << "; " << util::counted(m_faulted, "request") << " answered with injected faults";
    }
    std::cout << "\n" << std::flush;
    if (kept < m_opts.expect) {
      error("expected " + std::to_string(m_opts.expect) + " message" +
            (m_opts.expect == 1 ? "" : "s") + " kept, received " + std::to_string(kept) +
            (m_events > kept ? " (and " + std::to_string(m_events - kept) + " dropped)" : "") +
            ": the hook did not fire (or did not reach this endpoint)");
      return 1;
    }
    if (m_jsonl_failed) {
      error(m_opts.jsonl + ": some messages could not be recorded (answered 503)");
      return 1;
    }
    return m_dropped > 0 ? 1 : 0;
  }

 private:
  io::ServerResponse inject_fault() {
    Fault& f = m_faults.front();
    io::ServerResponse r;
    if (f.kind == Fault::Kind::reset) {
      r.reset = true;
    } else if (f.kind == Fault::Kind::slow) {
      r.delay = std::chrono::milliseconds(static_cast<long>(f.slow_seconds * 1000));
      r.body = R"({"success":true})";
    } else {
      r.status = f.status;
      r.body = core::Json{{"success", false}, {"error", "injected by --fail"}}.dump();
      if (!f.retry_after.empty()) r.headers.emplace_back("Retry-After", f.retry_after);
    }
    ++m_faulted;
    if (!m_opts.quiet) {
      std::cout << now_iso8601().substr(11, 8) << " fault injected: "
                << (f.kind == Fault::Kind::reset  ? "connection reset"
                    : f.kind == Fault::Kind::slow ? "slow answer"
                                                  : std::to_string(f.status))
                << "\n"
                << std::flush;
    }
    if (--f.count == 0) m_faults.pop_front();
    return r;
  }

  void record(const core::ReceivedMessage& m, const std::string& received_at) {
    ++m_events;
    ++m_by_type[m.type.empty() ? "?" : m.type];
    if (m.duplicate) {
      ++m_duplicates;
    } else if (m.dropped) {
      ++m_dropped;
    }
    if (!m_opts.quiet) {
      const char* green = m_colour ? "\033[32m" : "";
      const char* red = m_colour ? "\033[31m" : "";
      const char* reset = m_colour ? "\033[0m" : "";
      std::cout << received_at.substr(11, 8) << " " << describe(m) << "  "
                << (m.duplicate ? std::string(red) + "DROPPED: " + m.reason
                    : m.dropped ? std::string(red) + "DROPPED: Segment would drop this: " + m.reason
                                : std::string(green) + "accepted")
                << reset << "\n";
      for (const auto& w : m.warnings) std::cout << "         " << core::to_string(w) << "\n";
      std::cout << std::flush;
    }
  }

  // The messages' lines in --jsonl, all or none;
  // false when the file cannot take them (said once on stderr).
  bool append_jsonl(const std::vector<core::ReceivedMessage>& messages) {
    if (m_jsonl < 0) return true;
    const std::string received_at = now_iso8601();
    std::string lines;
    for (const auto& m : messages) {
      // m.message has no write key (core::redact_write_keys).
      const core::Json line = {{"receivedAt", received_at},
                               {"type", m.type},
                               {"verdict", m.dropped ? "dropped" : "accepted"},
                               {"reason", m.dropped ? core::Json(m.reason) : core::Json()},
                               {"message", m.message}};
      lines += line.dump() + "\n";
    }
    // All the lines or none: a write cut short (a full disk) is taken back, so the file never
    // ends in a cut line.
    struct stat before {};
    const bool sized = ::fstat(m_jsonl, &before) == 0 && S_ISREG(before.st_mode);
    if (io::write_all(m_jsonl, lines) == io::FdResult::ok) return true;
    const int saved = errno;
    if (sized && ::ftruncate(m_jsonl, before.st_size) != 0) {
      warning(m_opts.jsonl + ": a line cut short by the failed write could not be removed");
    }
    errno = saved;
    if (!m_jsonl_failed) {
      error(m_opts.jsonl + ": cannot write the events (" + std::strerror(errno) +
            "): answering 503, so senders retry");
      m_jsonl_failed = true;
    }
    return false;
  }

  const ListenOptions& m_opts;
  std::string m_write_key;
  std::deque<Fault> m_faults;
  std::optional<Answer> m_answer;
  std::mutex m_mutex;
  int m_jsonl = -1;  // --jsonl, appended to; never closed before exit
  bool m_jsonl_failed = false;
  bool m_colour = false;
  long m_events = 0, m_dropped = 0, m_duplicates = 0, m_rejected_requests = 0, m_faulted = 0;
  core::MessageIdHistory m_history;
  std::map<std::string, long> m_by_type;
  ListenUi* m_ui = nullptr;
};

io::HttpServer* g_server = nullptr;

volatile std::sig_atomic_t g_stop_signal = 0;  // the signal that stopped it, 0 for none

extern "C" void on_stop_signal(int sig) {
  g_stop_signal = sig;
  if (g_server) g_server->stop();
}

ExitStatus run_listen(const ListenOptions& opts) {
  if (opts.port < 0 || opts.port > 65535) throw bad_input("--port must be 0-65535");
  if (opts.max_events < 0) throw bad_input("--max-events must not be negative");
  if (opts.expect < 0) throw bad_input("--expect must not be negative");
  if (opts.expect > 0 && opts.exit_after <= 0 && opts.max_events <= 0) {
    throw bad_input("--expect N needs --exit-after SECONDS (or --max-events): when to count");
  }
  // nan never compares, and 1e300 s overflows the deadline: both refused.
  if (!(opts.exit_after >= 0 && opts.exit_after <= 1e7)) {
    throw bad_input("--exit-after must be a number of seconds from 0 to 10,000,000");
  }
  if (!(opts.client_timeout > 0 && opts.client_timeout <= 3600)) {
    throw bad_input("--client-timeout must be above 0 and at most 3600 seconds");
  }
  std::deque<Fault> faults;
  for (const auto& spec : opts.fail) faults.push_back(parse_fault(spec));
  const std::string key = write_key_given(opts.key) ? resolve_write_key(opts.key) : "";
  if (!util::is_loopback_host(opts.host) && opts.host != "localhost") {
    warning("listening on " + opts.host + ", which is not loopback: other machines can send to it");
  }
  Listener listener(opts, key, std::move(faults));
  listener.load_history();
  io::HttpServer* server_ptr = nullptr;
  io::ServerLimits limits;
  limits.header_timeout = std::chrono::milliseconds(static_cast<long>(opts.client_timeout * 1000));
  limits.body_timeout = limits.header_timeout * 3;
  limits.idle_timeout = limits.header_timeout * 3;
  io::HttpServer server(
      limits, [&](const io::ServerRequest& req) { return listener.handle(req, *server_ptr); });
  server_ptr = &server;
  std::string err;
  if (!server.bind(opts.host, opts.port, &err)) throw bad_input(err);
  const std::string host =
      opts.host.find(':') != std::string::npos ? "[" + opts.host + "]" : opts.host;
  std::cout << "listening on http://" << host << ":" << server.port() << "\n" << std::flush;
  std::unique_ptr<ListenUi> ui;
  if (opts.ui) {
    ui = std::make_unique<ListenUi>(opts.host, server.port(), key);
    if (!opts.jsonl.empty()) ui->load_jsonl(opts.jsonl);
    listener.attach_ui(ui.get());
    std::cout << "page: " << ui->url() << " (live; GET /events streams the messages)\n"
              << std::flush;
  }
  if (key.empty() && !opts.quiet) note("no write key configured: any key is accepted");

  g_server = &server;
  io::on_interrupt(on_stop_signal);
  std::thread timer;
  std::mutex timer_mutex;
  std::condition_variable timer_cv;
  bool done = false;
  if (opts.exit_after > 0) {
    timer = std::thread([&] {
      std::unique_lock<std::mutex> lock(timer_mutex);
      if (!timer_cv.wait_for(lock,
                             std::chrono::milliseconds(static_cast<long>(opts.exit_after * 1000)),
                             [&] { return done; })) {
        server.stop();
      }
    });
  }
  server.serve();
  if (ui) ui->close();
  {
    std::lock_guard<std::mutex> lock(timer_mutex);
    done = true;
  }
  timer_cv.notify_all();
  if (timer.joinable()) timer.join();
  g_server = nullptr;
  const bool dropped = listener.summary() != 0;
  // Stopped by a signal: the shell's convention, as every verb (the summary still says what
  // was dropped).
  if (g_stop_signal == SIGINT) return ExitStatus::interrupted;
  if (g_stop_signal == SIGTERM) return ExitStatus::terminated;
  return dropped ? ExitStatus::check_failed : ExitStatus::ok;
}

}  // namespace

VerbRunner setup_listen(CLI::App& cmd) {
  auto opts = std::make_shared<ListenOptions>();
  help_section(cmd, "Where to listen, and when to stop");
  add_flags(cmd, {
                     {"--host", "HOST", "address to listen on (default 127.0.0.1)", &opts->host},
                     {"--port", "PORT", "port (default 8765; 0 picks a free one)", &opts->port},
                     {"--max-events", "N", "stop after N messages", &opts->max_events},
                     {"--exit-after", "SECONDS", "stop after SECONDS", &opts->exit_after},
                     {"--expect", "N",
                      "exit 1 when fewer than N messages arrived (with --exit-after: a hook "
                      "that never fires fails CI)",
                      &opts->expect},
                 });
  help_section(cmd, "How to answer");
  add_write_key_options(cmd, &opts->key);
  add_flags(cmd, {
                     {"--strict-auth", "",
                      "answer 401 to a missing or wrong write key (Segment answers 200 and "
                      "drops the data)",
                      &opts->strict_auth},
                     {"--fail", "SPEC",
                      "answer the next requests with a fault (repeatable, applied in order): "
                      "503:2, 429:1:retry-after=2, reset:1, slow:1:5",
                      &opts->fail},
                     {"--respond", "STATUS[:FILE]",
                      "answer what it receives with STATUS and FILE's text instead of Segment's "
                      "answer: try how a response.parse or can_interrupt hook reads it (400:"
                      "messages.json, 200:identity.json, 200 for an empty body)",
                      &opts->respond},
                     {"--client-timeout", "SECONDS",
                      "seconds a client has to send a request head (3x that for the body and "
                      "for idle keep-alive connections; default 10)",
                      &opts->client_timeout},
                 });
  help_section(cmd, "Output");
  add_flags(
      cmd,
      {
          {"--jsonl", "FILE", "append one JSON object per received message to FILE", &opts->jsonl},
          {"--ui", "",
           "serve a page at http://HOST:PORT/ that shows each message live: its verdict, "
           "body, headers and sender (with --jsonl, the file's earlier messages first)",
           &opts->ui},
          {"-q,--quiet", "", "print only the address and the summary (and no notes)", &opts->quiet},
      });
  cmd.footer(
      R"(A local endpoint that speaks Segment's HTTP Tracking API (POST /v1/identify, track, page, screen,
group, alias, batch, import), applies Segment's rules and says what Segment would do with each
message: Segment itself answers 200 to messages it then drops. Prints "listening on http://HOST:PORT"
first, a line per message, and a summary when it stops (--max-events, --exit-after, Ctrl-C or
SIGTERM). Gzip (Content-Encoding: gzip) and chunked bodies are read. With a write key
(--write-key-file, SEGMENT_WRITE_KEY or --write-key), a request with a missing or wrong key gets 200
and its messages are recorded as dropped ("unknown write key"), as Segment answers 200 and drops
them; --strict-auth answers 401 and records nothing.

Exit: 0 when every message would be accepted, 1 when any would be dropped, 2 bad options;
stopped by Ctrl-C 130, by SIGTERM 143 (the summary still says what was dropped).

Examples:
  ory-segment listen --port 8765
  ory-segment listen --port 0 --max-events 1 --jsonl events.jsonl
  ory-segment listen --ui --jsonl events.jsonl   # open http://127.0.0.1:8765/ in a browser
  ory-segment listen --fail 503:2 --fail 429:1:retry-after=2   # watch a client retry
  ory-segment listen --respond 400:messages.json   # a response.parse hook's validation messages
  ory-segment test-identify --jsonnet t.jsonnet --write-key-file key.txt --url http://127.0.0.1:8765/v1/identify)");
  return [opts] { return run_listen(*opts); };
}

}  // namespace cli
