#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "segment/segment_message.hpp"

namespace core {

using Json = nlohmann::ordered_json;

// One message as Segment would treat it.
struct ReceivedMessage {
  Json message;
  std::string type;  // identify, track, ... (from the path, or the message's type in a batch)
  bool dropped = false;
  std::string reason;  // why Segment would drop it
  std::vector<Finding> warnings;
  bool duplicate = false;  // dropped for a messageId already kept (MessageIdHistory)
};

// The header `listen` adds to a 200 whose messages it dropped as duplicates (Segment says
// nothing): how test-identify learns that what it sent was kept or not.
constexpr const char* k_dropped_header = "X-Ory-Segment-Dropped";

struct EndpointResult {
  int status = 200;
  std::string body;                       // the response body, shaped like Segment's
  std::vector<ReceivedMessage> messages;  // what Segment records (empty on 4xx)
  std::string error;                      // for a 4xx: why
};

struct EndpointOptions {
  // A missing or wrong write key: Segment answers 200 and drops the data (its docs: every
  // request gets 200 but invalid JSON and oversize ones), so the messages are recorded as
  // dropped ("unknown write key"); strict answers 401 and records nothing instead.
  bool strict_auth = false;
  std::string content_encoding;  // the request's Content-Encoding: "" / identity, or gzip
};

// Segment's HTTP Tracking API, locally: POST /v1/{identify,track,page,screen,group,alias,
// batch,import}. `write_key` empty: any key is accepted. Auth is HTTP Basic with the key as
// user, or `writeKey` in the body. A gzip body (analytics-python sends them) is decoded
// first. Pure; safe to fuzz.
// Every "writeKey" member at any depth (Segment's API reads the key at the top of a body, and
// clients also put it in a message or its context) and every string that is `key` (when not
// empty) become "<redacted>": what listen keeps and prints of a message holds no write key.
void redact_write_keys(Json* value, const std::string& key);

EndpointResult handle_tracking_request(const std::string& write_key, const std::string& method,
                                       const std::string& path, const std::string& authorization,
                                       const std::string& body,
                                       const EndpointOptions& options = {});

}  // namespace core
