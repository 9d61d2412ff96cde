#pragma once

#include <string>

#include "util/finding.hpp"

namespace cli {

// "ory-segment: error: MESSAGE" etc. on standard error; standard output carries only
// the product, so every verb pipes cleanly.
void error(const std::string& message);
void warning(const std::string& message);
void note(const std::string& message);

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
