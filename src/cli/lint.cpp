// ory-segment lint: the mistakes a template makes that only show in production.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "cli/verbs.hpp"
#include "core/action_body.hpp"
#include "core/template_lint.hpp"
#include "core/webhook_action.hpp"
#include "io/file_io.hpp"

namespace cli {
namespace {

struct LintOptions {
  std::string jsonnet;
  std::string action;
  std::string schema;
  std::string hook;
  std::string call = "identify";
  std::string header_allowlist;
  std::string format = "text";
};

struct Template {
  std::string source;
  std::string name;
};

Template template_from_options(const LintOptions& opts) {
  if (opts.jsonnet.empty() == opts.action.empty()) {
    throw bad_input("give exactly one of --jsonnet FILE or --action FILE");
  }
  if (!opts.jsonnet.empty()) {
    return {read_text_or_throw(opts.jsonnet), io::display_name(opts.jsonnet)};
  }
  const std::string name = io::display_name(opts.action);
  core::DeployedAction action;
  std::string err;
  if (!core::read_action(read_document_or_throw(opts.action), &action, &err)) {
    throw bad_input(name + ": " + err);
  }
  core::BodyTemplate body;
  if (!core::template_from_body(action.body, name + " (body)", &body, &err)) {
    throw bad_input(err);
  }
  return {std::move(body.source), std::move(body.name)};
}

ExitStatus run_lint(const LintOptions& opts) {
  require_one_of("--format", opts.format, {"text", "json"});
  const Template t = template_from_options(opts);
  core::TemplateLintOptions options;
  core::Json schema;
  if (!opts.schema.empty()) {
    schema = read_document_or_throw(opts.schema);
    if (!schema.is_object()) throw bad_input(opts.schema + ": not a JSON schema (an object)");
    options.schema = &schema;
  }
  if (!opts.hook.empty()) {
    std::string err;
    options.hook = core::parse_hook_point(opts.hook, &err);
    if (!options.hook) throw bad_input("--hook: " + err);
  }
  const auto call = core::parse_segment_call(opts.call);
  if (!call) throw bad_input("--call: '" + opts.call + "' is not a Segment call");
  options.call = *call;
  options.header_allowlist = header_allowlist_or_throw(opts.header_allowlist);
  const std::vector<core::Finding> findings = core::lint_template(t.source, t.name, options);

  std::size_t counts[3] = {0, 0, 0};
  for (const auto& f : findings) ++counts[static_cast<int>(f.severity)];
  if (opts.format == "json") {
    core::Json doc = {{"template", t.name}, {"findings", core::Json::array()}};
    for (const auto& f : findings) {
      doc["findings"].push_back({{"severity", core::severity_name(f.severity)},
                                 {"location", f.location},
                                 {"message", f.message},
                                 {"fix", f.hint}});
    }
    doc["errors"] = counts[0];
    doc["warnings"] = counts[1];
    doc["notes"] = counts[2];
    std::cout << doc.dump(2) << "\n";
  } else {
    for (const auto& f : findings) {
      std::cout << core::to_line(f) << "\n";
      if (!f.hint.empty()) std::cout << "  fix: " << f.hint << "\n";
    }
    std::cout << t.name << ": " << counts[0] << (counts[0] == 1 ? " error, " : " errors, ")
              << counts[1] << (counts[1] == 1 ? " warning, " : " warnings, ") << counts[2]
              << (counts[2] == 1 ? " note" : " notes") << "\n";
  }
  std::cout.flush();
  return counts[0] > 0 ? ExitStatus::check_failed : ExitStatus::ok;
}

}  // namespace

VerbRunner setup_lint(CLI::App& cmd) {
  auto opts = std::make_shared<LintOptions>();
  add_flags(
      cmd,
      {
          {"--jsonnet", "FILE|-", "the template to lint", &opts->jsonnet},
          {"--action", "FILE|-", "a web_hook action: lint its body's template", &opts->action},
          {"--schema", "FILE", "the identity schema: which traits exist, which are required",
           &opts->schema},
          {"--hook", "FLOW.WHEN[.METHOD]",
           "the hook point it runs at: which ctx fields exist there", &opts->hook},
          {"--call", "CALL", "the Segment call it makes (default identify)", &opts->call},
          {"--header-allowlist", "NAMES",
           "the project's clients.web_hook.header_allowlist, comma-separated (default: "
           "Kratos's)",
           &opts->header_allowlist},
          {"--format", "FORMAT", "text (default) or json (one document, for CI)", &opts->format},
      });
  cmd.footer(R"(Finds, before a user signs up, what makes the hook fail or Segment drop the message:
a template that does not load or that Kratos cannot call (a parameter not named ctx),
std.extVar('ctx'), a trait read without a guard (with --schema: one the schema does not
require or does not have; without: anything but email), metadata_public read without a
guard, a request header Kratos does not pass, a ctx field the --hook point does not have,
and what the template sends for a sample identity checked by Segment's rules (a track
without event, no userId or anonymousId; a note without a messageId). Each finding has a
location in the template and a fix.

Exit status: 0 no errors (warnings and notes may be printed), 1 errors found, 2 bad input.

Examples:
  ory-segment lint --jsonnet examples/segment_identify.jsonnet
  ory-segment lint --jsonnet t.jsonnet --schema examples/identity.schema.json --hook registration.after.password
  ory-segment lint --action webhook-action.json --format json)");
  return [opts] { return run_lint(*opts); };
}

}  // namespace cli
