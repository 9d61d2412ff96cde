// ory-segment patch: the JSON-Patch ops that install the action where it fires.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/common.hpp"
#include "cli/diagnostics.hpp"
#include "cli/flags.hpp"
#include "cli/patch_plan.hpp"
#include "cli/verbs.hpp"
#include "io/file_io.hpp"
#include "io/yaml_splice.hpp"
#include "kratos/config_patch.hpp"
#include "kratos/hook_table.hpp"
#include "kratos/webhook_action.hpp"
#include "lint/action_rules.hpp"
#include "lint/config_lint.hpp"
#include "util/shell_quote.hpp"
#include "util/text.hpp"
#include "util/unified_diff.hpp"

namespace cli {
namespace {

constexpr const char* k_project_prefix = "/services/identity/config";

std::string ory_cli_lines(const std::vector<core::PatchOp>& ops, const PatchOptions& opts) {
  if (ops.empty()) return "# nothing to do: the hook is already installed\n";  // --remove: never
  std::string line = "ory patch identity-config";
  if (!opts.project.empty()) line += " --project " + util::shell_quote(opts.project);
  if (!opts.workspace.empty()) line += " --workspace " + util::shell_quote(opts.workspace);
  for (const auto& op : ops) {
    // ory patch identity-config --remove PATH; --add/--replace PATH=JSON.
    line += " \\\n  --" + op.op + " " +
            util::shell_quote(op.op == "remove" ? op.path : op.path + "=" + op.value.dump());
  }
  return line + " \\\n  --format yaml\n";
}

std::string render(const std::vector<core::PatchOp>& ops, const PatchOptions& opts) {
  if (opts.format == "json-patch") return io::to_pretty_json(core::to_json_patch(ops));
  if (opts.format == "ory-project-api") {
    return io::to_pretty_json(core::to_json_patch(ops, k_project_prefix));
  }
  if (opts.format == "yaml") return ops.empty() ? "[]\n" : io::to_yaml(core::to_json_patch(ops));
  return ory_cli_lines(ops, opts);
}

void check_patch_options(const PatchOptions& opts) {
  require_one_of("--format", opts.format, k_patch_formats);
  if (opts.remove) {
    const int given =
        (opts.action.empty() ? 0 : 1) + (opts.url.empty() ? 0 : 1) + (opts.jsonnet.empty() ? 0 : 1);
    if (given != 1) {
      throw bad_input(
          "--remove takes out the web_hooks of one of: --action FILE (its URL and "
          "method), --url URL, --jsonnet FILE (its template)");
    }
    if (opts.config.empty()) {
      throw bad_input("--remove needs --config FILE: which hooks to take out is read there");
    }
    if (opts.beside) throw bad_input("--add installs; --remove takes out: give one");
  } else {
    if (opts.action.empty()) {
      throw bad_input("--action FILE is required (what build-action prints)");
    }
    if (!opts.url.empty() || !opts.jsonnet.empty()) {
      throw bad_input("--url and --jsonnet go with --remove");
    }
  }
  if (opts.move && !action_in_config(opts)) {
    throw bad_input("--move takes the hook --action '#/POINTER' names out of that list: give one");
  }
  if ((opts.apply || opts.diff) && opts.config.empty()) {
    throw bad_input(std::string(opts.apply ? "--apply" : "--diff") + " needs --config FILE");
  }
  if (opts.apply && opts.diff) throw bad_input("--diff shows what --apply would write: give one");
  if ((opts.apply || opts.diff) && opts.format != "json-patch") {
    throw bad_input("--apply and --diff write the patched config; drop --format");
  }
  int stdin_uses = 0;
  for (const auto* p : {&opts.action, &opts.config, &opts.jsonnet}) stdin_uses += *p == "-";
  if (stdin_uses > 1) throw bad_input("only one input can be standard input (-)");
}

// The patched config's text: YAML edited where it changes, the rest kept byte for byte
// (comments, quoting, values JSON cannot hold); a document that cannot be edited so is
// written whole.
std::string patched_text(const io::Json& config, io::DocumentFormat format,
                         const std::string& config_text, const std::vector<core::PatchOp>& ops) {
  const core::Json patched = core::apply_ops(config, ops);
  if (format == io::DocumentFormat::json) return io::to_pretty_json(patched);
  std::string text;
  if (!io::splice_yaml(config_text, config, patched, &text)) {
    text = io::to_yaml(patched);
    note(
        "the config is not block-style YAML where it changes: written whole, its comments, "
        "anchors and key quoting not kept");
  }
  return text;
}

void apply_in_place(const PatchOptions& opts, const std::string& text) {
  // The file keeps its mode: Kratos may read it as another user (a container's). It now
  // holds the write key, which is said when others can read it.
  io::WriteOptions apply;
  apply.keep_backup = true;
  apply.inputs = {opts.action, opts.jsonnet};
  std::string backup, err;
  if (!io::replace_file_atomically(opts.config, text, apply, &backup, &err)) {
    throw bad_input(err);
  }
  note("wrote " + opts.config + " (the original is " + backup + ")");
  struct stat st {};
  if (!opts.remove && ::stat(opts.config.c_str(), &st) == 0 && (st.st_mode & 044) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    warning(opts.config + " (mode " + mode +
            ") is readable by other users and now holds the Segment write key: chmod "
            "go-r it, unless Kratos reads it as another user");
  }
}

ExitStatus run_patch(const PatchOptions& opts) {
  check_patch_options(opts);
  io::Json config;
  io::DocumentFormat format = io::DocumentFormat::json;
  std::string config_text;
  if (!opts.config.empty()) config = read_document_or_throw(opts.config, &format, &config_text);
  const io::Json* known = opts.config.empty() ? nullptr : &config;
  // Read once: "-" is standard input.
  const io::Json action = opts.action.empty() ? io::Json() : read_action_or_throw(opts, known);
  const core::PatchPlan plan = plan_from_options(opts, known, action);
  for (const auto& w : plan.warnings) warning(w);
  for (const auto& n : plan.notes) note(n);
  check_installed(opts, known, action, plan.ops);

  io::WriteOptions out;
  out.private_file = true;  // the action in it holds the write key
  out.inputs = {opts.action, opts.config, opts.jsonnet};
  if (!opts.apply && !opts.diff) {
    write_output_or_throw(opts.out_file, render(plan.ops, opts), out);
    return ExitStatus::ok;
  }
  const std::string text = patched_text(config, format, config_text, plan.ops);
  if (opts.diff) {
    const std::string name = io::display_name(opts.config);
    const std::string diff = util::unified_diff(config_text, text, name, name + " (patched)");
    if (diff.empty()) note(name + " would be unchanged");
    write_output_or_throw(opts.out_file, diff, out);
    return ExitStatus::ok;
  }
  const bool in_place = opts.out_file.empty() || opts.out_file == opts.config ||
                        (opts.config != "-" && io::same_file(opts.out_file, opts.config));
  if (!in_place) {
    write_output_or_throw(opts.out_file, text, out);
  } else if (opts.config == "-") {
    throw bad_input("--apply with --config - needs -o FILE");
  } else if (plan.ops.empty()) {
    note(opts.config + " is unchanged");
  } else {
    apply_in_place(opts, text);
  }
  return ExitStatus::ok;
}

// What --help says after the options: what the verb does, its exit status, examples.
const char* patch_footer() {
  return R"(Emits the RFC 6902 operations that install a web_hook action in Kratos's identity config,
where it fires. A method's own hook list overrides the global one: Ory Network projects and
the Kratos quickstarts have registration.after.password.hooks: [session, ...], so a hook
added to registration/after/hooks (as the Segment docs show) never fires for password
sign-ups. The default is registration.after.password; name others with --hook.

With --config the ops are planned against the current config: missing parents are created,
an identical hook is left alone (running twice changes nothing), a web_hook with the same URL
and method is replaced (--add installs beside it). --apply writes the result atomically
(through a symlink to its target), a YAML config edited only where it changes (comments and
every other line kept); in place the file keeps its mode (a warning when others can read the
write key it now holds), a new -o FILE is readable by its owner only. The original is kept as
FILE.bak, or FILE.bak.1, .2, ... when that exists, so no backup is ever overwritten. --diff
shows the change first.

Exit status: 0 done (or nothing to do), 2 bad input (nothing written).

Examples:
  ory-segment patch --action webhook-action.json \
    --hook registration.after.password,registration.after.oidc --format ory-cli
  ory get identity-config --project "$ORY_PROJECT" --format yaml > config.yml
  ory-segment patch --action webhook-action.json --config config.yml --format ory-cli
  ory-segment patch --action webhook-action.json --config kratos.yml --diff
  ory-segment patch --action webhook-action.json --config kratos.yml --apply -o out.yml
  ory-segment patch --remove --url https://api.segment.io/v1/identify --config kratos.yml \
    --apply)";
}

}  // namespace

VerbRunner setup_patch(CLI::App& cmd) {
  auto opts = std::make_shared<PatchOptions>();
  add_flags(cmd, {
                     {"--action", "FILE|-|#/POINTER",
                      "the web_hook action (JSON or YAML, as build-action prints); '-' reads "
                      "stdin; '#/POINTER' takes the one at that place in --config",
                      &opts->action},
                     {"--hook", "FLOW.WHEN[.METHOD]",
                      "the hook list to install in (repeatable, or comma-separated; default "
                      "registration.after.password), e.g. registration.after.password,"
                      "registration.after.oidc",
                      &opts->hooks, hook_point_names()},
                     {"--config", "FILE|-",
                      "the current identity config (ory get identity-config, or a kratos.yml) "
                      "to plan against",
                      &opts->config},
                     {"--position", "N|end",
                      "index in each list (default 0, as in the docs) or 'end'", &opts->position},
                     {"--move", "",
                      "with --action '#/POINTER': take it out of that list too (into the --hook "
                      "lists)",
                      &opts->move},
                     {"--add", "",
                      "install beside a web_hook with the same URL and method (a second Segment "
                      "source) instead of replacing it",
                      &opts->beside},
                     kratos_flag(&opts->kratos),
                 });
  help_section(cmd, "Taking a hook out");
  add_flags(cmd, {
                     {"--remove", "",
                      "emit the ops that take the web_hooks out (needs --config): those with "
                      "--action's URL and method, --url's URL, or --jsonnet's template; from the "
                      "--hook lists, or from every list",
                      &opts->remove},
                     {"--url", "URL", "with --remove: the web_hooks calling this URL", &opts->url},
                     {"--jsonnet", "FILE",
                      "with --remove: the web_hooks whose body is this template", &opts->jsonnet},
                 });
  help_section(cmd, "Output");
  add_flags(
      cmd,
      {
          {"--format", "FORMAT", "json-patch (default), ory-cli, ory-project-api or yaml",
           &opts->format, k_patch_formats},
          {"--apply", "", "write the patched config (needs --config)", &opts->apply},
          {"--diff", "", "print what --apply would change, as a unified diff, and write nothing",
           &opts->diff},
          {"-o,--output", "FILE",
           "write to FILE (atomically) instead of stdout, or with --apply instead of "
           "the config",
           &opts->out_file},
          {"--project", "ID", "for --format ory-cli: --project ID", &opts->project},
          {"--workspace", "ID", "for --format ory-cli: --workspace ID", &opts->workspace},
      });
  help_section(cmd, "Older spelling of --hook");
  add_flags(cmd, {
                     {"--flow", "FLOW",
                      "login, registration (default), settings, recovery or verification",
                      &opts->flow, core::hook_flows()},
                     {"--when", "WHEN", "after (default) or before", &opts->when, k_hook_whens},
                     {"--method", "METHOD[,METHOD]",
                      "the method's own list (repeatable), e.g. password,oidc", &opts->methods},
                 });
  cmd.footer(patch_footer());
  return [opts] { return run_patch(*opts); };
}

}  // namespace cli
