#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace core {

using Json = nlohmann::ordered_json;

// `value` written exactly as Jsonnet's manifester writes a top-level value (what Kratos
// sends): keys in the order given (Jsonnet's output is already sorted), 3-space indent,
// "{ }" and "[ ]" for empty containers, numbers as integers when whole, otherwise %.17g,
// control characters and U+007F..U+009F as \u00xx, and a trailing newline.
std::string manifest_like_jsonnet(const Json& value);

// JSON text as Jsonnet's manifester writes it, parsed so that manifest_like_jsonnet writes
// it back the same: a negative zero stays one (a plain parse makes `-0` the integer 0).
// Discarded (is_discarded()) when it is not JSON.
Json parse_manifested(std::string_view text);

}  // namespace core
