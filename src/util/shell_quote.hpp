#pragma once

#include <string>
#include <string_view>

namespace util {

// Quotes `s` for POSIX sh so that it arrives as exactly one argument, byte for byte:
// single quotes around it, each ' written as '\''. Nothing inside is expanded.
std::string shell_quote(std::string_view s);

}  // namespace util
