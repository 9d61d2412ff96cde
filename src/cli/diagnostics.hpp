#pragma once

#include <string>

namespace cli {

// "ory-segment: error: MESSAGE" etc. on standard error; standard output carries only
// the product, so every verb pipes cleanly.
void error(const std::string& message);
void warning(const std::string& message);
void note(const std::string& message);

}  // namespace cli
