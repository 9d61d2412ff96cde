#include "segment/segment_message.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

#include "util/json_pointer.hpp"
#include "util/text.hpp"

namespace core {
namespace {

enum class TraitType { string, number, object, date };

struct ReservedTrait {
  const char* camel;
  const char* snake;  // nullptr when the name has no snake_case form
  TraitType type;
};

// Segment's reserved traits (identify and group), with the types destinations expect.
constexpr ReservedTrait k_reserved_traits[] = {
    {"address", nullptr, TraitType::object},
    {"age", nullptr, TraitType::number},
    {"avatar", nullptr, TraitType::string},
    {"birthday", nullptr, TraitType::date},
    {"company", nullptr, TraitType::object},
    {"createdAt", "created_at", TraitType::date},
    {"description", nullptr, TraitType::string},
    {"email", nullptr, TraitType::string},
    {"firstName", "first_name", TraitType::string},
    {"gender", nullptr, TraitType::string},
    {"id", nullptr, TraitType::string},
    {"lastName", "last_name", TraitType::string},
    {"name", nullptr, TraitType::string},
    {"phone", nullptr, TraitType::string},
    {"title", nullptr, TraitType::string},
    {"username", nullptr, TraitType::string},
    {"website", nullptr, TraitType::string},
};

const char* const k_known_fields[] = {
    "type",      "userId",    "anonymousId", "traits",     "properties",        "event",
    "name",      "category",  "groupId",     "previousId", "context",           "integrations",
    "timestamp", "messageId", "sentAt",      "receivedAt", "originalTimestamp", "version",
    "channel",   "writeKey",
};

const char* type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    default:
      return "a number";
  }
}

bool is_iso8601(const std::string& s) {
  static const std::regex k_re(
      R"(\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)");
  return std::regex_match(s, k_re);
}

bool non_empty_id(const Json& msg, const char* field) {
  const auto it = msg.find(field);
  if (it == msg.end()) return false;
  if (it->is_string()) return !util::trim(it->get_ref<const std::string&>()).empty();
  return it->is_number();
}

void require_string(const Json& msg, const char* field, const std::string& why,
                    std::vector<Finding>* out) {
  const auto it = msg.find(field);
  if (it == msg.end() || it->is_null()) {
    out->push_back({Severity::error, "", std::string("no '") + field + "': " + why});
  } else if (!it->is_string() || util::trim(it->get_ref<const std::string&>()).empty()) {
    out->push_back({Severity::error, std::string("/") + field,
                    std::string("'") + field + "' must be a non-empty string: " + why});
  }
}

void optional_object(const Json& msg, const char* field, std::vector<Finding>* out) {
  const auto it = msg.find(field);
  if (it != msg.end() && !it->is_null() && !it->is_object()) {
    out->push_back({Severity::error, std::string("/") + field,
                    std::string("'") + field + "' must be an object, not " + type_name(*it)});
  }
}

void check_traits(const Json& traits, std::vector<Finding>* out) {
  if (!traits.is_object()) return;
  for (const auto& t : k_reserved_traits) {
    const bool camel = traits.contains(t.camel);
    const bool snake = t.snake && traits.contains(t.snake);
    if (camel && snake) {
      out->push_back({Severity::warning, "/traits",
                      std::string("both '") + t.camel + "' and '" + t.snake +
                          "': Segment reserves one trait under either spelling; send only one"});
    }
    const char* present = camel ? t.camel : snake ? t.snake : nullptr;
    if (!present) continue;
    const Json& v = traits.at(present);
    if (v.is_null()) continue;
    std::string expected;
    switch (t.type) {
      case TraitType::string:
        if (!v.is_string()) expected = "a string";
        break;
      case TraitType::number:
        if (!v.is_number()) expected = "a number";
        break;
      case TraitType::object:
        if (!v.is_object()) expected = "an object";
        break;
      case TraitType::date:
        if (!v.is_string() || !is_iso8601(v.get_ref<const std::string&>())) {
          expected = "an ISO-8601 date string";
        }
        break;
    }
    if (!expected.empty()) {
      out->push_back({Severity::warning, "/traits/" + util::escape_pointer_token(present),
                      std::string("reserved trait '") + present + "' should be " + expected +
                          ", not " + type_name(v) + " (destinations map it by type)"});
    }
  }
  const auto email = traits.find("email");
  if (email != traits.end() && email->is_string() &&
      email->get_ref<const std::string&>().find('@') == std::string::npos) {
    out->push_back({Severity::warning, "/traits/email", "'email' does not look like an address"});
  }
}

}  // namespace

std::optional<SegmentCall> call_from_path(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string last = slash == std::string::npos ? path : path.substr(slash + 1);
  return parse_segment_call(last);
}

namespace {

// The fields that name a call, in the order call_from_message reads them.
struct NamingField {
  const char* name;
  SegmentCall call;
};
constexpr NamingField k_naming_fields[] = {{"event", SegmentCall::track},
                                           {"groupId", SegmentCall::group},
                                           {"previousId", SegmentCall::alias}};

}  // namespace

std::optional<SegmentCall> call_from_message(const Json& message) {
  if (!message.is_object()) return std::nullopt;
  std::optional<SegmentCall> found;
  bool several = false;
  const auto name = [&](SegmentCall c) {
    several = several || (found && *found != c);
    found = c;
  };
  if (const auto type = message.find("type"); type != message.end() && type->is_string()) {
    if (const auto c = parse_segment_call(type->get<std::string>())) name(*c);
  }
  for (const auto& f : k_naming_fields) {
    const auto it = message.find(f.name);
    if (it != message.end() && !it->is_null()) name(f.call);
  }
  return several ? std::nullopt : found;
}

std::string call_field(const Json& message) {
  if (!message.is_object()) return "";
  for (const auto& f : k_naming_fields) {
    const auto it = message.find(f.name);
    if (it != message.end() && !it->is_null()) return f.name;
  }
  return message.contains("type") ? "type" : "";
}

std::vector<Finding> validate_message(const Json& msg, SegmentCall call,
                                      std::size_t serialized_size) {
  std::vector<Finding> out;
  if (!msg.is_object()) {
    out.push_back({Severity::error, "",
                   std::string("the message must be a JSON object, not ") + type_name(msg)});
    return out;
  }
  if (serialized_size > k_max_message_bytes) {
    out.push_back({Severity::error, "",
                   "the message is " + std::to_string(serialized_size) +
                       " bytes, over Segment's 32 KB limit (Segment answers 400)"});
  }
  if (call == SegmentCall::alias) {
    require_string(msg, "previousId", "alias needs the old id", &out);
    require_string(msg, "userId", "alias needs the new id", &out);
  } else if (!non_empty_id(msg, "userId") && !non_empty_id(msg, "anonymousId")) {
    out.push_back({Severity::error, "",
                   "neither 'userId' nor 'anonymousId' is set: every message needs one"});
  }
  if (call == SegmentCall::track) require_string(msg, "event", "track needs the event name", &out);
  if (call == SegmentCall::group)
    require_string(msg, "groupId", "group needs the group's id", &out);
  for (const char* f : {"traits", "properties", "context", "integrations"}) {
    optional_object(msg, f, &out);
  }
  if (call == SegmentCall::identify || call == SegmentCall::group) {
    if (const auto t = msg.find("traits"); t != msg.end()) check_traits(*t, &out);
  }
  if (const auto ts = msg.find("timestamp"); ts != msg.end() && !ts->is_null()) {
    if (!ts->is_string() || !is_iso8601(ts->get_ref<const std::string&>())) {
      out.push_back({Severity::error, "/timestamp", "'timestamp' must be an ISO-8601 date string"});
    }
  }
  if (const auto id = msg.find("messageId"); id != msg.end() && !id->is_null()) {
    if (!id->is_string()) {
      out.push_back({Severity::error, "/messageId", "'messageId' must be a string"});
    } else if (util::code_points(id->get_ref<const std::string&>()) >
               k_max_message_id_chars) {  // Segment counts characters, not bytes
      out.push_back(
          {Severity::error, "/messageId", "'messageId' is longer than Segment's 100 characters"});
    }
  }
  for (const auto& item : msg.items()) {
    const std::string& key = item.key();
    const bool known = std::any_of(std::begin(k_known_fields), std::end(k_known_fields),
                                   [&key](const char* k) { return key == k; });
    if (!known) {
      out.push_back({Severity::warning, "/" + util::escape_pointer_token(key),
                     "unknown top-level field '" + key +
                         "': Segment ignores it (did you mean to put it in traits or "
                         "properties?)"});
    }
  }
  return out;
}

std::vector<Finding> validate_body(const std::string& body, bool form_encoded, SegmentCall call) {
  if (form_encoded) {
    return {Finding(Severity::error, "",
                    "the action's Content-Type is application/x-www-form-urlencoded: Kratos "
                    "sends the body URL-encoded, and Segment reads JSON only (it answers 400)")};
  }
  const Json message = Json::parse(body, nullptr, false);
  if (message.is_discarded()) return {Finding(Severity::error, "", "the body is not JSON")};
  return validate_message(message, call, body.size());
}

}  // namespace core
