#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/finding.hpp"

namespace core {

using Json = nlohmann::ordered_json;

// The rules of one web_hook action, the same whichever verb reads it: build-action (what it
// builds), lint --action and --config (every web_hook), patch (what it installs). Findings are
// located at `location` (FILE or FILE#/pointer/of/the/hook) plus the pointer inside the action:
// - web-hook-invalid (error): not a web_hook Kratos can read; response.ignore with
//   response.parse or can_interrupt; a Content-Type other than exactly application/json or
//   application/x-www-form-urlencoded (request/builder.go: every call fails);
// - response-ignore (warning): a Segment call without response.ignore (`flow` names who waits);
// - web-hook-transport (warning): plain http to a host that is not loopback (the write key in
//   clear), or a method other than POST to Segment;
// - body-legacy-path (note): a body without a scheme.
std::vector<Finding> lint_action(const Json& hook, const std::string& location,
                                 const std::string& flow = "registration");

// Whether a web_hook with this URL calls Segment: Segment's host, or a path naming a call (a
// proxy, listen).
bool calls_segment(const std::string& url);

}  // namespace core
