#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/common.hpp"
#include "kratos/hook_points.hpp"
#include "kratos/webhook_action.hpp"
#include "segment/segment_api.hpp"
#include "util/finding.hpp"

namespace CLI {
class App;
}

namespace cli {

// What a sending verb (test-identify, backfill) is told to run, where to send it, at which
// hook point, and whether to send at all: --jsonnet with --write-key-file /
// SEGMENT_WRITE_KEY / --write-key and --call / --region / --url, or --action alone.
struct SendOptions {
  std::string jsonnet;
  std::string action;
  std::string body_root;  // --body-root: where an action's file:// body is, on this machine
  WriteKeyOptions key;
  SegmentTargetOptions segment;
  bool allow_insecure_url = false;  // plain http:// to a host that is not loopback
  std::string hook = core::k_default_hook_point;
  bool dry_run = false;
  std::string kratos;  // --kratos: a profile name, "" for the default
};

// The verb's own words for --action and --dry-run in --help.
struct SendHelp {
  const char* action;
  const char* hook;
  const char* dry_run;
};
void add_send_options(CLI::App& cmd, SendOptions* opts, const SendHelp& help);

// The template and the request Kratos would make with its output.
struct SendTarget {
  std::string source;           // the template's exact bytes
  std::string source_name;      // for error locations
  core::DeployedAction action;  // URL, method, headers (auth included), secret to redact
  SegmentTarget segment;        // where the call goes, and which call (its url: action.url)
  core::SegmentCall call = core::SegmentCall::identify;  // segment.call
  std::optional<core::Finding> call_error;               // Kratos's call of the template fails
  std::vector<core::Finding> warnings;                   // something in it fails if reached
};

// Resolves the options, or throws a bad-input Error naming the flag or file at fault.
// With `check`, the template is checked as Kratos loads it (an error throws; what fails
// when it is called, and warnings, are returned; without, the caller checks it, e.g. with
// core::evaluate_checked); the URL must be one the write key can safely travel to
// (core::validate_url). A dry run needs no write key: without one the header carries a
// placeholder.
SendTarget resolve_send_target(const SendOptions& opts, bool check = true);

// With what the template sends (core::call_from_message): the call, and with it the URL, as
// settle_call settles them.
void settle_send_call(SendTarget* target, const core::Json& output);

// What the template sends for the built-in sample identity at `hook` (as test-identify's
// ctx), or nullopt when it fails or cancels there: enough to tell the call it makes.
std::optional<core::Json> sample_output(const std::string& source, const std::string& name,
                                        const core::HookPoint& hook);

// The --hook point, or a bad-input Error with a did-you-mean (or for a point the --kratos
// profile does not have, such as Ory Network's saml on a self-hosted Kratos).
core::HookPoint resolve_hook(const SendOptions& opts);

// The flow's id in ctx: --flow-id (checked), else a new random one for a run that sends
// (Kratos creates a flow, a UUIDv4, each time, and a messageId built from it must not repeat:
// Segment drops a repeated one), else "" for a dry run's stable id.
std::string flow_id_or_throw(const std::string& given, bool dry_run);

// --trigger NAME for a before-hook at `hook`: one of core::before_triggers, checked ("" stays "").
std::string trigger_or_throw(const std::string& trigger, const core::HookPoint& hook);

}  // namespace cli
