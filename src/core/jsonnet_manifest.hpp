#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace core {

using Json = nlohmann::ordered_json;

// `value` written exactly as Jsonnet's manifester writes a top-level value (what Kratos
// sends): keys in the order given (Jsonnet's output is already sorted), 3-space indent,
// "{ }" and "[ ]" for empty containers, numbers as integers when whole, otherwise %.17g,
// control characters and U+007F..U+009F as \u00xx, and a trailing newline.
std::string manifest_like_jsonnet(const Json& value);

}  // namespace core
