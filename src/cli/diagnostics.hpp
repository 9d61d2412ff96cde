#pragma once

#include <string>

namespace cli {

// "ory-segment: error: MESSAGE" etc. on standard error; standard output carries only
// the product, so every verb pipes cleanly.
void error(const std::string& message);
void warning(const std::string& message);
void note(const std::string& message);

// --quiet: notes are not printed (warnings and errors still are).
void set_quiet(bool quiet);

}  // namespace cli
