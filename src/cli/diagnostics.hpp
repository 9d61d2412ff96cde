#pragma once

#include <string>
#include <vector>

#include "util/finding.hpp"

namespace cli {

// "ory-segment: error: MESSAGE" etc. on standard error; standard output carries only
// the product, so every verb pipes cleanly.
void error(const std::string& message);
void warning(const std::string& message);
void note(const std::string& message);

// Findings on standard error, each as its severity says ("error: LOCATION: MESSAGE [rule]"),
// its fix on the next line; notes only without --quiet.
void report_findings(const std::vector<util::Finding>& findings);

// What a verb says of lint's findings about what it builds or installs (`what`): errors in
// full, then throws a check-failed Error (nothing is written: the hook would fail, or Segment
// drop what it sends); warnings counted by rule in one line with `lint_command`, which shows
// them.
void report_rule_findings(const std::vector<util::Finding>& findings, const std::string& what,
                          const std::string& lint_command);

// --quiet: notes are not printed (warnings and errors still are), nor tables around results.
void set_quiet(bool quiet);
bool quiet();

// --color auto|always|never (as gcc's -fdiagnostics-color): "auto" colours a stream that is a
// terminal, unless NO_COLOR is set (not empty) or TERM is dumb. Returns false for another word.
bool set_color(const std::string& mode);

// `text` in the colour of `s` (errors red, warnings yellow, notes cyan, bold) when standard
// output is coloured; `text` itself otherwise.
std::string paint_severity(util::Severity s, const std::string& text);

}  // namespace cli
