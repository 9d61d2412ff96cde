#pragma once

#include <optional>
#include <string>

#include "io/document.hpp"

namespace cli {

// An identity schema as --schema names it, or as lint finds it in --config.
struct SchemaInput {
  io::Json document;
  std::string name;  // for messages: the file, "preset://email", "--schema (base64://)"
};

// --schema: a path, - (standard input), file://PATH, base64://... or preset://email|username
// (core::read_schema_location), parsed as JSON or YAML; throws a bad-input Error.
SchemaInput read_schema_or_throw(const std::string& location);

// The config's default identity schema (identity.default_schema_id in identity.schemas),
// read as Kratos would read it. A file:// path that is not on this machine (the path inside
// Kratos's container) is looked for by its name beside the config, with a note. Nullopt,
// with a note saying why, when the config names none or it cannot be read here (a URL);
// throws when what it names is there but is not a schema.
std::optional<SchemaInput> schema_from_config(const io::Json& config,
                                              const std::string& config_path);

}  // namespace cli
