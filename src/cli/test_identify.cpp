// ory-segment test-identify: run the transform as Kratos would and call Segment with it.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "cli/common.hpp"
#include "cli/diagnostics.hpp"
#include "cli/flags.hpp"
#include "cli/send_target.hpp"
#include "cli/test_identify.hpp"
#include "cli/test_identify_report.hpp"
#include "cli/verbs.hpp"
#include "engine/transform.hpp"
#include "io/file_io.hpp"
#include "kratos/hook_response.hpp"
#include "kratos/identity_schema.hpp"
#include "kratos/kratos_context.hpp"
#include "kratos/kratos_delivery.hpp"
#include "kratos/kratos_request.hpp"
#include "kratos/webhook_action.hpp"
#include "segment/segment_message.hpp"
#include "util/text.hpp"
#include "util/url.hpp"

namespace cli {
namespace {

// One run, stage by stage: each stage hands on to the next, or ends the run with a verdict.
class Run {
 public:
  explicit Run(const TestIdentifyOptions& opts) : m_opts(opts) {}

  ExitStatus go() {
    check_inputs();
    if (const auto done = evaluate()) return *done;
    if (const auto done = make_body()) return *done;
    if (const auto done = validate()) return *done;
    if (const auto done = show_request()) return *done;
    return exchange();
  }

 private:
  // The run's verdict: the report, in the format asked for, and the exit status.
  ExitStatus finish(const std::string& verdict, ExitStatus status) {
    m_report["verdict"] = verdict;
    std::cout << (m_opts.format == "json" ? test_identify_report_json(m_report).dump(2) + "\n"
                                          : test_identify_report_text(m_report, m_opts.send.hook,
                                                                      m_opts.print_context));
    return status;
  }

  void check_inputs() {
    require_one_of("--format", m_opts.format, k_test_identify_formats);
    if (!(m_opts.timeout_seconds > 0 && m_opts.timeout_seconds <= 30)) {
      throw bad_input("--timeout must be between 0 and 30 seconds (Kratos waits 30 s per attempt)");
    }
    if (!m_opts.ca_file.empty()) {
      // Checked before any attempt: libcurl would only fail each of them.
      const std::string pem = read_text_or_throw(m_opts.ca_file);
      if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
        throw bad_input("--ca-file " + m_opts.ca_file +
                        ": not a PEM bundle (no BEGIN CERTIFICATE)");
      }
    }
  }

  // A sample identity is made up: it goes to a local endpoint, or anywhere with --send,
  // never into a real source's data without a word.
  void refuse_made_up_user() const {
    if (m_opts.send.dry_run || !m_opts.identity.empty() || m_opts.send_sample) return;
    std::string why;
    const auto url = util::parse_url(m_target.action.url, &why);
    if (!url || util::is_loopback_host(url->host)) return;
    const std::string sample =
        m_opts.schema.empty()
            ? std::string("the built-in sample identity (ada.lovelace@example.com)")
            : "a sample identity filled from " + io::display_name(m_opts.schema);
    throw bad_input(sample + " is made up, and would go to " + url->host +
                    " as a user of that source: pass --identity FILE to test with a real one "
                    "('ory get identity ID --format json'), --send to send the sample anyway, or "
                    "--dry-run");
  }

  // The template for the identity (and, with the built-in one, for a user who skipped the
  // optional traits).
  std::optional<ExitStatus> evaluate() {
    // Not checked here: core::evaluate_checked checks it in the same evaluation.
    m_target = resolve_send_target(m_opts.send, /*check=*/false);
    refuse_made_up_user();
    core::Json required_only;
    const core::Json identity = identity_from_options(m_opts, &required_only);
    m_ctx = context_from_options(m_opts, m_target, &identity);
    m_limits.max_output = kratos_profile_or_throw(m_opts.send.kratos).max_output;
    m_limits.template_uri = m_target.action.body;  // "" with --jsonnet: base64://, as built
    m_checked =
        core::evaluate_checked(m_target.source, m_target.source_name, m_ctx.dump(), m_limits);
    if (m_checked.check.error) throw bad_input(core::to_string(*m_checked.check.error));
    if (m_checked.check.call_error) warning(core::to_string(*m_checked.check.call_error));
    for (const auto& w : m_checked.check.warnings) warning(core::to_string(w));
    const core::Evaluation& eval = m_checked.evaluation;
    m_report["context"] = m_ctx;
    const bool full_ran =
        eval.status == core::EvalStatus::ok || eval.status == core::EvalStatus::cancelled;
    if (!required_only.is_null() && !m_checked.check.call_error && full_ran) {
      // The sample has every trait; a user who skipped the optional ones has only the
      // required. The hook must not fail for them either.
      const core::Evaluation without =
          core::evaluate_checked(m_target.source, m_target.source_name,
                                 context_from_options(m_opts, m_target, &required_only).dump(),
                                 m_limits)
              .evaluation;
      if (without.status != core::EvalStatus::ok && without.status != core::EvalStatus::cancelled) {
        const std::string who = m_opts.schema.empty()
                                    ? "the built-in identity with only its required trait, email"
                                    : "the schema's sample identity with only its required traits";
        error(core::to_string(without.error) + " (for " + who +
              ": a user who skipped the optional ones)");
        if (!without.error.hint.empty()) note(without.error.hint);
        m_report["error"] = core::to_string(without.error);
        m_report["identity"] = m_opts.schema.empty() ? "built-in, required traits only"
                                                     : "schema sample, required traits only";
        if (!without.error.hint.empty()) m_report["hint"] = without.error.hint;
        m_report["summary"] =
            "the template fails in Kratos for identities without the optional traits: the hook "
            "fails and Ory sends nothing for them (pass --identity to test another identity)";
        return finish("template-failed", ExitStatus::check_failed);
      }
    }
    return std::nullopt;
  }

  // The request Kratos makes of the action, and the body it sends.
  std::optional<ExitStatus> make_body() {
    const core::Evaluation& eval = m_checked.evaluation;
    if (eval.status == core::EvalStatus::ok) {
      // What it sends names the call: the URL follows it, or it contradicts --call.
      settle_send_call(&m_target, core::Json::parse(eval.body, nullptr, false));
    }
    std::string err;
    if (!core::kratos_request(m_target.action, &m_kratos, &err)) {
      error(err);
      m_report["error"] = err;
      m_report["summary"] = "the hook fails in Kratos before the template runs: Ory sends nothing";
      return finish("hook-failed", ExitStatus::check_failed);
    }
    m_form = m_kratos.encoding == core::BodyEncoding::form;

    if (eval.status == core::EvalStatus::cancelled && !m_form) {
      m_report["error"] = core::to_string(eval.error);
      m_report["summary"] =
          "hook cancelled: Ory sends nothing (" + core::to_string(eval.error) + ")";
      return finish("cancelled", ExitStatus::ok);
    }
    if (eval.status != core::EvalStatus::ok) {
      error(core::to_string(eval.error));
      if (!eval.error.hint.empty()) note(eval.error.hint);
      if (eval.status == core::EvalStatus::cancelled) {
        note(
            "with Content-Type application/x-www-form-urlencoded Kratos does not look for a "
            "cancel: this error fails the hook");
      }
      m_report["error"] = core::to_string(eval.error);
      if (!eval.error.hint.empty()) m_report["hint"] = eval.error.hint;
      m_report["summary"] = "the template fails in Kratos: the hook fails and Ory sends nothing";
      return finish("template-failed", ExitStatus::check_failed);
    }
    if (!core::kratos_body(m_kratos.encoding, eval.body, &m_body, &err)) {
      error(m_target.source_name + ": " + err);
      m_report["error"] = err;
      m_report["summary"] =
          "the hook fails in Kratos: the form body cannot be built, Ory sends nothing";
      return finish("template-failed", ExitStatus::check_failed);
    }
    m_report["body"] = m_body;
    const core::Json sent = core::Json::parse(m_body, nullptr, false);
    if (sent.is_object() && sent.contains("messageId")) m_report["message_id"] = sent["messageId"];
    m_report["encoding"] = m_form ? "form" : "json";
    return std::nullopt;
  }

  // What Segment does with the body.
  std::optional<ExitStatus> validate() {
    const core::SegmentCall call = m_target.call;
    const std::vector<core::Finding> findings = core::validate_body(m_body, m_form, call);
    m_report["call"] = core::to_string(call);
    m_report["findings"] = core::Json::array();
    std::vector<std::string> errors;
    for (core::Finding f : findings) {
      if (f.rule.empty()) f.rule = "segment-message";  // lint's rule for the same finding
      m_report["findings"].push_back(finding_json(f));
      if (f.severity == core::Severity::error) errors.push_back(core::to_string(f));
    }
    if (!errors.empty()) {
      error((m_form ? "Segment would answer 400: "
                    : "Segment would accept this with 200 and drop it: ") +
            util::join(errors, "; "));
      return finish("invalid", ExitStatus::check_failed);
    }
    if (m_target.action.ignore_response) m_report["response_ignored"] = true;
    return std::nullopt;
  }

  std::optional<ExitStatus> show_request() {
    const std::string& secret = m_target.action.secret;
    m_request = m_kratos.http;
    m_request.body = m_body;
    core::Json shown_headers = core::Json::object();
    for (const auto& [name, value] : m_request.headers) {
      shown_headers[name] = util::to_lower(name) == "authorization"
                                ? "<redacted>"
                                : util::redact_secrets(value, secret);
    }
    m_report["request"] = {{"method", m_request.method},
                           {"url", util::redact_secrets(m_request.url, secret)},
                           {"headers", shown_headers}};
    if (m_opts.send.dry_run) return finish("dry-run", ExitStatus::ok);
    return std::nullopt;
  }

  // Each attempt, its redirects and its answer, into the report; whether a redirect dropped
  // the body.
  bool show_attempts(const core::Delivery& delivery) {
    const std::string& secret = m_target.action.secret;
    m_report["attempts"] = core::Json::array();
    bool body_lost = false;
    for (const auto& a : delivery.attempts) {
      core::Json redirects = core::Json::array();
      for (const auto& r : a.redirects) {
        redirects.push_back({{"status", r.status},
                             {"method", r.method},
                             {"url", util::redact_secrets(r.url, secret)},
                             {"body_dropped", r.body_dropped},
                             {"credentials_dropped", r.credentials_dropped}});
        body_lost = body_lost || r.body_dropped;
      }
      m_report["attempts"].push_back(
          {{"status", a.status},
           {"error", util::redact_secrets(a.error, secret)},
           {"elapsed_ms", a.elapsed.count()},
           {"waited_ms", a.waited_before.count()},
           {"redirects", redirects},
           {"response_body", util::redact_secrets(a.response_body, secret)}});
    }
    return body_lost;
  }

  // With response.parse or can_interrupt, what Kratos makes of the final answer (a status
  // it does not retry): a hook that fails, a flow interrupted, identity fields replaced.
  std::optional<ExitStatus> read_answer(const core::Delivery& delivery) {
    const core::DeployedAction& action = m_target.action;
    const bool answered =
        delivery.outcome == core::DeliveryOutcome::accepted ||
        (delivery.outcome == core::DeliveryOutcome::rejected && delivery.kratos_status == 502);
    if (action.ignore_response || !answered) return std::nullopt;
    const core::Attempt& last = delivery.attempts.back();
    const core::HookAnswer a = core::read_hook_answer(last.status, last.response_body,
                                                      action.parse_response, action.can_interrupt);
    if (!a.read) return std::nullopt;
    m_report["answer"] = {{"hook_fails", a.hook_fails},
                          {"interrupts", a.interrupts},
                          {"error", a.error},
                          {"messages", a.messages},
                          {"replaced", a.replaced}};
    if (a.interrupts) {
      error("Kratos shows the flow again with the endpoint's messages, and it does not complete: " +
            util::join(a.messages, "; "));
      return finish("interrupted", ExitStatus::check_failed);
    }
    if (a.hook_fails) {
      error("Kratos reads the answer (" +
            std::string(action.parse_response ? "response.parse" : "can_interrupt") +
            ") and fails the hook: " + a.error);
      return finish("hook-failed", ExitStatus::check_failed);
    }
    if (!a.replaced.empty()) {
      note("the answer's identity replaces the identity's " + util::join(a.replaced, ", "));
    }
    return std::nullopt;
  }

  // Sends it as Kratos does, and says what came back.
  ExitStatus exchange() {
    const std::string& secret = m_target.action.secret;
    core::DeliveryPolicy policy;
    policy.attempt_timeout =
        std::chrono::milliseconds(static_cast<long>(m_opts.timeout_seconds * 1000));
    policy.emit_analytics_event = m_target.action.emit_analytics_event;
    policy.on_wait = [](std::chrono::milliseconds wait, int next, bool retry_after) {
      if (wait < std::chrono::seconds(5)) return;
      note("waiting " + std::to_string((wait.count() + 999) / 1000) + " s before attempt " +
           std::to_string(next) +
           (retry_after ? ", as the endpoint's Retry-After asks (Kratos waits as long)"
                        : " (Kratos's backoff)"));
    };
    note_proxy(m_request.url);
    auto client = io::make_curl_client(io::CurlOptions{m_opts.ca_file});
    const core::Delivery delivery =
        core::deliver_like_kratos(*client, io::system_clock(), m_request, policy);
    const bool body_lost = show_attempts(delivery);
    if (const auto done = read_answer(delivery)) return *done;
    if (delivery.outcome == core::DeliveryOutcome::accepted) {
      const core::Attempt& last = delivery.attempts.back();
      if (last.status >= 300) {
        warning("the endpoint answered " + std::to_string(last.status) +
                " without a Location: Go's client stops there and Kratos counts the hook a "
                "success, but the message went nowhere");
      } else if (body_lost) {
        warning(
            "a redirect turned the request into a bodiless GET (as Go's client does for "
            "301, 302 and 303): Kratos counts the hook a success, but the message was not "
            "delivered");
      } else if (!last.dropped.empty()) {
        // listen models Segment's de-duplication, and says so; Segment answers 200 alike.
        error("accepted by the endpoint, dropped as a duplicate (" + last.dropped +
              "): Segment keeps one message per messageId in about 24 hours; build it from "
              "ctx.flow.id (new every run) or pass another --flow-id");
        return finish("dropped-duplicate", ExitStatus::check_failed);
      }
      return finish("accepted", ExitStatus::ok);
    }
    m_report["kratos_status"] = delivery.kratos_status;
    m_report["kratos_error"] = util::redact_secrets(delivery.kratos_error, secret);
    const std::string kratos_says = "Kratos fails the hook with " +
                                    std::to_string(delivery.kratos_status) + ": " +
                                    util::redact_secrets(delivery.kratos_error, secret);
    if (delivery.outcome == core::DeliveryOutcome::rejected) {
      error("the endpoint rejected the message (" + kratos_says + ")");
      return finish("rejected", ExitStatus::check_failed);
    }
    error("could not reach " + util::redact_secrets(m_request.url, secret) + " (" + kratos_says +
          ")");
    return finish("unreachable", ExitStatus::unreachable);
  }

  const TestIdentifyOptions& m_opts;
  SendTarget m_target;
  core::Json m_ctx;
  core::CheckedEvaluation m_checked;
  core::EvalLimits m_limits;                   // Kratos's, with the --kratos profile's output limit
  core::Json m_report = core::Json::object();  // what the run found: printed as JSON or as text
  core::KratosRequest m_kratos;
  bool m_form = false;
  std::string m_body;
  io::HttpRequest m_request;
};

ExitStatus run_test_identify(const TestIdentifyOptions& opts) { return Run(opts).go(); }

// What --help says after the options: what the verb does, its exit status, examples.
const char* test_identify_footer() {
  return R"(Runs the template exactly as Kratos would (ctx bound as 'ctx', imports disabled, go-jsonnet's
std functions, its time, output and input limits), checks the result as Segment would, then sends it the way
Kratos does: its headers (Content-Type from the action, Go's User-Agent and Accept-Encoding),
3 attempts of 30 s, backoff 1 s doubling, retries on connection errors, 429 and 5xx except 501,
Retry-After honoured (seconds or a date; a long wait is announced), redirects followed as Go's
client follows them. The write key is never printed.

Exit: 0 accepted (2xx) or cancelled; 1 the template fails, Segment would drop the message, or the
endpoint rejected it; 2 bad input; 3 unreachable after retries.

Examples:
  ory-segment test-identify --jsonnet examples/segment_identify.jsonnet --identity examples/identity.json --dry-run
  ory-segment test-identify --jsonnet t.jsonnet --schema identity.schema.json --sample minimal --dry-run
  ory-segment test-identify --action webhook-action.json --identity identity.json --format json
  ory-segment test-identify --jsonnet t.jsonnet --write-key-file key.txt --url http://127.0.0.1:8765/v1/identify
  ory-segment test-identify --jsonnet t.jsonnet --write-key-file key.txt --identity identity.json)";
}

}  // namespace

VerbRunner setup_test_identify(CLI::App& cmd) {
  auto opts = std::make_shared<TestIdentifyOptions>();
  help_section(cmd, "The transform and Segment");
  add_send_options(cmd, &opts->send,
                   {"a web_hook action (JSON/YAML, as build-action prints): URL, method, auth, "
                    "headers and body come from it",
                    "the hook point whose ctx to build (default registration.after.password)",
                    "do everything but send"});
  add_flags(
      cmd, {
               {"--timeout", "SECONDS", "seconds per attempt (default 30, as Kratos)",
                &opts->timeout_seconds},
               {"--ca-file", "FILE", "an extra CA bundle (TLS is always verified)", &opts->ca_file},
           });
  help_section(cmd, "The identity");
  add_flags(
      cmd,
      {
          {"--identity", "FILE|-",
           "the identity, as 'ory get identity ID --format json' prints it; '-' reads "
           "stdin",
           &opts->identity},
          {"--schema", "FILE|-|URL",
           "an identity schema to fill a sample identity from (file://, base64:// and "
           "preset://email|username too)",
           &opts->schema},
          {"--sample", "SHAPE",
           "with --schema: full (every trait) or minimal (only required traits)", &opts->sample,
           k_sample_shapes},
          {"--send", "",
           "send the sample identity (built-in or --schema) to an endpoint that is not on this "
           "machine; without it, only --identity goes there",
           &opts->send_sample},
      });
  help_section(cmd, "The flow (what ctx holds besides the identity)");
  add_flags(
      cmd,
      {
          {"--flow-type", "TYPE", "browser (default) or api", &opts->flow_type, k_flow_types},
          {"--header", "NAME=VALUE", "add a request header to ctx (repeatable)", &opts->headers},
          {"--header-allowlist", "NAMES",
           "the project's clients.web_hook.header_allowlist, comma-separated "
           "(default: Kratos's)",
           &opts->header_allowlist},
          {"--transient-payload", "FILE", "JSON object for ctx.flow.transient_payload",
           &opts->transient_payload},
          {"--trigger", "NAME",
           "a before-hook's request: created (default), save, recovery-code or "
           "recovery-link (settings), oidc-callback (registration, login), aal2-link "
           "(login)",
           &opts->trigger},
          {"--refresh", "",
           "a login after-hook for a re-authentication (refresh): the session is "
           "the user's own",
           &opts->refresh},
          {"--flow-id", "UUID",
           "the flow's id in ctx (default: a new one per run that sends, as Kratos "
           "makes one; a stable one in a dry run)",
           &opts->flow_id},
          {"--parse-response", "",
           "the hook has response.parse or can_interrupt (read from an --action): a "
           "registration after-hook then runs before the identity is saved (nil id, "
           "zero created_at)",
           &opts->parse_response},
      });
  help_section(cmd, "Output");
  add_flags(cmd, {
                     {"--print-context", "", "also print the ctx the template sees",
                      &opts->print_context},
                     {"--format", "FORMAT", "text (default) or json (one document, for CI)",
                      &opts->format, k_test_identify_formats},
                 });
  cmd.footer(test_identify_footer());
  return [opts] { return run_test_identify(*opts); };
}

}  // namespace cli
