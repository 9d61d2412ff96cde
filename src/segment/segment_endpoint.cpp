#include "segment/segment_endpoint.hpp"

#include "io/document.hpp"
#include "io/json_scan.hpp"
#include "util/base64.hpp"
#include "util/gzip.hpp"
#include "util/text.hpp"

namespace core {

void redact_write_keys(Json* value, const std::string& key) {
  if (value->is_string()) {
    if (!key.empty() && value->get_ref<const std::string&>() == key) *value = "<redacted>";
    return;
  }
  if (value->is_array()) {
    for (auto& item : *value) redact_write_keys(&item, key);
    return;
  }
  if (!value->is_object()) return;
  for (auto& [name, member] : value->items()) {
    if (name == "writeKey") {
      member = "<redacted>";
    } else {
      redact_write_keys(&member, key);
    }
  }
}

namespace {

EndpointResult reject(int status, const std::string& why) {
  EndpointResult r;
  r.status = status;
  r.error = why;
  // `why` can quote bytes of a body that is not UTF-8: replace them rather than throw.
  r.body =
      Json{{"success", false}, {"error", why}}.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

// The write key from "Basic base64(key:)", or "" when the header is absent or malformed.
std::string basic_auth_user(const std::string& authorization) {
  const std::string_view h = util::trim(authorization);
  if (util::to_lower(h.substr(0, 6)) != "basic ") return "";
  std::string decoded;
  util::Base64Error err;
  if (!util::base64_decode(util::trim(h.substr(6)), &decoded, &err)) return "";
  return decoded.substr(0, decoded.find(':'));
}

ReceivedMessage judge(const Json& message, const std::string& type, std::size_t size) {
  ReceivedMessage m;
  m.message = message;
  m.type = type;
  const auto call = parse_segment_call(type);
  if (!call) {
    m.dropped = true;
    m.reason = "unknown message type '" + type + "'";
    return m;
  }
  for (auto& f : validate_message(message, *call, size)) {
    if (f.severity == Severity::error) {
      if (!m.dropped) m.reason = to_string(f);
      m.dropped = true;
    } else {
      m.warnings.push_back(std::move(f));
    }
  }
  return m;
}

EndpointResult tracking_result(const Json& doc, const std::string& call, bool batch,
                               std::size_t body_size);

}  // namespace

EndpointResult handle_tracking_request(const std::string& write_key, const std::string& method,
                                       const std::string& path, const std::string& authorization,
                                       const std::string& raw_body,
                                       const EndpointOptions& options) {
  const std::string route = path.substr(0, path.find('?'));
  static const std::string k_prefix = "/v1/";
  if (!util::starts_with(route, k_prefix)) return reject(404, "no such endpoint: " + route);
  std::string call = route.substr(k_prefix.size());
  const bool batch = call == "batch" || call == "import";
  if (!batch && !parse_segment_call(call)) return reject(404, "no such endpoint: " + route);
  if (method != "POST") return reject(405, "use POST");
  const std::string encoding = util::to_lower(util::trim(options.content_encoding));
  std::string decoded;
  if (encoding == "gzip") {
    std::string why;
    // One byte past the limit is enough to say the body is over it.
    if (!util::gunzip(raw_body, k_max_batch_bytes + 1, &decoded, &why)) {
      if (decoded.empty() && why.find("more than") != std::string::npos) {
        return reject(400, "the gzip body is over Segment's 500 KB limit once decompressed");
      }
      return reject(400, "Content-Encoding gzip, but " + why);
    }
  } else if (!encoding.empty() && encoding != "identity") {
    return reject(400, "Content-Encoding '" + encoding + "' is not supported (gzip is)");
  }
  const std::string& body = encoding == "gzip" ? decoded : raw_body;
  if (body.size() > k_max_batch_bytes) {
    return reject(
        400, "request is " + std::to_string(body.size()) + " bytes, over Segment's 500 KB limit");
  }
  if (io::json_depth(body, io::k_max_document_depth) > io::k_max_document_depth) {
    return reject(
        400, "the body nests deeper than " + std::to_string(io::k_max_document_depth) + " levels");
  }
  Json doc;
  try {
    doc = Json::parse(body);
  } catch (const Json::exception& e) {  // parse_error, and out_of_range for 1e999
    return reject(400, std::string("invalid JSON: ") + e.what());
  }
  if (!doc.is_object()) return reject(400, "the body must be a JSON object");
  std::string key_problem;
  if (!write_key.empty()) {
    std::string key = basic_auth_user(authorization);
    if (key.empty() && doc.contains("writeKey") && doc["writeKey"].is_string()) {
      key = doc["writeKey"].get<std::string>();
    }
    if (key != write_key) {
      if (options.strict_auth) {
        return reject(401, key.empty() ? "no write key" : "wrong write key");
      }
      key_problem = key.empty() ? "no write key" : "unknown write key";
    }
  }
  EndpointResult result = tracking_result(doc, call, batch, body.size());
  if (!result.error.empty()) return result;
  for (auto& m : result.messages) redact_write_keys(&m.message, write_key);
  if (!key_problem.empty()) {
    // Segment answers 200 and drops everything sent with a key it does not know.
    for (auto& m : result.messages) {
      m.dropped = true;
      m.reason = key_problem + " (Segment answers 200 and drops the data)";
    }
  }
  return result;
}

namespace {

EndpointResult tracking_result(const Json& doc, const std::string& call, bool batch,
                               std::size_t body_size) {
  EndpointResult result;
  if (!batch) {
    if (body_size > k_max_message_bytes) {
      return reject(
          400, "message is " + std::to_string(body_size) + " bytes, over Segment's 32 KB limit");
    }
    result.messages.push_back(judge(doc, call, body_size));
  } else {
    const auto list = doc.find("batch");
    if (list == doc.end() || !list->is_array()) return reject(400, "a batch needs a 'batch' array");
    for (const auto& item : *list) {
      const std::size_t size = item.dump().size();
      if (size > k_max_message_bytes) {
        return reject(400, "a message in the batch is " + std::to_string(size) +
                               " bytes, over Segment's 32 KB limit");
      }
    }
    const bool too_many = list->size() > k_max_batch_messages;
    for (const auto& item : *list) {
      Json message = item;
      // Top-level context and integrations apply to every message of the batch.
      for (const char* shared : {"context", "integrations"}) {
        if (doc.contains(shared) && message.is_object() && !message.contains(shared)) {
          message[shared] = doc[shared];
        }
      }
      const std::string type =
          message.is_object() && message.contains("type") && message["type"].is_string()
              ? message["type"].get<std::string>()
              : "";
      ReceivedMessage m = type.empty() ? ReceivedMessage{message, "", true, "no 'type'", {}}
                                       : judge(message, type, message.dump().size());
      if (too_many) {
        m.dropped = true;
        m.reason = "the batch holds " + std::to_string(list->size()) +
                   " messages, over Segment's 2,500: Segment answers 200 and drops them all";
      }
      result.messages.push_back(std::move(m));
    }
  }
  result.body = R"({"success":true})";
  return result;
}

}  // namespace

}  // namespace core
