#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kratos/hook_points.hpp"
#include "kratos/kratos_context.hpp"
#include "segment/segment_api.hpp"
#include "util/finding.hpp"

namespace core {

using Json = nlohmann::ordered_json;

struct TemplateLintOptions {
  // An identity schema: which traits exist, and which every identity has.
  const Json* schema = nullptr;
  // The hook points the template runs at: which ctx fields exist there (the sample ctx is
  // the first one's). None: not checked.
  std::vector<HookPoint> hooks;
  SegmentCall call = SegmentCall::identify;
  // Whether it sends to Segment: what it sends is checked by Segment's rules for `call`.
  bool check_message = true;
  HeaderAllowlist header_allowlist;  // clients.web_hook.header_allowlist; nullopt: the default
};

// The mistakes a template makes that only show in production, located in it (FILE:LINE:COL)
// with a fix, sorted by location:
// - it does not load or cannot be called as Kratos calls it (evaluate_checked), or reads
//   `std.extVar('ctx')` (Kratos passes ctx as the top-level argument): errors;
// - a trait (or a field of metadata_public) read by a lookup without a guard
//   (`std.objectHas`, `in`; `std.get` is not a lookup): with a schema, an error when the
//   schema does not require it or does not have it; without, a warning for anything but
//   `email` (optional-looking);
// - a lookup below a trait the schema types as a string, number or list: a warning;
// - a request header Kratos does not pass (not on the allowlist), a ctx field that does not
//   exist at one of `hooks`: errors (the lookup fails the hook);
// - what the template sends for a sample identity (the schema's, every trait filled, or
//   the built-in one), checked by Segment's rules for `call` (a track without `event`, no
//   userId or anonymousId), fields of another call (event sent to identify: a warning), and a
//   warning when it has no messageId.
// Each finding names its rule (lint/lint_rules.hpp).
// Guards are recognised by their text: a presence test of the same field on the same
// expression anywhere in the template counts.
std::vector<Finding> lint_template(std::string_view source, const std::string& name,
                                   const TemplateLintOptions& options);

}  // namespace core
