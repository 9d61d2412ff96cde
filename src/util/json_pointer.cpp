#include "util/json_pointer.hpp"

#include "util/text.hpp"

namespace util {

std::string escape_pointer_token(std::string_view token) {
  return replace_chars(token, {{'~', "~0"}, {'/', "~1"}});
}

}  // namespace util
