#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "segment/segment_api.hpp"
#include "util/finding.hpp"

namespace core {

using Json = nlohmann::ordered_json;

// Segment's limits: 32 KB per message, 500 KB and 2,500 messages per batch request (over
// the count: 200, but the events are dropped): Segment's docs, "HTTP API Source", section
// "Errors" (segment.com/docs/connections/sources/catalog/libraries/server/http-api/). The
// 100-character messageId is a limit this tool keeps to; Segment's public docs do not state one.
constexpr std::size_t k_max_message_bytes = std::size_t{32} * 1024;
constexpr std::size_t k_max_batch_bytes = std::size_t{500} * 1024;
constexpr std::size_t k_max_batch_messages = 2500;
constexpr std::size_t k_max_message_id_chars = 100;

// Checks one message of `call` as Segment's Tracking API treats it. Errors are what
// Segment would drop (or reject with 400); warnings are what it accepts but
// destinations may mishandle; locations are JSON pointers into the message. `serialized_size` is
// the message's size on the wire.
std::vector<Finding> validate_message(const Json& message, SegmentCall call,
                                      std::size_t serialized_size);

// What Segment does with a web_hook body as Kratos sends it: a form-encoded one is answered
// 400 (the Tracking API reads JSON only); a JSON one is checked as validate_message checks it.
std::vector<Finding> validate_body(const std::string& body, bool form_encoded, SegmentCall call);

// The call a Tracking API URL path names ("/v1/identify" -> identify), if any.
std::optional<SegmentCall> call_from_path(const std::string& path);

// The call a message's own fields name, by Segment's spec: `event` is a track's, `groupId` a
// group's, `previousId` an alias's, and a `type` names its call; nullopt when it names none (an
// identify, or a page or screen: their fields do not tell them apart) or more than one.
std::optional<SegmentCall> call_from_message(const Json& message);

// The field call_from_message read its answer from ("event", "groupId", ...), for messages.
std::string call_field(const Json& message);

}  // namespace core
