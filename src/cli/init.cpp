// ory-segment init: a commented template from an identity schema, that lint passes.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/common.hpp"
#include "cli/diagnostics.hpp"
#include "cli/flags.hpp"
#include "cli/schema_input.hpp"
#include "cli/verbs.hpp"
#include "io/file_io.hpp"
#include "kratos/schema_location.hpp"
#include "lint/template_init.hpp"
#include "util/text.hpp"

namespace cli {
namespace {

const std::vector<std::string> k_calls = {"identify", "track"};

struct InitOptions {
  std::string schema;
  std::string call = "identify";
  std::string event;
  std::string hook = core::k_default_hook_point;
  std::string output;
  std::string kratos;
};

ExitStatus run_init(const InitOptions& opts) {
  if (opts.schema.empty())
    throw bad_input("--schema is required: the identity schema (a file, or preset://email)");
  core::InitOptions options;
  const auto call = core::parse_segment_call(opts.call);
  if (!call || (*call != core::SegmentCall::identify && *call != core::SegmentCall::track)) {
    throw bad_input("--call: '" + opts.call + "': init writes identify or track templates");
  }
  options.call = *call;
  if (!opts.event.empty() && options.call != core::SegmentCall::track) {
    throw bad_input("--event names a track call's event: add --call track");
  }
  options.event = opts.event;
  std::string err;
  const auto hook = core::parse_hook_point(opts.hook, &err);
  if (!hook) throw bad_input("--hook: " + err);
  require_hook_point_in(*hook, kratos_profile_or_throw(opts.kratos), "--hook " + opts.hook);
  options.hook = *hook;
  const SchemaInput input = read_schema_or_throw(opts.schema);
  const core::Json& schema = input.document;
  options.schema_name = input.name;
  std::string source;
  std::vector<std::string> notes;
  if (!core::init_template(schema, options, &source, &notes, &err)) {
    throw bad_input(input.name + ": " + err);
  }
  io::WriteOptions out;
  out.inputs = {core::schema_file(opts.schema)};
  out.keep_backup = true;
  write_output_or_throw(opts.output, source, out);
  for (const auto& n : notes) note(n);
  return ExitStatus::ok;
}

}  // namespace

VerbRunner setup_init(CLI::App& cmd) {
  auto opts = std::make_shared<InitOptions>();
  add_flags(cmd, {
                     {"--schema", "FILE|-|URL",
                      "the identity schema (JSON or YAML) to map traits from: a file, -, "
                      "file://, base64:// or preset://email|username",
                      &opts->schema},
                     {"--call", "CALL", "identify (default) or track", &opts->call, k_calls},
                     {"--event", "NAME",
                      "track: the event (default: the flow's, e.g. 'Signed Up' for registration)",
                      &opts->event},
                     {"--hook", "FLOW.WHEN[.METHOD]",
                      "where Kratos runs it (default registration.after.password): an after-hook",
                      &opts->hook, hook_point_names()},
                     output_file_flag(&opts->output),
                     kratos_flag(&opts->kratos),
                 });
  cmd.footer(
      R"(Writes a commented Jsonnet template from an identity schema, ready for lint, test-identify
and build-action: userId from ctx.identity.id; each trait mapped onto Segment's reserved
traits where its name makes it clear (email, phone, username; name.first/name.last or
first_name/last_name -> firstName/lastName; ...), the rest under their own names; required
traits read directly, optional ones as fields sent only when the identity has them (an
identity without them does not fail the hook, and Segment keeps what it knew); --kratos
checks that the hook point exists there; createdAt from ctx.identity.created_at; a
messageId from ctx.flow.id, so Segment drops the duplicates of Kratos's retries. With
--call track: the event, and the traits as its properties. Notes on stderr say how each
trait was mapped. An existing -o FILE is kept as FILE.bak.

Examples:
  ory-segment init --schema identity.schema.json -o segment_identify.jsonnet
  ory-segment init --schema identity.schema.json --call track --event 'Signed Up' -o signed_up.jsonnet
  ory-segment lint --jsonnet segment_identify.jsonnet --schema identity.schema.json)");
  return [opts] { return run_init(*opts); };
}

}  // namespace cli
