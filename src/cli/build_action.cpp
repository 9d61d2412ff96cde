// ory-segment build-action: the web_hook action that calls Segment.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>

#include "cli/common.hpp"
#include "cli/diagnostics.hpp"
#include "cli/flags.hpp"
#include "cli/send_target.hpp"
#include "cli/verbs.hpp"
#include "engine/transform.hpp"
#include "io/file_io.hpp"
#include "kratos/identity_schema.hpp"
#include "kratos/kratos_context.hpp"
#include "kratos/terraform_action.hpp"
#include "kratos/webhook_action.hpp"
#include "lint/action_rules.hpp"
#include "lint/template_lint.hpp"
#include "segment/segment_message.hpp"
#include "util/base64.hpp"
#include "util/shell_quote.hpp"
#include "util/text.hpp"
#include "util/url.hpp"

namespace cli {
namespace {

const std::vector<std::string> k_formats = {"json", "yaml", "terraform"};

struct BuildActionOptions {
  std::string jsonnet;
  std::string body;
  WriteKeyOptions key;
  SegmentTargetOptions target;
  std::string method = "POST";
  bool ignore_response = false;
  bool parse_response = false;
  std::string id;
  std::vector<std::string> headers;
  bool no_analytics_event = false;
  std::string format = "json";
  std::string hook = core::k_default_hook_point;
  std::string output;
  bool allow_insecure_url = false;
  std::string kratos;
};

std::vector<std::pair<std::string, std::string>> parse_headers(
    const std::vector<std::string>& specs) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (auto& [name, value] : header_specs_or_throw(specs)) {
    const std::string lower = util::to_lower(name);
    if (lower == "authorization") {
      throw bad_input(
          "--header Authorization: the action already authenticates with the "
          "write key (basic_auth); drop this header");
    }
    for (const auto& earlier : headers) {
      if (util::to_lower(earlier.first) == lower)
        throw bad_input("--header " + name + " given twice");
    }
    headers.emplace_back(std::move(name), std::move(value));
  }
  return headers;
}

// The body URI; `*source`: the template's text when --jsonnet gave it (read once: it may be
// standard input).
std::string body_from_options(const BuildActionOptions& opts, std::string* source) {
  if (!opts.jsonnet.empty() && !opts.body.empty()) {
    throw bad_input("--jsonnet and --body both given; use one");
  }
  if (!opts.body.empty()) return opts.body;
  if (opts.jsonnet.empty()) {
    throw bad_input("no body: give --jsonnet FILE (encoded into the action) or --body URL");
  }
  *source = read_checked_template(opts.jsonnet);
  return "base64://" + util::base64_encode(*source);
}

// The call the template makes, from what it sends for the built-in identity: a default call
// (and the URL with it) follows it, a given one must agree. A track needs an event (Segment drops
// a track without one).
void settle_from_template(const BuildActionOptions& opts, const std::string& source,
                          const core::HookPoint& hook, SegmentTarget* target) {
  if (opts.jsonnet.empty()) return;
  const std::string name = io::display_name(opts.jsonnet);
  const auto output = sample_output(source, name, hook);
  if (!output) return;  // test-identify and lint say why
  settle_call(target, *output, name);
  if (target->call != core::SegmentCall::track) return;
  const auto event = output->is_object() ? output->find("event") : output->end();
  if (output->is_object() && event != output->end() && event->is_string() &&
      !event->get_ref<const std::string&>().empty()) {
    return;
  }
  throw Error(ExitStatus::check_failed,
              name +
                  ": the action makes a track call, and what the template sends (for the "
                  "built-in identity) has no event: Segment drops such a track; add e.g. "
                  "event: 'Signed Up' (ory-segment init --call track writes one)");
}

// lint's rules for the action and its template, at --hook: the verbs agree. Errors mean
// Kratos would fail the hook: nothing is written.
void check_built_action(const BuildActionOptions& opts, const core::Json& action,
                        const std::string& source, const core::HookPoint& hook,
                        core::SegmentCall call) {
  std::vector<core::Finding> findings = core::lint_action(action, "the action");
  if (!source.empty()) {
    core::TemplateLintOptions options;
    options.hooks = {hook};
    options.call = call;
    options.check_message = core::calls_segment(action["config"]["url"].get<std::string>());
    for (auto& f : core::lint_template(source, io::display_name(opts.jsonnet), options)) {
      findings.push_back(std::move(f));
    }
  }
  const std::string lint = !opts.output.empty() && opts.output != "-"
                               ? "ory-segment lint --action " + util::shell_quote(opts.output)
                               : "ory-segment lint --jsonnet " + util::shell_quote(opts.jsonnet);
  report_rule_findings(findings, "this action", lint);
}

// --format terraform: the ory_action resource, without the write key; lint runs on the hook
// the provider will install from it.
void write_terraform(const BuildActionOptions& opts, const core::ActionSpec& spec,
                     const std::string& source, const core::HookPoint& hook,
                     core::SegmentCall call) {
  if (!opts.key.key_file.empty() || !opts.key.key.empty()) {
    note(std::string("--format terraform writes no write key: Terraform reads it from var.") +
         core::k_terraform_key_variable + " (TF_VAR_" + core::k_terraform_key_variable + ")");
  }
  core::TerraformAction a;
  a.spec = spec;
  a.hook = hook;
  a.source_name = opts.jsonnet.empty() || opts.jsonnet == "-" ? "" : opts.jsonnet;
  a.call = core::to_string(call);
  std::string text, err;
  if (!core::terraform_action(a, &text, &err)) throw bad_input(err);
  check_built_action(opts, core::terraform_provider_hook(a, "WRITE_KEY"), source, hook, call);
  io::WriteOptions out;
  out.inputs = {opts.jsonnet};
  write_output_or_throw(opts.output, text, out);
}

ExitStatus run_build_action(const BuildActionOptions& opts) {
  require_one_of("--format", opts.format, k_formats);
  // Checked like every verb's; a web_hook's rules are the same in both profiles' schemas
  // (tests/reference/test_hook_points_schema.cpp), so it changes nothing written.
  const core::KratosProfile& kratos = kratos_profile_or_throw(opts.kratos);
  std::string err;
  const auto hook = core::parse_hook_point(opts.hook, &err);
  if (!hook) throw bad_input("--hook: " + err);
  require_hook_point_in(*hook, kratos, "--hook " + opts.hook);
  core::ActionSpec spec;
  SegmentTarget target = resolve_segment_target(opts.target);
  std::string source;
  spec.body = body_from_options(opts, &source);
  settle_from_template(opts, source, *hook, &target);
  spec.url = target.url;
  spec.method = opts.method;
  spec.id = opts.id;
  spec.headers = parse_headers(opts.headers);
  spec.ignore_response = opts.ignore_response;
  spec.parse_response = opts.parse_response;
  spec.emit_analytics_event = !opts.no_analytics_event;
  const bool terraform = opts.format == "terraform";
  spec.write_key = terraform ? "WRITE_KEY" : resolve_write_key(opts.key);  // not written
  const auto insecure =
      opts.allow_insecure_url ? core::InsecureUrl::allow : core::InsecureUrl::refuse;
  std::string problem;
  if (!core::validate(spec, insecure, &problem)) throw bad_input(problem);
  if (terraform) {
    write_terraform(opts, spec, source, *hook, target.call);
    return ExitStatus::ok;
  }
  const core::Json action = core::build_action(spec);
  check_built_action(opts, action, source, *hook, target.call);
  io::WriteOptions out;
  out.private_file = true;  // it holds the write key
  out.inputs = {opts.jsonnet, opts.key.key_file};
  if (util::starts_with(opts.body, "file://")) out.inputs.push_back(opts.body.substr(7));
  write_output_or_throw(
      opts.output, opts.format == "yaml" ? io::to_yaml(action) : io::to_pretty_json(action), out);
  return ExitStatus::ok;
}

}  // namespace

VerbRunner setup_build_action(CLI::App& cmd) {
  auto opts = std::make_shared<BuildActionOptions>();
  add_flags(cmd, {
                     {"--jsonnet", "FILE", "the template to encode into the body", &opts->jsonnet},
                     {"--body", "URL", "a body URI taken as is: file://, https://, base64://",
                      &opts->body},
                 });
  add_write_key_options(cmd, &opts->key);
  add_segment_target_options(cmd, &opts->target);
  add_flags(cmd, {
                     {"--http-method", "METHOD", "HTTP method (default POST)", &opts->method},
                     {"--ignore-response", "",
                      "response.ignore: call Segment asynchronously, never blocking the flow",
                      &opts->ignore_response},
                     {"--parse-response", "",
                      "response.parse: parse the answer before the flow continues",
                      &opts->parse_response},
                     {"--id", "ID", "hook id shown in Kratos's logs", &opts->id},
                     {"--header", "NAME=VALUE", "extra header (repeatable)", &opts->headers},
                     {"--no-analytics-event", "",
                      "emit_analytics_event: false (no tracing events for this hook)",
                      &opts->no_analytics_event},
                     {"--hook", "FLOW.WHEN[.METHOD]",
                      "the hook point the action runs at: lint checks the template there, and "
                      "--format terraform installs it there",
                      &opts->hook, hook_point_names()},
                     {"--format", "FORMAT",
                      "json (default), yaml, or terraform: an ory_action resource for "
                      "terraform-provider-ory, the write key a write-only variable",
                      &opts->format, k_formats},
                     output_file_flag(&opts->output),
                     insecure_url_flag(&opts->allow_insecure_url),
                     kratos_flag(&opts->kratos),
                 });
  cmd.footer(R"(Print the web_hook action (the docs' webhook-action.json) that sends the template's
output to Segment, valid under Kratos's config schema. The write key becomes the
basic-auth user with an empty password; it appears only in the action itself.

Write key sources, in order: --write-key-file FILE, $SEGMENT_WRITE_KEY, --write-key KEY.
--kratos is taken as by the other verbs (so a script can pass it to each); a web_hook has the
same rules in both profiles, so the action is the same.

Examples:
  SEGMENT_WRITE_KEY=... ory-segment build-action --jsonnet segment_identify.jsonnet --ignore-response
  ory-segment build-action --jsonnet t.jsonnet --write-key-file key.txt --region eu --format yaml
  ory-segment build-action --jsonnet t.jsonnet --ignore-response --format terraform -o segment.tf
  ory-segment build-action --body file:///etc/config/kratos/segment.jsonnet --write-key-file key.txt \
      --url http://127.0.0.1:8765/v1/identify)");
  return [opts] { return run_build_action(*opts); };
}

}  // namespace cli
