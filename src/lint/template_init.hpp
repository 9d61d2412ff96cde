#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kratos/hook_points.hpp"
#include "segment/segment_api.hpp"

namespace core {

using Json = nlohmann::ordered_json;

struct InitOptions {
  SegmentCall call = SegmentCall::identify;  // identify or track
  std::string event;                         // track: the event; empty: the flow's usual one
  HookPoint hook{"registration", "after", ""};
  std::string schema_name;  // for the header comment
};

// A commented template for `options.call` from an identity schema: userId from
// ctx.identity.id; each trait mapped onto Segment's reserved traits where its name (or
// format) makes it clear (email, phone, username, name.first/name.last or first_name/
// last_name -> firstName/lastName, ...), the rest under their own names; required traits
// read by lookups, optional ones as fields sent only when the identity has them;
// createdAt from ctx.identity.created_at; a messageId from ctx.flow.id. For track, the
// event and the same fields as properties. False, with `err`, for a schema without traits or
// a hook point without an identity (before-hooks). `notes` say how traits were mapped.
bool init_template(const Json& schema, const InitOptions& options, std::string* source,
                   std::vector<std::string>* notes, std::string* err);

// The event a flow's track call usually names ("Signed Up" for registration).
std::string default_event(const std::string& flow);

}  // namespace core
