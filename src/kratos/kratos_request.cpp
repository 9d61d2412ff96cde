#include "kratos/kratos_request.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "kratos/kratos_context.hpp"

namespace core {
namespace {

// Go's url.QueryEscape.
std::string query_escape(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += c;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

// The first value of header `key` (canonical), or nullptr.
const std::string* find_header(const io::Headers& headers, const std::string& key) {
  for (const auto& [name, value] : headers) {
    if (name == key) return &value;
  }
  return nullptr;
}

// Go's json type names, as its UnmarshalTypeError says them.
const char* go_json_kind(const nlohmann::json& v) {
  if (v.is_string()) return "string";
  if (v.is_number()) return "number";
  if (v.is_boolean()) return "bool";
  if (v.is_array()) return "array";
  return "object";
}

}  // namespace

void set_header(io::Headers* headers, const std::string& key, const std::string& value) {
  headers->erase(std::remove_if(headers->begin(), headers->end(),
                                [&](const auto& h) { return h.first == key; }),
                 headers->end());
  headers->emplace_back(key, value);
}

std::string form_encode(const std::map<std::string, std::string>& values) {
  std::string out;
  for (const auto& [key, value] : values) {
    if (!out.empty()) out += '&';
    out += query_escape(key);
    out += '=';
    out += query_escape(value);
  }
  return out;
}

bool kratos_request(const DeployedAction& action, KratosRequest* out, std::string* err) {
  io::Headers headers;
  std::string content_type_name;  // as config.headers spells it, to name a duplicate
  for (const auto& [name, value] : action.headers) {
    const std::string key = canonical_header_name(name);
    if (key == "Content-Type") {
      if (!content_type_name.empty()) {
        *err = "config.headers gives Content-Type twice ('" + content_type_name;
        err->append("' and '").append(name).append(
            "'): Kratos reads them into a map and uses whichever comes first, which varies; keep "
            "one");
        return false;
      }
      content_type_name = name;
    }
    headers.emplace_back(key, value);
  }
  const std::string* content_type = find_header(headers, "Content-Type");
  if (content_type == nullptr || content_type->empty()) {
    set_header(&headers, "Content-Type", std::string(k_content_type_json));
  }
  const ActionAuth& auth = action.auth;
  switch (auth.kind) {
    case ActionAuth::Kind::none:
      break;
    case ActionAuth::Kind::basic:
    case ActionAuth::Kind::api_key_header:
      set_header(&headers, canonical_header_name(auth.name), auth.value);
      break;
    case ActionAuth::Kind::api_key_cookie: {
      const std::string cookie = auth.name + "=" + auth.value;
      const std::string* existing = find_header(headers, "Cookie");
      set_header(&headers, "Cookie",
                 existing != nullptr && !existing->empty() ? *existing + "; " + cookie : cookie);
      break;
    }
  }
  const std::string type = *find_header(headers, "Content-Type");
  if (type == k_content_type_json) {
    out->encoding = BodyEncoding::json;
  } else if (type == k_content_type_form) {
    out->encoding = BodyEncoding::form;
  } else {
    *err =
        "invalid config - incorrect Content-Type for request with body: Kratos accepts exactly "
        "'application/json' or 'application/x-www-form-urlencoded' in config.headers, not '" +
        type + "'";
    return false;
  }
  if (find_header(headers, "User-Agent") == nullptr) {
    headers.emplace_back("User-Agent", std::string(k_go_user_agent));
  }
  if (find_header(headers, "Accept-Encoding") == nullptr &&
      find_header(headers, "Range") == nullptr && action.method != "HEAD") {
    headers.emplace_back("Accept-Encoding", "gzip");
    out->http.transparent_gzip = true;
  }
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  out->http.method = action.method;
  out->http.url = action.url;
  out->http.headers = std::move(headers);
  return true;
}

bool kratos_body(BodyEncoding encoding, const std::string& output, std::string* body,
                 std::string* err) {
  if (encoding == BodyEncoding::json) {
    *body = output;
    return true;
  }
  const auto doc = nlohmann::json::parse(output, nullptr, false);
  if (doc.is_discarded()) {
    *err = "the template's output is not JSON";
    return false;
  }
  if (doc.is_null()) {
    body->clear();
    return true;
  }
  if (!doc.is_object()) {
    *err = std::string("json: cannot unmarshal ") + go_json_kind(doc) +
           " into Go value of type map[string]string (a form body needs the template to "
           "give an object of strings)";
    return false;
  }
  std::map<std::string, std::string> values;
  for (const auto& [key, value] : doc.items()) {
    if (value.is_null()) {
      values[key] = "";
    } else if (value.is_string()) {
      values[key] = value.get<std::string>();
    } else {
      *err = std::string("json: cannot unmarshal ") + go_json_kind(value) +
             " into Go value of type string (field '" + key +
             "': a form body needs every value to be a string)";
      return false;
    }
  }
  *body = form_encode(values);
  return true;
}

}  // namespace core
