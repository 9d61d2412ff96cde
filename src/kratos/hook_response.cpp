#include "kratos/hook_response.hpp"

#include <cctype>
#include <sstream>

#include "util/text.hpp"

namespace core {
namespace {

const char* const k_unmarshal = "webhook response could not be unmarshalled properly from JSON: ";

// encoding/json's error for a body that is not one JSON value, in its words where they are
// simple to give: empty input, or a first character that starts no value.
std::string go_syntax_error(const std::string& body, bool decoder) {
  const std::string trimmed(util::trim(body));
  if (trimmed.empty()) return decoder ? "EOF" : "unexpected end of JSON input";
  const char c = trimmed[0];
  if (std::string("{[\"-tfn").find(c) == std::string::npos &&
      !std::isdigit(static_cast<unsigned char>(c))) {
    const std::string shown = c == '\'' ? "\\'" : std::string(1, c);
    return "invalid character '" + shown + "' looking for beginning of value";
  }
  return "the body is not JSON";
}

// Go's field matching is case-insensitive: "Identity" and "IDENTITY" are "identity" too.
const Json* field(const Json& object, const std::string& name) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (util::to_lower(it.key()) == name) return &it.value();
  }
  return nullptr;
}

// The body decoded as encoding/json decodes it into a struct of `go_type`: an object or null,
// else `err` in Go's words. `decoder`: json.Decoder, which reads the first value and ignores
// what follows it (as operator>> does); json.Unmarshal wants exactly one value.
Json decode(const std::string& body, bool decoder, const char* go_type, std::string* err) {
  Json doc;
  if (decoder) {
    std::istringstream in(body);
    try {
      in >> doc;
    } catch (const Json::exception&) {
      doc = Json(Json::value_t::discarded);
    }
  } else {
    doc = Json::parse(body, nullptr, false);
  }
  if (doc.is_discarded()) {
    *err = k_unmarshal + go_syntax_error(body, decoder);
  } else if (!doc.is_object() && !doc.is_null()) {
    *err = std::string(k_unmarshal) + "json: cannot unmarshal " +
           (doc.is_array()    ? "array"
            : doc.is_string() ? "string"
                              : "number") +
           " into Go value of type " + go_type;
  }
  return doc;
}

// 200 with response.parse: json.Unmarshal into struct {Identity *identity `json:"identity"`}.
void read_ok(const std::string& body, HookAnswer* a) {
  const Json doc = decode(body, false, "struct", &a->error);
  if (!a->error.empty()) return;
  const Json* identity = doc.is_object() ? field(doc, "identity") : nullptr;
  if (!identity || identity->is_null()) return;
  if (!identity->is_object()) {
    a->error = std::string(k_unmarshal) + "json: cannot unmarshal identity (not an object)";
    return;
  }
  // The fields parseWebhookResponse copies (each when not empty; external_id when present).
  for (const char* name : {"traits", "schema_id", "state", "verifiable_addresses",
                           "recovery_addresses", "metadata_public", "metadata_admin"}) {
    const Json* v = field(*identity, name);
    if (!v) continue;
    const bool empty_string = v->is_string() && v->get_ref<const std::string&>().empty();
    const bool empty_list = v->is_array() && v->empty();
    if (!empty_string && !empty_list) a->replaced.push_back(name);
  }
  if (identity->contains("external_id")) a->replaced.push_back("external_id");
}

// >= 400 with response.parse or can_interrupt: json.NewDecoder(body).Decode(&rawHookResponse).
void read_refusal(const std::string& body, HookAnswer* a) {
  const Json doc = decode(body, true, "hook.rawHookResponse", &a->error);
  if (!a->error.empty()) return;
  const Json* messages = doc.is_object() ? field(doc, "messages") : nullptr;
  if (messages && !messages->is_null() && !messages->is_array()) {
    a->error = std::string(k_unmarshal) + "json: cannot unmarshal messages (not an array)";
    return;
  }
  if (!messages || !messages->is_array() || messages->empty()) {
    a->error = "error while parsing webhook response: got no validation errors";
    return;
  }
  a->interrupts = true;
  a->error = "a webhook target returned an error";
  for (const auto& m : *messages) {
    const Json* ptr = m.is_object() ? field(m, "instance_ptr") : nullptr;
    const Json* details = m.is_object() ? field(m, "messages") : nullptr;
    const std::string where = ptr && ptr->is_string() ? ptr->get<std::string>() : "";
    if (!details || !details->is_array() || details->empty()) {
      a->messages.push_back(where + ": (no message)");
      continue;
    }
    for (const auto& d : *details) {
      const Json* text = d.is_object() ? field(d, "text") : nullptr;
      a->messages.push_back(where + ": " +
                            (text && text->is_string() ? text->get<std::string>() : "(no text)"));
    }
  }
}

}  // namespace

HookAnswer read_hook_answer(int status, const std::string& body, bool parse_response,
                            bool can_interrupt) {
  HookAnswer a;
  if (status >= 400 && (parse_response || can_interrupt)) {
    a.read = true;
    read_refusal(body, &a);
  } else if (status == 200 && parse_response) {
    a.read = true;
    read_ok(body, &a);
  }
  a.hook_fails = !a.error.empty();
  return a;
}

}  // namespace core
