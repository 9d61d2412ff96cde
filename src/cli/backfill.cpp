// ory-segment backfill: existing identities through the same transform to Segment's batch
// API, fast, resumable, losing nothing. The engine is core::BackfillPipeline; this file
// holds the flags, the checks before it starts, and what the user sees.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>

#include "backfill/backfill_pipeline.hpp"
#include "backfill/failed_file.hpp"
#include "cli/backfill_options.hpp"
#include "cli/backfill_report.hpp"
#include "cli/common.hpp"
#include "cli/diagnostics.hpp"
#include "cli/flags.hpp"
#include "cli/send_target.hpp"
#include "cli/verbs.hpp"
#include "engine/transform.hpp"
#include "io/file_io.hpp"
#include "io/process.hpp"
#include "kratos/action_body.hpp"
#include "kratos/kratos_request.hpp"
#include "segment/segment_batch.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"

namespace cli {
namespace {

using Clock = std::chrono::steady_clock;

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
std::atomic<int> g_stdout_errno{0};  // a dry run's messages could not be written
extern "C" void stop_backfill(int sig) {
  g_signal.store(sig);
  g_stop.store(true);
}

// The batch endpoint of the API a --url, --region or action URL belongs to (a proxy's path
// prefix kept: http://h/segment/v1/identify -> http://h/segment/v1/batch).
std::string batch_url(const std::string& url) { return segment_api_base(url) + "/v1/batch"; }

core::BackfillTarget target_from_options(const BackfillOptions& opts) {
  SendTarget t = resolve_send_target(opts.send);
  const bool call_fixed = !t.segment.call_source.empty();
  // What it sends for the built-in identity names the call; a contradiction stops here.
  if (const auto output = sample_output(t.source, t.source_name, resolve_hook(opts.send))) {
    settle_send_call(&t, *output);
  }
  if (t.call_error) {
    throw Error(ExitStatus::check_failed,
                core::to_string(*t.call_error) + " (every identity would fail)");
  }
  for (const auto& w : t.warnings) warning(core::to_string(w));
  core::KratosRequest kratos;
  std::string err;
  if (!core::kratos_request(t.action, &kratos, &err)) throw bad_input(err);
  if (kratos.encoding != core::BodyEncoding::json) {
    throw bad_input(
        "the action's Content-Type is application/x-www-form-urlencoded: Segment reads JSON "
        "only, and backfill sends JSON batches");
  }
  // The action's headers and auth; not what Go's client adds (this is not Kratos calling).
  io::Headers headers;
  for (auto& [name, value] : kratos.http.headers) {
    if (name == "User-Agent" && value == core::k_go_user_agent) continue;
    if (name == "Accept-Encoding" && kratos.http.transparent_gzip) continue;
    headers.emplace_back(std::move(name), std::move(value));
  }
  core::BackfillTarget target;
  target.source = t.source;
  target.name = t.source_name;
  target.url = batch_url(t.action.url);
  target.template_uri = t.action.body;
  target.call = t.call;
  target.call_fixed = call_fixed;
  target.headers = std::move(headers);
  std::string credentials;
  for (const auto& [name, value] : target.headers) {
    credentials.append(name).append(": ").append(value).append("\n");
  }
  target.destination = core::destination_key(target.url, credentials, opts.message_id_salt);
  return target;
}

// The state to resume from, checked against the template and the input; empty without one
// (or with --restart).
core::BackfillState resume_from(const std::string& path, bool restart,
                                const core::BackfillTarget& target,
                                const core::IdentitySource& input, bool paged,
                                const std::string& failed) {
  core::BackfillState state;
  bool found = false;
  std::string err;
  if (!path.empty() && !restart && !core::load_backfill_state(path, &state, &found, &err)) {
    throw bad_input(err);
  }
  const std::string digest = util::hex_digest(target.source, util::HashAlgorithm::sha256);
  const std::string destination = core::destination_fingerprint(target.destination);
  if (restart && io::path_exists(path)) note("--restart: " + path + " is replaced; starting over");
  if (!found) {
    core::BackfillState fresh;
    fresh.template_digest = digest;
    return fresh;
  }
  std::string problem = core::resume_problem(state, path, digest, destination, input.name(), paged);
  if (problem.empty()) problem = core::failed_file_problem(state, path, failed);
  if (!problem.empty()) throw bad_input(problem);
  return state;
}

// --retry-failed: the state's final failures are sent again in this run.
void retry_failures(const std::string& path, core::BackfillState* state) {
  long count = 0;
  std::string err;
  if (state->input.empty()) {
    note("--retry-failed: " + path + " has no failures yet (a fresh start)");
    return;
  }
  if (!core::begin_retry(path, state, &count, &err)) throw bad_input(err);
  note("--retry-failed: " + util::format_count(count) +
       " failure(s) of earlier runs are sent again" +
       (count > 0 ? " (their lines are kept in " + state->failed_file + ".retried)" : ""));
}

void say_resuming(const std::string& path, const core::BackfillState& state) {
  if (state.input.empty()) return;  // a fresh start: nothing was loaded
  const long after = state.finished_after();
  if (state.records_done == 0 && after == 0) {
    note("resuming " + path + ": nothing was finished yet, every record is sent");
    return;
  }
  note("resuming after " + util::format_count(state.records_done) + " records" +
       (after > 0 ? " (and " + util::format_count(after) + " finished past them)" : "") + " (" +
       path + ")");
}

BackfillReport report_of(const BackfillOptions& opts) {
  BackfillReport report;
  report.format = opts.format;
  report.dry_run = opts.send.dry_run;
  report.failed = opts.failed;
  report.state = opts.state;
  report.stdout_errno = g_stdout_errno.load();
  report.signal = g_signal.load();
  report.allow_partial = opts.allow_partial;
  report.summary_file = opts.summary;
  return report;
}

ExitStatus run_backfill(const BackfillOptions& opts) {
  core::BackfillSettings settings = settings_from_options(opts);
  core::StateLock lock;  // held to the end: one run per state
  std::string locked;
  if (!settings.state_path.empty() && !lock.acquire(settings.state_path, &locked)) {
    throw bad_input(locked);
  }
  core::BackfillTarget target = target_from_options(opts);
  if (!opts.send.action.empty()) {
    const std::vector<NamedInput> body = {
        {"--action's body", core::body_file(target.template_uri)}};
    refuse_output_onto_inputs("--failed", settings.failed_path, body);
    refuse_output_onto_inputs("--state", settings.state_path, body);
  }
  std::string err;
  core::ContextOptions context;
  context.hook = resolve_hook(opts.send);
  auto contexts = core::ContextFactory::for_hook(context, core::ctx_usage(target.source), &err);
  if (!contexts) throw bad_input("--hook " + opts.send.hook + ": " + err);
  if (!opts.send.dry_run) note_proxy(target.url);
  std::unique_ptr<core::IdentitySource> source = identity_source(opts, &g_stop);
  core::BackfillState resume = resume_from(settings.state_path, opts.restart, target, *source,
                                           !opts.admin_api.empty(), settings.failed_path);

  if (opts.retry_failed) retry_failures(settings.state_path, &resume);
  g_stop.store(false);
  g_signal.store(0);
  g_stdout_errno.store(0);
  io::on_interrupt(stop_backfill);
  // A script still gets its JSON summary when the run ends before it starts.
  const bool summary_always = opts.format == "json" || !opts.summary.empty();
  if (!source->open(&resume, &err)) {
    core::BackfillResult early;
    early.interrupted = err.empty();
    early.read_error = err;
    early.source_unreachable = source->unreachable();
    if (summary_always) return backfill_summary(report_of(opts), early);
    if (early.interrupted) {
      note("stopped before the first identity");
      return stopped_status(g_signal.load());
    }
    throw Error(early.source_unreachable ? ExitStatus::unreachable : ExitStatus::bad_input, err);
  }
  say_resuming(settings.state_path, resume);
  ProgressPrinter printer(opts.progress);
  core::BackfillHooks hooks;
  hooks.print = [](const std::string& text) {
    if (g_stdout_errno.load() != 0) return;
    errno = 0;
    std::cout << text << "\n";
    if (!std::cout) {  // a closed pipe (| head -1), a full disk: stop
      g_stdout_errno.store(errno != 0 ? errno : EPIPE);
      g_stop.store(true);
    }
  };
  hooks.warn = [&printer](const std::string& text) {
    printer.clear();
    warning(text);
  };
  hooks.progress = [&printer](const core::BackfillProgress& p) { printer(p); };
  core::BackfillPipeline pipeline(std::move(settings), std::move(target), std::move(*contexts),
                                  std::move(source), std::move(resume), std::move(hooks), &g_stop);
  core::BackfillResult result;
  const bool ran = pipeline.run(&result, &err);
  printer.clear();  // the summary starts a line of its own
  if (!ran && !summary_always) throw bad_input(err);
  if (!ran) result.read_error = err;  // the failed file cannot be opened: exit 2
  return backfill_summary(report_of(opts), result);
}

constexpr const char* k_backfill_help =
    R"(Sends existing identities through the same transform Kratos runs (many per evaluation, each isolated:
a failing identity goes to the failed file with its error, `error "cancel"` skips it) to Segment's batch
API: requests within 500 KB and 2,500 messages, a deterministic messageId per identity, template and
destination (so Segment de-duplicates resends, and a backfill to another source is not dropped as
a repeat; a template's own messageId is kept), timestamp from created_at, Segment's own clients' retry policy. Nothing
is dropped silently: every record is sent, skipped, or written to the failed file with the reason.
With --state the run resumes after Ctrl-C, a crash or kill -9; at most the batches in flight are sent
again. --url takes the API base (http://127.0.0.1:8765) or any /v1/... URL of it; a path prefix
before /v1 (a proxy's) is kept.

--from-admin-api reads the identities from Kratos's admin API, GET /admin/identities page after page
(the Link header's next page; no credentials asked for), streaming; the key (--api-key-file or
ORY_PROJECT_API_KEY) goes as "Authorization: Bearer" and is never printed. 429, 5xx and network errors
are retried as Segment's are; the state records the page to pick up from, so a resume does not start
over.

Exit: 0 all sent or skipped; 1 some records failed, in this run or an earlier one of --state (see
--failed), or the input's last page has a next page; 2 bad input, or a failure that could not be
recorded; 3 unreachable: the endpoint never accepted a batch, what was not sent stays pending (run
the same command); 130 interrupted, 143 terminated (resume with the same command).

Examples:
  ory-segment backfill --jsonnet segment_identify.jsonnet --write-key-file key.txt \
      --from-admin-api https://$ORY_PROJECT_SLUG.projects.oryapis.com --api-key-file ory-key.txt \
      --state backfill.state
  ory-segment backfill --jsonnet segment_identify.jsonnet --write-key-file key.txt \
      --from-admin-api http://127.0.0.1:4434 --state backfill.state
  # every page of 'ory list identities' into one file (one page alone is refused):
  t=; while ory list identities --format json --page-size 500 ${t:+--page-token "$t"} > page.json; do
    cat page.json >> identities.json; t=$(jq -r .next_page_token page.json); [ -n "$t" ] || break; done
  ory-segment backfill --jsonnet segment_identify.jsonnet --identities identities.json \
      --write-key-file key.txt --state backfill.state
  ory-segment backfill --action webhook-action.json --identities identities.json --state backfill.state
  ory-segment backfill --jsonnet segment_identify.jsonnet --identities backfill-failed.jsonl --write-key-file key.txt
  ory-segment backfill --jsonnet t.jsonnet --identities identities.json --dry-run | head)";

// The options that say where the identities come from, and which of them are sent.
void add_identity_flags(CLI::App& cmd, BackfillOptions* opts) {
  help_section(cmd, "The identities");
  add_flags(
      cmd, {
               {"--identities", "FILE|-",
                "pages of 'ory list identities --format json', JSON arrays or JSON Lines; "
                "'-' reads stdin",
                &opts->identities},
               {"--from-admin-api", "URL",
                "read the identities from Kratos's admin API instead: "
                "http://127.0.0.1:4434 (self-hosted) or https://SLUG.projects.oryapis.com",
                &opts->admin_api},
               {"--api-key-file", "FILE",
                "the project API key for --from-admin-api (else $ORY_PROJECT_API_KEY; "
                "self-hosted Kratos needs none)",
                &opts->api_key_file},
               {"--page-size", "N", "identities per admin API request (default 500, Kratos's most)",
                &opts->page_size},
               {"--timestamp-from", "FIELD", "created_at (default: the identity's) or none",
                &opts->timestamp_from, k_timestamp_fields},
               {"--created-before", "TIME|@FILE",
                "send only identities created before TIME (RFC 3339; @FILE: read from FILE), "
                "e.g. when the hook went live: the hook sent the newer ones",
                &opts->created_before},
               {"--allow-partial", "",
                "an input that ends with a page whose next_page_token is not empty is sent "
                "anyway (exit 0), not an error (exit 1)",
                &opts->allow_partial},
           });
}

}  // namespace

VerbRunner setup_backfill(CLI::App& cmd) {
  auto opts = std::make_shared<BackfillOptions>();
  help_section(cmd, "The transform and Segment");
  add_send_options(
      cmd, &opts->send,
      {"a web_hook action: its template, URL host and auth",
       "the hook point whose ctx each identity gets (default registration.after.password)",
       "print the messages as JSON Lines instead of sending"});
  add_identity_flags(cmd, opts.get());
  help_section(cmd, "Resuming and failures");
  add_flags(
      cmd,
      {
          {"--state", "FILE", "record progress here (atomically); the same command resumes from it",
           &opts->state},
          {"--restart", "", "with --state: ignore what it says and start over", &opts->restart},
          {"--failed", "FILE",
           "JSON Lines of what could not be sent (default backfill-failed.jsonl); "
           "valid --identities input",
           &opts->failed},
          {"--retry-failed", "",
           "with --state: send the failures of earlier runs again too (what the endpoint "
           "refused, once it takes it)",
           &opts->retry_failed},
          {"--message-id-salt", "TEXT",
           "scope messageIds to TEXT instead of the destination (the URL and write key)",
           &opts->message_id_salt},
          {"--max-retries", "N",
           "retries per batch before the run stops with it pending (default 10)",
           &opts->max_retries},
      });
  help_section(cmd, "Throughput");
  add_flags(cmd,
            {
                {"--concurrency", "N", "requests in flight (default 4)", &opts->concurrency},
                {"--events-per-second", "N",
                 "at most this many messages per second, over the whole run (default 1000, "
                 "Segment's per-workspace figure; 0: no limit)",
                 &opts->events_per_second},
                {"--rate", "N", "at most this many requests per second (default 500)", &opts->rate},
                {"--chunk", "N", "identities per template evaluation (default 1000)", &opts->chunk},
                {"--evaluators", "N", "template evaluation processes (default: cores, at most 4)",
                 &opts->evaluators},
            });
  help_section(cmd, "Output");
  add_flags(cmd, {
                     {"--progress", "WHEN", "auto (default), always or never", &opts->progress,
                      k_progress_modes},
                     {"--format", "FORMAT",
                      "text (default) or json: the final summary as one JSON object, the last "
                      "line on stdout (on stderr with --dry-run, whose messages are on stdout)",
                      &opts->format, k_backfill_formats},
                     {"--summary", "FILE",
                      "write the JSON summary to FILE too (atomically), on every exit after the "
                      "run starts; - for stdout",
                      &opts->summary},
                 });
  cmd.footer(k_backfill_help);

  return [opts] { return run_backfill(*opts); };
}

}  // namespace cli
