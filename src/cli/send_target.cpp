#include "cli/send_target.hpp"

#include <CLI/CLI.hpp>

#include "cli/diagnostics.hpp"
#include "cli/exit_status.hpp"
#include "cli/flags.hpp"
#include "engine/transform.hpp"
#include "io/file_io.hpp"
#include "kratos/action_body.hpp"
#include "kratos/identity_schema.hpp"
#include "kratos/kratos_context.hpp"
#include "segment/segment_message.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"
#include "util/url.hpp"

namespace cli {
namespace {

// The body's template, a file:// path (or a bare one) read under --body-root: where the
// container's root is on this machine.
core::BodyTemplate action_template(const SendOptions& opts, const core::DeployedAction& action,
                                   const std::string& name) {
  std::string body = action.body;
  const std::string path = core::body_file(body);
  if (!opts.body_root.empty() && !path.empty()) {
    std::string root = opts.body_root;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    // An absolute path is under the root; a relative one is relative to Kratos's working
    // directory, taken to be the root.
    body = "file://" + root + (path.front() == '/' ? "" : "/") + path;
    note(name + ": the body " + action.body + " is read from " + body.substr(7) + " (--body-root " +
         opts.body_root + ")");
  } else if (!opts.body_root.empty()) {
    throw bad_input("--body-root: " + name + "'s body is not a file:// path");
  }
  core::BodyTemplate out;
  std::string err;
  if (!core::template_from_body(body, name + " (body)", &out, &err)) throw bad_input(err);
  return out;
}

// --url with --action: the action's call sent where --url says (an API base gets the action's
// /v1/CALL), the rest of the action as it is.
void replace_action_url(const SendOptions& opts, SendTarget* t) {
  if (opts.segment.url.empty()) return;
  SegmentTargetOptions where;
  where.url = opts.segment.url;
  std::string why;
  const auto url = util::parse_url(t->action.url, &why);
  const auto call = url ? core::call_from_path(url->path) : std::nullopt;
  if (call) where.call = core::to_string(*call);
  const SegmentTarget target = resolve_segment_target(where);
  note("sending to " + target.url + " (--url) instead of the action's " + t->action.url);
  t->action.url = target.url;
}

void from_action(const SendOptions& opts, SendTarget* t) {
  if (!opts.segment.call.empty() || opts.segment.region != "us") {
    throw bad_input(
        "--call and --region go with --jsonnet; with --action the URL comes from the action "
        "(--url sends it elsewhere)");
  }
  if (!opts.key.key_file.empty() || !opts.key.key.empty()) {
    throw bad_input(
        "--write-key-file and --write-key go with --jsonnet; with --action the credentials "
        "come from the action");
  }
  const std::string name = io::display_name(opts.action);
  std::string err;
  if (!core::read_action(read_document_or_throw(opts.action), &t->action, &err)) {
    throw bad_input(name + ": " + err);
  }
  if (t->action.auth.kind == core::ActionAuth::Kind::basic) {
    refuse_placeholder_key(t->action.secret, name + "'s basic_auth user");
  }
  if (const std::string conflict = core::ignore_conflict(t->action); !conflict.empty()) {
    throw Error(ExitStatus::check_failed, name + "#/config/response/ignore: " + conflict);
  }
  core::BodyTemplate body = action_template(opts, t->action, name);
  replace_action_url(opts, t);
  t->source = std::move(body.source);
  t->source_name = std::move(body.name);
  std::string why;
  const auto url = util::parse_url(t->action.url, &why);
  if (!url) throw bad_input(name + ": the action's url '" + t->action.url + "' " + why);
  t->segment.url = t->action.url;
  if (const auto call = core::call_from_path(url->path)) {
    t->call = t->segment.call = *call;
    t->segment.call_source = "the action's URL (/v1/" + core::to_string(*call) + ")";
  }
}

void from_template(const SendOptions& opts, SendTarget* t) {
  t->source = read_text_or_throw(opts.jsonnet);
  t->source_name = io::display_name(opts.jsonnet);
  t->segment = resolve_segment_target(opts.segment);
  t->action.url = t->segment.url;
  t->action.method = "POST";
  t->call = t->segment.call;
  std::string why;
  const auto url = util::parse_url(t->action.url, &why);
  const bool loopback = url && util::is_loopback_host(url->host);
  // Without a key: a dry run sends nothing, and a local endpoint (ory-segment listen) accepts
  // any key unless told one; anywhere else resolve_write_key says how to give one.
  std::string key;
  if (!write_key_given(opts.key) && opts.dry_run) {
    key = "dry-run-write-key";
  } else if (!write_key_given(opts.key) && loopback) {
    key = "local-write-key";
    note("no write key given: sending to " + url->host +
         " (loopback) with the placeholder key 'local-write-key'");
  } else {
    key = resolve_write_key(opts.key);
  }
  t->action.secret = key;
  t->action.auth = {core::ActionAuth::Kind::basic, "Authorization",
                    core::basic_auth_header(key, "")};
  t->action.auth_description = "basic_auth (write key as user, redacted)";
}

}  // namespace

void add_send_options(CLI::App& cmd, SendOptions* opts, const SendHelp& help) {
  add_flags(cmd, {{"--jsonnet", "FILE", "the transform", &opts->jsonnet},
                  {"--action", "FILE", help.action, &opts->action}});
  add_write_key_options(cmd, &opts->key);
  add_segment_target_options(cmd, &opts->segment);
  add_flags(cmd, {{"--body-root", "DIR",
                   "with --action: read a file:// body under DIR (the container's root on this "
                   "machine): file:///etc/config/kratos/t.jsonnet is DIR/etc/config/kratos/"
                   "t.jsonnet",
                   &opts->body_root},
                  insecure_url_flag(&opts->allow_insecure_url),
                  {"--hook", "FLOW.WHEN[.METHOD]", help.hook, &opts->hook, hook_point_names()},
                  {"--dry-run", "", help.dry_run, &opts->dry_run},
                  kratos_flag(&opts->kratos)});
}

void settle_send_call(SendTarget* t, const core::Json& output) {
  settle_call(&t->segment, output, t->source_name);
  t->call = t->segment.call;
  t->action.url = t->segment.url;
}

std::optional<core::Json> sample_output(const std::string& source, const std::string& name,
                                        const core::HookPoint& hook) {
  core::ContextOptions c;
  c.hook = hook;
  c.identity = core::builtin_sample_identity();
  std::vector<std::string> dropped;
  const core::Evaluation e =
      core::evaluate_template(source, name, core::build_context(c, &dropped).dump());
  if (e.status != core::EvalStatus::ok) return std::nullopt;
  core::Json output = core::Json::parse(e.body, nullptr, false);
  if (output.is_discarded()) return std::nullopt;
  return output;
}

core::HookPoint resolve_hook(const SendOptions& opts) {
  std::string err;
  const auto hook = core::parse_hook_point(opts.hook, &err);
  if (!hook) throw bad_input("--hook " + err);
  require_hook_point_in(*hook, kratos_profile_or_throw(opts.kratos), "--hook " + opts.hook);
  return *hook;
}

// --trigger: one of the before-hook point's triggers.
std::string trigger_or_throw(const std::string& trigger, const core::HookPoint& hook) {
  if (trigger.empty()) return trigger;
  if (hook.when != "before")
    throw bad_input("--trigger goes with a before-hook (--hook FLOW.before)");
  std::vector<std::string> names;
  for (const auto& t : core::before_triggers(hook.flow)) names.emplace_back(t.name);
  require_one_of("--trigger", trigger, names);
  return trigger;
}

std::string flow_id_or_throw(const std::string& given, bool dry_run) {
  if (given.empty()) return dry_run ? "" : util::random_uuid();
  if (!util::is_uuid(given)) throw bad_input("--flow-id: '" + given + "' is not a UUID");
  return util::to_lower(given);
}

SendTarget resolve_send_target(const SendOptions& opts, bool check_template) {
  if (opts.jsonnet.empty() == opts.action.empty()) {
    throw bad_input("give exactly one of --jsonnet FILE or --action FILE");
  }
  if (!opts.body_root.empty() && opts.action.empty()) {
    throw bad_input("--body-root goes with --action (where its file:// body is read)");
  }
  SendTarget t;
  if (opts.action.empty()) {
    from_template(opts, &t);
  } else {
    from_action(opts, &t);
  }
  std::string problem;
  if (!core::validate_url(
          t.action.url,
          opts.allow_insecure_url ? core::InsecureUrl::allow : core::InsecureUrl::refuse,
          &problem)) {
    throw bad_input(problem);
  }
  if (!check_template) return t;
  core::TemplateCheck check = core::check_template(t.source, t.source_name);
  if (check.error) throw bad_input(core::to_string(*check.error));
  t.call_error = std::move(check.call_error);
  t.warnings = std::move(check.warnings);
  return t;
}

}  // namespace cli
