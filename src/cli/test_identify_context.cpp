// test-identify's identity and ctx, from its options.
#include "cli/test_identify.hpp"

#include "cli/common.hpp"
#include "cli/diagnostics.hpp"
#include "cli/exit_status.hpp"
#include "cli/schema_input.hpp"
#include "io/document.hpp"
#include "io/file_io.hpp"
#include "kratos/identity_schema.hpp"

namespace cli {

core::Json identity_from_options(const TestIdentifyOptions& opts, core::Json* required_only) {
  if (required_only) *required_only = nullptr;
  if (!opts.identity.empty() && !opts.schema.empty()) {
    throw bad_input("--identity and --schema both given; use one");
  }
  require_one_of("--sample", opts.sample, k_sample_shapes);
  if (opts.schema.empty() && opts.sample != "full") {
    throw bad_input("--sample goes with --schema (the sample identity is filled from it)");
  }
  if (!opts.identity.empty()) {
    const std::string text = read_text_or_throw(opts.identity);
    io::Json identity;
    std::string err;
    io::DocumentFormat format{};
    if (!io::parse_document(text, io::display_name(opts.identity), &identity, &format, &err)) {
      throw bad_input(err);
    }
    if (!identity.is_object() || !identity.contains("traits")) {
      throw bad_input(io::display_name(opts.identity) +
                      ": not an identity (expected an object with traits, as 'ory get identity "
                      "ID --format json' prints)");
    }
    return identity;
  }
  if (!opts.schema.empty()) {
    const SchemaInput input = read_schema_or_throw(opts.schema);
    const io::Json& schema = input.document;
    core::Json identity;
    std::string err;
    const auto shape =
        opts.sample == "minimal" ? core::SampleShape::minimal : core::SampleShape::full;
    if (!core::sample_identity(schema, shape, &identity, &err)) {
      throw bad_input(input.name + ": " + err);
    }
    if (required_only && shape == core::SampleShape::full) {
      core::sample_identity(schema, core::SampleShape::minimal, required_only, &err);
    }
    return identity;
  }
  if (required_only) *required_only = core::builtin_sample_identity(core::SampleShape::minimal);
  return core::builtin_sample_identity();
}

core::Json context_from_options(const TestIdentifyOptions& opts, const SendTarget& target,
                                const core::Json* identity) {
  require_one_of("--flow-type", opts.flow_type, k_flow_types);
  core::ContextOptions c;
  c.hook = resolve_hook(opts.send);
  c.pre_persist =
      opts.parse_response || target.action.parse_response || target.action.can_interrupt;
  c.flow_type = opts.flow_type == "api" ? core::FlowType::api : core::FlowType::browser;
  c.identity = identity ? *identity : identity_from_options(opts);
  c.trigger = trigger_or_throw(opts.trigger, c.hook);
  if (opts.refresh && (c.hook.flow != "login" || c.hook.when != "after")) {
    throw bad_input("--refresh goes with a login after-hook (--hook login.after.METHOD)");
  }
  c.refresh = opts.refresh;
  c.flow_id = flow_id_or_throw(opts.flow_id, opts.send.dry_run);
  c.extra_headers = header_specs_or_throw(opts.headers);
  c.header_allowlist = header_allowlist_or_throw(opts.header_allowlist);
  if (!opts.transient_payload.empty()) {
    c.transient_payload = read_document_or_throw(opts.transient_payload);
    if (!c.transient_payload.is_object()) {
      throw bad_input(io::display_name(opts.transient_payload) +
                      ": the transient payload must be a JSON object");
    }
    if (const std::string why = core::transient_payload_missing(c.hook); !why.empty()) {
      warning("--transient-payload: Kratos does not pass it to " + c.hook.name() + " (" + why +
              ")");
    }
  }
  std::vector<std::string> dropped;
  core::Json ctx = core::build_context(c, &dropped);
  for (const auto& name : dropped) {
    warning("--header " + name +
            ": Kratos drops this header from ctx.request_headers (not on "
            "its allowlist)");
  }
  return ctx;
}

}  // namespace cli
