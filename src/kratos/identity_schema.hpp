#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace core {

using Json = nlohmann::ordered_json;

enum class SampleShape {
  full,     // every property filled in
  minimal,  // only what the schema requires: what a user who skips optional fields has
};

// A deterministic identity (as `ory get identity` prints it) whose traits are filled
// from an identity JSON schema: formats, enums, consts, defaults, nested objects,
// local $refs. Returns false with a reason for a schema it cannot use.
bool sample_identity(const Json& schema, SampleShape shape, Json* identity, std::string* err);

// The docs' example identity: traits email, name and consent.newsletter (full), or only
// email, the one trait the docs' schema requires (minimal).
Json builtin_sample_identity(SampleShape shape = SampleShape::full);

}  // namespace core
