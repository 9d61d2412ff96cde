// ory-segment lint: the mistakes a template or a config makes that only show in production.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "cli/common.hpp"
#include "cli/diagnostics.hpp"
#include "cli/flags.hpp"
#include "cli/lint_sarif.hpp"
#include "cli/schema_input.hpp"
#include "cli/verbs.hpp"
#include "io/document.hpp"
#include "io/file_io.hpp"
#include "kratos/action_body.hpp"
#include "kratos/schema_reader.hpp"
#include "kratos/webhook_action.hpp"
#include "lint/action_rules.hpp"
#include "lint/config_lint.hpp"
#include "lint/lint_rules.hpp"
#include "lint/template_lint.hpp"
#include "segment/segment_message.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"
#include "util/url.hpp"

namespace cli {
namespace {

const std::vector<std::string> k_formats = {"text", "json", "sarif"};

struct LintOptions {
  std::string config;
  std::string jsonnet;
  std::string action;
  std::string schema;
  std::string hook;
  std::string call;  // empty: identify, or what an action's URL names
  std::string header_allowlist;
  std::string format = "text";
  std::string kratos;
  std::vector<std::string> disable;  // rule ids, each may be a comma-separated list
  int max_warnings = -1;             // -1: any number
  bool exit_zero = false;
};

using Input = LintInput;

struct Template {
  std::string source;
  std::string name;
  std::string url;                      // an action's URL, for the call it makes
  std::vector<core::Finding> findings;  // an action's own: its response settings, its body
};

Template template_from_options(const LintOptions& opts, std::vector<Input>* inputs) {
  if (!opts.jsonnet.empty()) {
    inputs->push_back({io::display_name(opts.jsonnet), opts.jsonnet, "", false});
    return {read_text_or_throw(opts.jsonnet), io::display_name(opts.jsonnet), "", {}};
  }
  const std::string name = io::display_name(opts.action);
  const std::string text = read_text_or_throw(opts.action);
  io::Json doc;
  std::string err;
  if (!io::parse_document(text, name, &doc, nullptr, &err)) throw bad_input(err);
  inputs->push_back({name, opts.action, text, true});
  core::DeployedAction action;
  if (!core::read_action(doc, &action, &err)) throw bad_input(name + ": " + err);
  core::BodyTemplate body;
  if (!core::template_from_body(action.body, name + " (body)", &body, &err)) {
    throw bad_input(err);
  }
  Template t{std::move(body.source), std::move(body.name), action.url, {}};
  const std::string flow =
      opts.hook.empty() ? "registration" : opts.hook.substr(0, opts.hook.find('.'));
  t.findings = core::lint_action(doc, name, flow);  // the action's own rules, as every verb's
  return t;
}

struct Report {
  std::vector<Input> inputs;
  bool has_table = false;
  std::vector<core::HookRow> table;
  std::vector<core::Finding> findings;
  std::string template_name;
};

void lint_the_template(const LintOptions& opts, const Template& t, const core::Json* schema,
                       const core::Json* config, Report* report) {
  report->template_name = t.name;
  core::TemplateLintOptions options;
  options.schema = schema;
  if (!opts.hook.empty()) {
    std::string err;
    const auto hook = core::parse_hook_point(opts.hook, &err);
    if (!hook) throw bad_input("--hook: " + err);
    options.hooks.push_back(*hook);
  }
  if (!opts.call.empty()) {
    const auto call = core::parse_segment_call(opts.call);
    if (!call) {
      throw bad_input("--call: '" + opts.call + "' is not a Segment call (" +
                      util::join(core::segment_call_names(), ", ") + ")");
    }
    options.call = *call;
  } else if (!t.url.empty()) {
    // An action: the call its URL makes, and Segment's rules only when it calls Segment.
    std::string err;
    const auto url = util::parse_url(t.url, &err);
    const auto call = url ? core::call_from_path(url->path) : std::nullopt;
    options.call = call.value_or(core::SegmentCall::identify);
    options.check_message = url && (core::is_segment_host(url->host) || call);
  }
  options.header_allowlist = header_allowlist_or_throw(opts.header_allowlist);
  if (!options.header_allowlist && config) {
    options.header_allowlist = core::config_header_allowlist(*config);
  }
  report->findings.insert(report->findings.end(), t.findings.begin(), t.findings.end());
  for (auto& f : core::lint_template(t.source, t.name, options)) {
    report->findings.push_back(std::move(f));
  }
}

Report lint(const LintOptions& opts) {
  require_one_of("--format", opts.format, k_formats);
  const core::KratosProfile& kratos = kratos_profile_or_throw(opts.kratos);
  if (!opts.jsonnet.empty() && !opts.action.empty()) {
    throw bad_input("give one of --jsonnet FILE or --action FILE, not both");
  }
  if (opts.config.empty() && opts.jsonnet.empty() && opts.action.empty()) {
    throw bad_input("give what to lint: --config FILE, --jsonnet FILE or --action FILE");
  }
  const bool has_template = !opts.jsonnet.empty() || !opts.action.empty();
  if (!has_template && (!opts.hook.empty() || !opts.call.empty())) {
    throw bad_input(
        "--hook and --call describe a template (--jsonnet or --action); with --config alone, "
        "each web_hook body is linted at the hook points it runs at, for the call its URL makes");
  }
  int stdin_uses = 0;
  for (const auto* p : {&opts.config, &opts.jsonnet, &opts.action, &opts.schema}) {
    stdin_uses += *p == "-" ? 1 : 0;
  }
  if (stdin_uses > 1) throw bad_input("only one input can be standard input (-)");

  Report report;
  core::Json config;
  std::string config_text;
  if (!opts.config.empty()) {
    config_text = read_text_or_throw(opts.config);
    std::string err;
    if (!io::parse_document(config_text, io::display_name(opts.config), &config, nullptr, &err)) {
      throw bad_input(err);
    }
  }
  std::optional<SchemaInput> raw;
  if (!opts.schema.empty()) {
    raw = read_schema_or_throw(opts.schema);
  } else if (!opts.config.empty()) {
    raw = schema_from_config(config, opts.config);
  }
  core::Json schema;
  if (raw) {
    std::vector<std::string> notes;
    std::string err;
    if (!core::read_identity_schema(raw->document, &schema, &notes, &err)) {
      throw bad_input(raw->name + ": " + err);
    }
    for (const auto& n : notes) note(raw->name + ": " + n);
  }
  const core::Json* schema_ptr = raw ? &schema : nullptr;
  Template t;
  if (has_template) t = template_from_options(opts, &report.inputs);
  int stored_matches = 0;
  if (!opts.config.empty()) {
    const std::string name = io::display_name(opts.config);
    report.inputs.push_back({name, opts.config, config_text, true});
    core::ConfigLintOptions options;
    options.schema = schema_ptr;
    options.kratos = &kratos;
    if (!opts.jsonnet.empty()) {
      options.local_template = &t.source;
      options.local_template_name = t.name;
    }
    core::ConfigLint result = core::lint_config(config, name, options);
    report.has_table = true;
    report.table = std::move(result.table);
    report.findings = std::move(result.findings);
    stored_matches = result.stored_matches;
  }
  // A template the config runs (Ory Network stored it) was linted where it runs; --hook or
  // --call asks for it elsewhere too.
  if (has_template && (stored_matches == 0 || !opts.hook.empty() || !opts.call.empty())) {
    lint_the_template(opts, t, schema_ptr, opts.config.empty() ? nullptr : &config, &report);
  } else if (has_template) {
    report.template_name = t.name;
  }
  return report;
}

constexpr std::size_t k_table_columns = 100;  // the widest a table line may be

std::string hook_label(const core::RunningHook& h) {
  std::string label = h.name;
  if (!h.url.empty()) {
    std::string err;
    const auto url = util::parse_url(h.url, &err);
    label += " " + (url ? url->host + url->path : h.url);
  }
  if (h.before_save) label += " (before save)";
  return util::escape_controls(label);  // names and URLs come from the config
}

std::string list_label(const core::HookRow& row) {
  if (row.point.when == "before" || row.point.method.empty()) return row.point.name() + ".hooks";
  return row.global ? row.point.flow + ".after.hooks (global)" : row.point.name() + ".hooks";
}

// Under a before-hook row with hooks: the other requests that run them.
std::string also_runs(const core::HookRow& row, std::size_t width) {
  if (row.point.when != "before" || row.hooks.empty()) return "";
  std::string out;
  for (const auto& t : core::before_triggers(row.point.flow)) {
    if (std::string(t.name) == "created") continue;
    out += std::string(width + 4, ' ') + "also when " + t.when + " (" + t.method + " " + t.path +
           ")\n";
  }
  return out;
}

void print_table(const Report& report, std::ostream& out) {
  out << "Hooks Kratos runs (" << report.inputs.front().name << "), in order:\n";
  std::size_t width = 0;
  for (const auto& row : report.table) width = std::max(width, row.point.name().size());
  bool hidden = false;
  for (const auto& row : report.table) {
    if (!row.enabled && row.hooks.empty()) {  // no sign-ups, nothing to run
      hidden = true;
      continue;
    }
    std::string hooks;
    for (const auto& h : row.hooks) hooks += (hooks.empty() ? "" : ", ") + hook_label(h);
    std::string line = "  " + row.point.name();
    line.resize(width + 4, ' ');
    line += hooks.empty() ? "-" : hooks;
    std::string tail;
    if (!row.hooks.empty()) tail += "[" + list_label(row) + "]";
    if (!row.enabled) {
      tail += std::string(tail.empty() ? "" : " ") +
              (row.flow_enabled ? "(method not enabled)" : "(flow not enabled)");
    }
    // Within k_table_columns: what does not fit goes on a line of its own, under the hooks.
    if (!tail.empty() && line.size() + 3 + tail.size() <= k_table_columns) {
      line += "   " + tail;
    } else if (!tail.empty()) {
      line += "\n" + std::string(width + 4, ' ') + tail;
    }
    out << line << "\n" << also_runs(row, width);
  }
  if (hidden) {
    out << "  (flows and methods not enabled are shown only where hooks would "
           "run)\n";
  }
  out << "\n";
}

core::Json table_json(const Report& report) {
  core::Json rows = core::Json::array();
  for (const auto& row : report.table) {
    core::Json hooks = core::Json::array();
    for (const auto& h : row.hooks) {
      core::Json hook = {{"hook", h.name}, {"pointer", h.pointer}};
      if (!h.url.empty()) hook["url"] = h.url;
      hook["before_save"] = h.before_save;
      hooks.push_back(hook);
    }
    core::Json entry = {{"point", row.point.name()},
                        {"list", list_label(row)},
                        {"global", row.global},
                        {"enabled", row.enabled},
                        {"hooks", hooks}};
    if (row.point.when == "before") {
      entry["triggers"] = core::Json::array();
      for (const auto& t : core::before_triggers(row.point.flow)) {
        entry["triggers"].push_back(
            {{"trigger", t.name}, {"when", t.when}, {"method", t.method}, {"path", t.path}});
      }
    }
    rows.push_back(entry);
  }
  return rows;
}

// The rules --disable names (each value a comma-separated list), checked against lint's.
std::set<std::string> disabled_rules(const std::vector<std::string>& values) {
  const std::vector<std::string> ids = core::lint_rule_ids();
  std::set<std::string> out;
  for (const auto& value : values) {
    for (const std::string& id : util::split_trimmed(value, ',')) {
      if (core::find_lint_rule(id)) {
        out.insert(id);
        continue;
      }
      const auto guess = util::closest_match(id, ids);
      throw bad_input("--disable: '" + id + "' is not a rule of lint" +
                      (guess ? " (did you mean '" + *guess + "'?)" : "") +
                      "; the rules: " + util::join(ids, ", "));
    }
  }
  return out;
}

void print_json(const Report& report, const std::size_t counts[3]) {
  core::Json doc = core::Json::object();
  if (!report.template_name.empty()) doc["template"] = report.template_name;
  if (report.has_table) {
    doc["config"] = report.inputs.front().name;
    doc["hooks"] = table_json(report);
  }
  doc["findings"] = core::Json::array();
  for (const auto& f : report.findings) doc["findings"].push_back(finding_json(f));
  doc["errors"] = counts[0];
  doc["warnings"] = counts[1];
  doc["notes"] = counts[2];
  std::cout << doc.dump(2) << "\n";
}

void print_text(const Report& report, const std::size_t counts[3]) {
  if (report.has_table && !quiet()) print_table(report, std::cout);
  for (const auto& f : report.findings) {
    // Locations and messages quote the config's keys and values: no control character
    // of theirs reaches the terminal.
    std::cout << paint_severity(f.severity, core::severity_name(f.severity)) << ": "
              << util::escape_controls(core::to_string(f));
    if (!f.rule.empty()) std::cout << " [" << f.rule << "]";
    std::cout << "\n";
    if (!f.hint.empty()) std::cout << "  fix: " << util::escape_controls(f.hint) << "\n";
  }
  std::string names;
  for (const auto& input : report.inputs) names += (names.empty() ? "" : ", ") + input.name;
  std::cout << names << ": " << util::counted(static_cast<long>(counts[0]), "error") << ", "
            << util::counted(static_cast<long>(counts[1]), "warning") << ", "
            << util::counted(static_cast<long>(counts[2]), "note") << "\n";
}

ExitStatus run_lint(const LintOptions& opts) {
  const std::set<std::string> disabled = disabled_rules(opts.disable);
  if (opts.max_warnings < -1) throw bad_input("--max-warnings: give a count, 0 or more");
  Report report = lint(opts);
  report.findings.erase(
      std::remove_if(report.findings.begin(), report.findings.end(),
                     [&](const core::Finding& f) { return disabled.count(f.rule) > 0; }),
      report.findings.end());
  std::size_t counts[3] = {0, 0, 0};
  for (const auto& f : report.findings) ++counts[static_cast<int>(f.severity)];
  if (opts.format == "sarif") {
    std::cout << sarif_log(report.inputs, report.findings).dump(2) << "\n";
  } else if (opts.format == "json") {
    print_json(report, counts);
  } else {
    print_text(report, counts);
  }
  std::cout.flush();
  if (opts.exit_zero) return ExitStatus::ok;
  if (counts[0] > 0) return ExitStatus::check_failed;
  if (opts.max_warnings >= 0 && counts[1] > static_cast<std::size_t>(opts.max_warnings)) {
    error(util::counted(static_cast<long>(counts[1]), "warning") + ", more than --max-warnings " +
          std::to_string(opts.max_warnings) + " allows");
    return ExitStatus::check_failed;
  }
  return ExitStatus::ok;
}

// Every rule, one line each, for --help.
std::string rule_list() {
  std::size_t width = 0;
  for (const auto& r : core::lint_rules()) width = std::max(width, std::strlen(r.id));
  std::string out;
  for (const auto& r : core::lint_rules()) {
    out += "  " + std::string(r.id) + std::string(width + 2 - std::strlen(r.id), ' ') + r.summary +
           "\n";
  }
  out.pop_back();
  return out;
}

// What --help says after the options: what the verb does, its exit status, examples.
std::string lint_footer() {
  return std::string(
             R"(Finds, before a user signs up, what makes the hook fail, never run, or Segment drop
the message.

A config (--config): the hooks Kratos runs at every flow and method, as a table (a
method's own after-list, or the flow's global list only while the method's own is empty);
web_hooks that never run (a shadowed global list, a method not enabled) or run for some
methods only; response.parse in a global list; unknown hooks and hooks the schema does not
allow there; duplicates; session before a web_hook; Segment calls without
response.ignore; and each web_hook body linted as a template at the points it runs at.

A template (--jsonnet, --action, each body of --config): a template that does not load
or that Kratos cannot call (a parameter not named ctx); std.extVar('ctx'); a trait read
without a guard (with --schema: one the schema does not require or does not have);
metadata_public read without a guard; a request header Kratos does not pass; a ctx field
the hook point does not have; and what it sends for a sample identity by Segment's rules
(a track without event, no userId or anonymousId, fields of another call, no messageId
to drop the duplicates of Kratos's retries by).

Each finding has a severity, a rule, a location (FILE:LINE:COL in a template,
FILE#/json/pointer in a config or action) and a fix.

Exit status: 0 no errors (warnings and notes may be printed; with --max-warnings N, at most
N warnings), 1 errors found, 2 bad input; --exit-zero: 0 unless the input is bad.

Examples:
  ory-segment lint --jsonnet examples/segment_identify.jsonnet --schema examples/identity.schema.json
  ory get identity-config --format yaml | ory-segment lint --config - --schema identity.schema.json
  ory-segment lint --config kratos.yml --format sarif > lint.sarif
  ory-segment lint --config kratos.yml --kratos v26.2.0     # a self-hosted Kratos v26.2.0
  ory-segment lint --action webhook-action.json --hook registration.after.password \
    --format json
  ory-segment lint --config kratos.yml --disable message-id --max-warnings 0

Rules (--disable RULE, or // ory-segment: disable=RULE in a template: after code,
for its line; on a line of its own, for the next; before any code, for all of it):
)") + rule_list();
}

}  // namespace

VerbRunner setup_lint(CLI::App& cmd) {
  auto opts = std::make_shared<LintOptions>();
  help_section(cmd, "What to lint");
  add_flags(
      cmd, {
               {"--config", "FILE|-",
                "an identity config (Kratos YAML/JSON, or ory get identity-config): its "
                "hooks and each web_hook body",
                &opts->config},
               {"--jsonnet", "FILE|-", "a template to lint", &opts->jsonnet},
               {"--action", "FILE|-", "a web_hook action: lint its body's template", &opts->action},
           });
  help_section(cmd, "Where the template runs");
  add_flags(cmd, {
                     {"--schema", "FILE|-|URL",
                      "the identity schema: which traits exist, which are required (file://, "
                      "base64:// and preset://email|username too; default with --config: its "
                      "identity.default_schema_id)",
                      &opts->schema},
                     {"--hook", "FLOW.WHEN[.METHOD]",
                      "the hook point the template runs at: which ctx fields exist there",
                      &opts->hook, hook_point_names()},
                     {"--call", "CALL",
                      "the Segment call the template makes (default: identify, or what the "
                      "action's URL names)",
                      &opts->call, core::segment_call_names()},
                     {"--header-allowlist", "NAMES",
                      "the project's clients.web_hook.header_allowlist, comma-separated "
                      "(default: the config's, or Kratos's)",
                      &opts->header_allowlist},
                     kratos_flag(&opts->kratos),
                 });
  help_section(cmd, "Output and exit status");
  add_flags(cmd, {
                     {"--format", "FORMAT",
                      "text (default), json (one document with findings) or sarif (SARIF 2.1.0, "
                      "for GitHub code scanning)",
                      &opts->format, k_formats},
                     {"--disable", "RULE[,RULE]",
                      "leave out the findings of these rules (repeatable); a template can turn "
                      "a rule off itself: // ory-segment: disable=RULE",
                      &opts->disable, core::lint_rule_ids()},
                     {"--max-warnings", "N", "exit 1 when there are more than N warnings",
                      &opts->max_warnings},
                     {"--exit-zero", "",
                      "exit 0 whatever is found (bad input still exits 2): for a SARIF upload "
                      "that must run",
                      &opts->exit_zero},
                 });
  cmd.footer(lint_footer());
  return [opts] { return run_lint(*opts); };
}

}  // namespace cli
