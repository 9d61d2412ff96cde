#pragma once

#include <string>
#include <vector>

#include "util/finding.hpp"

namespace core {

// A mistake `lint` finds: its id (what findings name in Finding::rule, and SARIF's
// ruleId), a one-line summary and the help that says why it matters and what to do.
struct LintRule {
  const char* id;
  const char* summary;
  const char* help;
  Severity level;  // the severity it usually has (some findings of a rule are milder)
};

// Every rule, templates' first, then configs'.
const std::vector<LintRule>& lint_rules();

// Whether `id` is a template's rule (what a template does), not a config's (where a hook is).
bool is_template_rule(const std::string& id);

// Every rule's id, in catalogue order.
std::vector<std::string> lint_rule_ids();

// The rule with `id`, or nullptr.
const LintRule* find_lint_rule(const std::string& id);

// The note for a web_hook body without a scheme (BodyScheme::legacy_path) at `location`.
Finding legacy_body_finding(const std::string& body, const std::string& location);

}  // namespace core
