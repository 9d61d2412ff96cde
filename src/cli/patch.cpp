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
#include "cli/verbs.hpp"
#include "io/file_io.hpp"
#include "io/yaml_splice.hpp"
#include "kratos/config_patch.hpp"
#include "kratos/webhook_action.hpp"
#include "util/shell_quote.hpp"
#include "util/text.hpp"

namespace cli {
namespace {

constexpr const char* k_project_prefix = "/services/identity/config";

struct PatchOptions {
  std::string action;
  std::string flow = "registration";
  std::string when = "after";
  std::vector<std::string> methods;
  std::string position = "0";
  std::string config;
  std::string format = "json-patch";
  bool apply = false;
  std::string out_file;
  std::string project;
  std::string workspace;
  std::string kratos;
};

std::vector<core::HookPoint> targets_from_options(const PatchOptions& opts) {
  const core::KratosProfile& kratos = kratos_profile_or_throw(opts.kratos);
  std::vector<core::HookPoint> targets;
  const auto add = [&](const std::string& method) {
    std::string err;
    const std::string name = opts.flow + "." + opts.when + (method.empty() ? "" : "." + method);
    const auto hp = core::parse_hook_point(name, &err);
    if (!hp) throw bad_input(err);
    for (const auto& t : targets) {
      if (t.pointer() == hp->pointer()) throw bad_input("--method " + method + " given twice");
    }
    require_hook_point_in(*hp, kratos, "--method " + method);
    targets.push_back(*hp);
  };
  if (opts.methods.empty()) add("");
  for (const auto& m : opts.methods) add(m);
  return targets;
}

std::optional<std::size_t> position_from_options(const std::string& text) {
  if (text == "end") return std::nullopt;
  if (text.empty() || text.size() > 6 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    throw bad_input("--position '" + text + "': expected a list index (0, 1, ...) or 'end'");
  }
  return static_cast<std::size_t>(std::stoul(text));
}

std::string ory_cli_lines(const std::vector<core::PatchOp>& ops, const PatchOptions& opts) {
  if (ops.empty()) return "# nothing to do: the hook is already installed\n";
  std::string line = "ory patch identity-config";
  if (!opts.project.empty()) line += " --project " + util::shell_quote(opts.project);
  if (!opts.workspace.empty()) line += " --workspace " + util::shell_quote(opts.workspace);
  for (const auto& op : ops) {
    line += " \\\n  --" + op.op + " " + util::shell_quote(op.path + "=" + op.value.dump());
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

core::Json read_action_or_throw(const std::string& path) {
  core::Json action = read_document_or_throw(path);
  core::DeployedAction parsed;
  std::string err;
  if (!core::read_action(action, &parsed, &err))
    throw bad_input(io::display_name(path) + ": " + err);
  return action;
}

void warn_global_without_config(const PatchOptions& opts) {
  const auto& methods = core::hook_methods(opts.flow);
  if (opts.when != "after" || !opts.methods.empty() || methods.empty()) return;
  std::string fix = "ory-segment patch --action " + opts.action + " --flow " + opts.flow;
  for (const auto& m : {"password", "oidc", "code"}) {
    if (std::find(methods.begin(), methods.end(), m) != methods.end())
      fix += std::string(" --method ") + m;
  }
  warning("the global list selfservice.flows." + opts.flow +
          ".after.hooks runs for a sign-in method only when that method's own list is empty; "
          "Ory Network projects and the Kratos quickstarts have " +
          opts.flow +
          ".after.password.hooks: [session, ...], so this hook never fires for password users. "
          "Name the methods: " +
          fix + " (or pass --config to check)");
}

// Without the live config, a method list this creates may shadow the global list.
void warn_method_lists_without_config(const PatchOptions& opts) {
  if (opts.when != "after" || opts.methods.empty()) return;
  std::string methods, flags;
  for (const auto& m : opts.methods) {
    methods += (methods.empty() ? "" : ", ") + m;
    flags += " --method " + m;
  }
  warning("without --config the live config is unknown: if selfservice.flows." + opts.flow +
          ".after.<method>.hooks is empty today for " + methods + ", Kratos runs the global " +
          opts.flow + ".after.hooks for it (a CRM web_hook, say), and the list these ops " +
          "create replaces them, so those " + opts.flow +
          "s would stop running them. Plan against the live config instead: ory get "
          "identity-config --project $ORY_PROJECT --format json | ory-segment patch --action " +
          (opts.action == "-" ? std::string("ACTION.json") : opts.action) + " --flow " + opts.flow +
          flags + " --config -");
}

ExitStatus run_patch(const PatchOptions& opts) {
  require_one_of("--when", opts.when, {"after", "before"});
  require_one_of("--format", opts.format, {"json-patch", "ory-cli", "ory-project-api", "yaml"});
  if (opts.action.empty()) throw bad_input("--action FILE is required (what build-action prints)");
  if (opts.apply && opts.config.empty()) throw bad_input("--apply needs --config FILE");
  if (opts.apply && opts.format != "json-patch") {
    throw bad_input("--apply writes the patched config; drop --format");
  }
  if (opts.action == "-" && opts.config == "-")
    throw bad_input("--action and --config cannot both read stdin");
  core::PatchRequest request;
  request.targets = targets_from_options(opts);
  request.position = position_from_options(opts.position);
  request.action = read_action_or_throw(opts.action);

  io::Json config;
  io::DocumentFormat format = io::DocumentFormat::json;
  std::string config_text;
  if (!opts.config.empty()) config = read_document_or_throw(opts.config, &format, &config_text);
  core::PatchPlan plan;
  std::string err;
  if (!core::plan_patch(request, opts.config.empty() ? nullptr : &config, &plan, &err)) {
    throw bad_input(io::display_name(opts.config) + ": " + err);
  }
  if (opts.config.empty()) {
    warn_global_without_config(opts);
    warn_method_lists_without_config(opts);
  }
  for (const auto& w : plan.warnings) warning(w);
  for (const auto& n : plan.notes) note(n);

  io::WriteOptions out;
  out.private_file = true;  // the action in it holds the write key
  out.inputs = {opts.action, opts.config};
  if (!opts.apply) {
    write_output_or_throw(opts.out_file, render(plan.ops, opts), out);
    return ExitStatus::ok;
  }
  const core::Json patched = core::apply_ops(config, plan.ops);
  // YAML is edited where it changes, the rest kept byte for byte (comments, quoting, values
  // JSON cannot hold); a document that cannot be edited so is written whole.
  std::string text;
  if (format == io::DocumentFormat::json) {
    text = io::to_pretty_json(patched);
  } else if (!io::splice_yaml(config_text, config, patched, &text)) {
    text = io::to_yaml(patched);
    note(
        "the config is not block-style YAML where it changes: written whole, its comments, "
        "anchors and key quoting not kept");
  }
  const bool in_place = opts.out_file.empty() || opts.out_file == opts.config ||
                        (opts.config != "-" && io::same_file(opts.out_file, opts.config));
  if (!in_place) {
    write_output_or_throw(opts.out_file, text, out);
  } else {
    if (opts.config == "-") throw bad_input("--apply with --config - needs -o FILE");
    if (plan.ops.empty()) {
      note(opts.config + " is unchanged");
      return ExitStatus::ok;
    }
    // The file keeps its mode: Kratos may read it as another user (a container's). It now
    // holds the write key, which is said when others can read it.
    io::WriteOptions apply;
    apply.keep_backup = true;
    apply.inputs = {opts.action};
    std::string backup;
    if (!io::replace_file_atomically(opts.config, text, apply, &backup, &err)) {
      throw bad_input(err);
    }
    note("wrote " + opts.config + " (the original is " + backup + ")");
    struct stat st {};
    if (::stat(opts.config.c_str(), &st) == 0 && (st.st_mode & 044) != 0) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      warning(opts.config + " (mode " + mode +
              ") is readable by other users and now holds the Segment write key: chmod "
              "go-r it, unless Kratos reads it as another user");
    }
  }
  return ExitStatus::ok;
}

}  // namespace

VerbRunner setup_patch(CLI::App& cmd) {
  auto opts = std::make_shared<PatchOptions>();
  add_flags(
      cmd,
      {
          {"--action", "FILE|-",
           "the web_hook action (JSON or YAML, as build-action prints); '-' reads stdin",
           &opts->action},
          {"--flow", "FLOW", "login, registration (default), settings, recovery or verification",
           &opts->flow},
          {"--when", "WHEN", "after (default) or before", &opts->when},
          {"--method", "METHOD",
           "install in this method's own list (repeatable), e.g. password, oidc, code",
           &opts->methods},
          {"--position", "N|end", "index in each list (default 0, as in the docs) or 'end'",
           &opts->position},
          {"--config", "FILE|-",
           "the current identity config (ory get identity-config, or a kratos.yml) to plan against",
           &opts->config},
          {"--format", "FORMAT", "json-patch (default), ory-cli, ory-project-api or yaml",
           &opts->format},
          {"--apply", "", "write the patched config (needs --config)", &opts->apply},
          {"-o,--output", "FILE",
           "write to FILE (atomically) instead of stdout, or with --apply instead of the config",
           &opts->out_file},
          {"--project", "ID", "for --format ory-cli: --project ID", &opts->project},
          {"--workspace", "ID", "for --format ory-cli: --workspace ID", &opts->workspace},
          kratos_flag(&opts->kratos),
      });
  cmd.footer(
      R"(Emits the RFC 6902 operations that install a web_hook action in Kratos's identity config,
where it fires. A method's own hook list overrides the global one: Ory Network projects and the
Kratos quickstarts have registration.after.password.hooks: [session, ...], so a hook added to
registration/after/hooks (as the Segment docs show) never fires for password sign-ups. Name the
methods with --method.

With --config the ops are planned against the current config: missing parents are created, an
identical hook is left alone (running twice changes nothing), a web_hook with the same URL and
method is replaced. --apply writes the result atomically (through a symlink to its target), a YAML
config edited only where it changes (comments and every other line kept); in place the file keeps
its mode (a warning when others can read the write key it now holds), a new -o FILE is readable by
its owner only. The original is kept as FILE.bak, or FILE.bak.1, .2, ... when that exists, so no
backup is ever overwritten.

Examples:
  ory-segment patch --action webhook-action.json --method password --method oidc --format ory-cli
  ory get identity-config --project $ORY_PROJECT --format yaml > config.yml
  ory-segment patch --action webhook-action.json --config config.yml --method password --format ory-cli
  ory-segment patch --action webhook-action.json --config kratos.yml --method password --apply -o out.yml)");
  return [opts] { return run_patch(*opts); };
}

}  // namespace cli
