#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace core {

// go-jsonnet implements std.manifestJsonEx (and so manifestJson and manifestJsonMinified)
// in Go, not in Jsonnet: numbers as strconv.FormatFloat(x, 'f', -1, 64) (0.1, 0.0000001,
// 1000000000000000000000) and strings as Go's encoding/json writes them (U+2028 and U+2029
// escaped, other controls as \u00XX), fields sorted. The same text, for a JSON value.
std::string go_manifest_json_ex(const nlohmann::ordered_json& value, const std::string& indent,
                                const std::string& newline, const std::string& key_val_sep);

// go-jsonnet's std.manifestYamlDoc (a Go builtin there): numbers as go_format_float,
// strings ending in a newline as `|` blocks, keys bare only where YAML cannot misread them.
std::string go_manifest_yaml_doc(const nlohmann::ordered_json& value, bool indent_array_in_object,
                                 bool quote_keys);

// A string as go-jsonnet's own escaper writes it (unparseString, escapeStringJson): controls
// and U+007F..U+009F as \u00XX, the rest as is.
std::string go_jsonnet_string(const std::string& s);

// strconv.FormatFloat(x, 'f', -1, 64): the shortest digits that read back as `x`, never
// in exponent form.
std::string go_format_float(double x);

// A string as Go's encoding/json encodes it with SetEscapeHTML(false).
std::string go_json_string(const std::string& s);

}  // namespace core
