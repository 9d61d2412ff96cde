#pragma once

#include <string>
#include <string_view>

namespace util {

// One RFC 6901 reference token: '~' becomes "~0" and '/' becomes "~1".
std::string escape_pointer_token(std::string_view token);

}  // namespace util
