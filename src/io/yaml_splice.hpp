#pragma once

#include <string>
#include <string_view>

#include "io/document.hpp"

namespace io {

// `original` (block-style YAML that parse_document reads as `before`) rewritten to read as
// `after`, every part whose value did not change kept byte for byte: its comments, quoting,
// anchors, and values JSON cannot hold (.inf, .nan, integers beyond 64 bits, !!binary). Only
// the entries and list items that changed are written anew (to_yaml). False when the text
// cannot be edited this way (flow style where something changed, several documents): the
// caller writes to_yaml(after) instead. The result is checked to read back as `after`.
bool splice_yaml(std::string_view original, const Json& before, const Json& after,
                 std::string* out);

}  // namespace io
