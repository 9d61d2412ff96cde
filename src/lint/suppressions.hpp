#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/finding.hpp"

namespace core {

// The rules a template turns off for itself, in a comment (`//`, `#` or `/* */`):
//
//   // ory-segment: disable=RULE[,RULE...]
//
// after code on a line: for that line; on a line of its own: for the next line with code;
// before the template's first token: for the whole template, findings without a line (what
// the sample sends) included. `findings` located in `name` (NAME or NAME:LINE:COL) of a rule
// turned off there are dropped; a rule id lint does not know becomes a warning of rule
// lint-disable at the comment.
std::vector<Finding> apply_inline_disables(std::string_view source, const std::string& name,
                                           std::vector<Finding> findings);

}  // namespace core
