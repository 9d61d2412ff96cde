// patch's plan: which lists, which action, the ops, and lint's rules on the result.
#include "cli/patch_plan.hpp"

#include <algorithm>

#include "cli/common.hpp"
#include "cli/diagnostics.hpp"
#include "cli/exit_status.hpp"
#include "kratos/hook_table.hpp"
#include "kratos/webhook_action.hpp"
#include "lint/action_rules.hpp"
#include "lint/config_lint.hpp"
#include "util/shell_quote.hpp"
#include "util/text.hpp"

namespace cli {

bool action_in_config(const PatchOptions& opts) { return util::starts_with(opts.action, "#/"); }

namespace {

// The hook point names --hook, or --flow/--when/--method, give (each a comma list or repeated);
// registration.after.password when neither is given ("" with --remove: every list).
std::vector<std::string> hook_names(const PatchOptions& opts) {
  const bool old_spelling = !opts.flow.empty() || !opts.when.empty() || !opts.methods.empty();
  if (!opts.hooks.empty() && old_spelling) {
    throw bad_input(
        "give the hook points as --hook FLOW.WHEN[.METHOD], or with --flow, --when "
        "and --method, not both");
  }
  std::vector<std::string> names;
  for (const auto& value : opts.hooks) {
    for (const auto& name : util::split_trimmed(value, ',')) names.push_back(name);
  }
  if (old_spelling) {
    const std::string base = (opts.flow.empty() ? std::string("registration") : opts.flow) + "." +
                             (opts.when.empty() ? std::string("after") : opts.when);
    std::vector<std::string> methods;
    for (const auto& value : opts.methods) {
      for (const auto& m : util::split_trimmed(value, ',')) methods.push_back(m);
    }
    if (methods.empty()) names.push_back(base);
    for (const auto& m : methods) {
      if (m.empty()) throw bad_input("--method: an empty method name");
      names.push_back(base);
      names.back().append(".").append(m);
    }
  }
  if (names.empty() && !opts.remove) names.emplace_back(core::k_default_hook_point);
  return names;
}

std::vector<core::HookPoint> targets_from_options(const PatchOptions& opts) {
  if (!opts.when.empty()) require_one_of("--when", opts.when, k_hook_whens);
  const core::KratosProfile& kratos = kratos_profile_or_throw(opts.kratos);
  std::vector<core::HookPoint> targets;
  for (const std::string& name : hook_names(opts)) {
    std::string err;
    const auto hp = core::parse_hook_point(name, &err);
    if (!hp) throw bad_input(err);
    for (const auto& t : targets) {
      if (t.pointer() == hp->pointer()) throw bad_input("--hook " + name + " given twice");
    }
    require_hook_point_in(*hp, kratos, "--hook " + name);
    targets.push_back(*hp);
  }
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

// --move: the op that takes the action out of the list it came from (--action '#/...'), when
// the targets do not include that list.
void move_from_config(const PatchOptions& opts, const std::vector<core::HookPoint>& targets,
                      core::PatchPlan* plan) {
  if (!opts.move || plan->ops.empty()) return;
  const std::string from = opts.action.substr(1);
  const std::string list = from.substr(0, from.rfind('/'));
  for (const auto& t : targets) {
    if (t.pointer() == list) return;  // installed where it is: nothing moves
  }
  plan->ops.push_back({"remove", from, nullptr});
  plan->notes.push_back(from + ": moved to the --hook lists");
}

std::string action_arg(const PatchOptions& opts) {
  if (opts.action == "-") return "ACTION.json";
  if (action_in_config(opts)) return util::shell_quote(opts.config) + "#" + opts.action.substr(1);
  return util::shell_quote(opts.action);
}

// Without the live config: a global after-list does not run for a method with its own list.
void warn_global_without_config(const PatchOptions& opts, const core::HookPoint& list) {
  const auto& methods = core::hook_methods(list.flow);
  if (list.when != "after" || !list.method.empty() || methods.empty()) return;
  std::string hooks;
  for (const auto& m : {"password", "oidc", "code"}) {
    if (std::find(methods.begin(), methods.end(), m) != methods.end()) {
      hooks += (hooks.empty() ? "" : ",") + list.flow + ".after." + m;
    }
  }
  warning("the global list selfservice.flows." + list.flow +
          ".after.hooks runs for a sign-in method only when that method's own list is empty; "
          "Ory Network projects and the Kratos quickstarts have " +
          list.flow +
          ".after.password.hooks: [session, ...], so this hook never fires for password users. "
          "Name the methods: ory-segment patch --action " +
          action_arg(opts) + " --hook " + hooks + " (or pass --config to check)");
}

// Without the live config, a method list this creates may shadow the global list.
void warn_method_lists_without_config(const PatchOptions& opts,
                                      const std::vector<core::HookPoint>& targets) {
  std::vector<std::string> methods, names;
  std::string flow;
  for (const auto& t : targets) {
    if (t.when != "after" || t.method.empty()) continue;
    methods.push_back(t.method);
    names.push_back(t.name());
    flow = t.flow;
  }
  if (methods.empty()) return;
  warning("without --config the live config is unknown: if selfservice.flows." + flow +
          ".after.<method>.hooks is empty today for " + util::join(methods, ", ") +
          ", Kratos runs the global " + flow +
          ".after.hooks for it (a CRM web_hook, say), and the list these ops create replaces "
          "them, so those " +
          flow +
          "s would stop running them. Plan against the live config instead: ory get "
          "identity-config --project \"$ORY_PROJECT\" --format json | ory-segment patch "
          "--action " +
          action_arg(opts) + " --hook " + util::join(names, ",") + " --config -");
}

// A self-hosted Kratos's config (it has dsn or serve, which Ory Network's identity config has
// not) cannot take an Ory Network-only list: Kratos would refuse the file.
void refuse_network_lists_in_self_hosted(const std::vector<core::HookPoint>& targets,
                                         const io::Json& config, const std::string& name) {
  if (!config.is_object() || !(config.contains("dsn") || config.contains("serve"))) return;
  for (const auto& t : targets) {
    if (!core::ory_network_only(t)) continue;
    throw bad_input(name + " is a self-hosted Kratos's config (it has " +
                    (config.contains("dsn") ? "dsn" : "serve") +
                    "), and Kratos's config schema "
                    "has no " +
                    t.name() +
                    " list: Kratos would refuse the file. saml hooks are "
                    "Ory Network's: patch the project's identity config instead");
  }
}

}  // namespace

io::Json read_action_or_throw(const PatchOptions& opts, const io::Json* config) {
  core::Json action;
  std::string name = io::display_name(opts.action);
  if (action_in_config(opts)) {
    if (!config) throw bad_input("--action " + opts.action + " names a hook in --config: give it");
    name = io::display_name(opts.config) + opts.action;
    const io::Json* at = core::at_pointer(*config, opts.action.substr(1));
    if (!at) throw bad_input(name + ": there is nothing there");
    action = *at;
  } else {
    action = read_document_or_throw(opts.action);
  }
  core::DeployedAction parsed;
  std::string err;
  if (!core::read_action(action, &parsed, &err)) throw bad_input(name + ": " + err);
  return action;
}

core::PatchPlan plan_from_options(const PatchOptions& opts, const io::Json* config,
                                  const io::Json& action) {
  const std::vector<core::HookPoint> targets = targets_from_options(opts);
  if (config) refuse_network_lists_in_self_hosted(targets, *config, io::display_name(opts.config));
  core::PatchPlan plan;
  std::string err;
  if (opts.remove) {
    core::RemovalMatch match;
    match.url = opts.url;
    if (!opts.jsonnet.empty()) match.template_text = read_text_or_throw(opts.jsonnet);
    if (!opts.action.empty()) {
      core::DeployedAction read;
      core::read_action(action, &read, &err);
      match.url = read.url;
      match.method = read.method;
    }
    if (!core::plan_removal(*config, match, targets, &plan, &err)) {
      throw bad_input(io::display_name(opts.config) + ": " + err);
    }
    return plan;
  }
  core::PatchRequest request;
  request.targets = targets;
  request.position = position_from_options(opts.position);
  request.action = action;
  request.beside_same_endpoint = opts.beside;
  if (!core::plan_patch(request, config, &plan, &err)) {
    throw bad_input(io::display_name(opts.config) + ": " + err);
  }
  move_from_config(opts, targets, &plan);
  if (!config) {
    for (const auto& t : targets) warn_global_without_config(opts, t);
    warn_method_lists_without_config(opts, targets);
  }
  return plan;
}

void check_installed(const PatchOptions& opts, const io::Json* config, const io::Json& action,
                     const std::vector<core::PatchOp>& ops) {
  if (opts.remove || ops.empty()) return;
  const core::KratosProfile& kratos = kratos_profile_or_throw(opts.kratos);
  std::vector<core::Finding> findings;
  if (!config) {
    findings = core::lint_action(action, io::display_name(opts.action));
    report_rule_findings(findings, "the action", "ory-segment lint --action " + action_arg(opts));
    return;
  }
  const std::string name = io::display_name(opts.config);
  const io::Json patched = core::apply_ops(*config, ops);
  core::ConfigLintOptions options;
  options.kratos = &kratos;
  std::vector<std::string> installed;  // "NAME#/.../hooks/I": where the action sits now
  for (const auto& point : core::all_hook_points()) {
    const io::Json* list = core::at_pointer(patched, point.pointer());
    if (!list || !list->is_array()) continue;
    for (std::size_t i = 0; i < list->size(); ++i) {
      if ((*list)[i] == action)
        installed.push_back(name + "#" + point.pointer() + "/" + std::to_string(i));
    }
  }
  for (core::Finding& f : core::lint_config(patched, name, options).findings) {
    for (const auto& at : installed) {
      const bool here = f.location == at || util::starts_with(f.location, at + "/") ||
                        util::starts_with(f.location, at + ":");
      if (here) {
        findings.push_back(std::move(f));
        break;
      }
    }
  }
  const std::string target = opts.apply && opts.out_file.empty() ? opts.config : opts.out_file;
  report_rule_findings(
      findings, "the installed hook",
      opts.apply && target != "-" ? "ory-segment lint --config " + util::shell_quote(target)
      : action_in_config(opts)    ? "ory-segment lint --config " + util::shell_quote(opts.config)
                                  : "ory-segment lint --action " + action_arg(opts));
}

}  // namespace cli
