#include "kratos/webhook_action.hpp"

#include <cstring>

#include "kratos/action_body.hpp"
#include "segment/segment_api.hpp"
#include "util/json_pointer.hpp"
#include "util/text.hpp"
#include "util/url.hpp"

namespace core {
namespace {

bool fail(std::string* err, std::string message) {
  *err = std::move(message);
  return false;
}

bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         (c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
}

}  // namespace

bool validate_url(const std::string& url, InsecureUrl insecure, std::string* err) {
  std::string why;
  const auto parsed = util::parse_url(url, &why);
  if (!parsed) return fail(err, "url '" + url + "' " + why);
  if (parsed->scheme != "http" && parsed->scheme != "https") {
    return fail(err, "url '" + url + "' must use http:// or https://");
  }
  if (parsed->scheme == "http" && !util::is_loopback_host(parsed->host) &&
      insecure == InsecureUrl::refuse) {
    return fail(err, "url '" + url +
                         "' uses plain http to a host that is not loopback: the write key "
                         "would travel in clear; use https:// or pass --allow-insecure-url");
  }
  return true;
}

namespace {

bool validate_body(const std::string& body, std::string* err) {
  const auto scheme = body_scheme(body);
  if (!scheme) {
    return fail(err, "body must be a URI starting with base64://, file://, http:// or https://");
  }
  if (*scheme == BodyScheme::legacy_path && body.find("://") != std::string::npos) {
    return fail(err, "body '" + body +
                         "': Kratos fetches only base64://, file://, http:// and https:// "
                         "(it would look for a file named so)");
  }
  if (*scheme == BodyScheme::legacy_path) {
    return fail(err, "body '" + body + "' has no scheme: write it as file://" + body +
                         " (Kratos still reads a bare path as one, but calls it deprecated)");
  }
  if (*scheme == BodyScheme::base64) {
    std::string decoded;
    if (!decode_base64_body(body, "body", &decoded, err)) return false;
  } else {
    std::string why;
    if (!util::parse_url(body, &why) && *scheme != BodyScheme::file) {
      return fail(err, "body '" + body + "' " + why);
    }
    for (char c : body) {
      if (static_cast<unsigned char>(c) <= 0x20) {
        return fail(err, "body '" + body + "' contains white space or a control character");
      }
    }
  }
  return true;
}

void collect_web_hooks(const Json& value, const std::string& pointer,
                       std::vector<FoundHook>* found) {
  if (value.is_object()) {
    const auto hook = value.find("hook");
    if (hook != value.end() && hook->is_string() && *hook == "web_hook") {
      found->push_back(FoundHook{pointer, &value});
      return;
    }
    for (const auto& [key, item] : value.items()) {
      collect_web_hooks(item, pointer + "/" + util::escape_pointer_token(key), found);
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      collect_web_hooks(value[i], pointer + "/" + std::to_string(i), found);
    }
  }
}

}  // namespace

std::optional<BodyScheme> body_scheme(const std::string& body) {
  if (util::starts_with(body, k_base64_scheme)) return BodyScheme::base64;
  if (util::starts_with(body, "file://")) return BodyScheme::file;
  if (util::starts_with(body, "http://")) return BodyScheme::http;
  if (util::starts_with(body, "https://")) return BodyScheme::https;
  if (!body.empty()) return BodyScheme::legacy_path;
  return std::nullopt;
}

bool is_valid_header_name(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

bool validate(const ActionSpec& spec, InsecureUrl insecure, std::string* err) {
  if (!validate_url(spec.url, insecure, err)) return false;
  if (spec.method.empty() || !is_valid_header_name(spec.method)) {
    return fail(err, "method '" + spec.method + "' is not a valid HTTP method");
  }
  if (!validate_body(spec.body, err)) return false;
  if (spec.write_key.empty()) return fail(err, "the write key is empty");
  for (char c : spec.write_key) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return fail(err, "the write key contains a control character (a stray line break?)");
    }
  }
  if (spec.ignore_response && spec.parse_response) {
    return fail(err,
                "response.ignore and response.parse cannot both be set: Kratos's schema rejects it "
                "(ignore runs the call asynchronously, so there is no response to parse)");
  }
  for (const auto& [name, value] : spec.headers) {
    if (!is_valid_header_name(name))
      return fail(err, "header name '" + name + "' is not a valid token");
    for (char c : value) {
      if (c == '\r' || c == '\n' || c == '\0') {
        return fail(err, "header '" + name + "' has a line break or NUL in its value");
      }
    }
  }
  return true;
}

Json build_action(const ActionSpec& spec) {
  Json config = Json::object();
  if (!spec.id.empty()) config["id"] = spec.id;
  config["auth"] = {{"type", "basic_auth"},
                    {"config", {{"user", spec.write_key}, {"password", ""}}}};
  config["url"] = spec.url;
  config["method"] = spec.method;
  config["body"] = spec.body;
  if (!spec.headers.empty()) {
    Json headers = Json::object();
    for (const auto& [name, value] : spec.headers) headers[name] = value;
    config["headers"] = headers;
  }
  if (spec.ignore_response || spec.parse_response) {
    Json response = Json::object();
    if (spec.ignore_response) response["ignore"] = true;
    if (spec.parse_response) response["parse"] = true;
    config["response"] = response;
  }
  if (!spec.emit_analytics_event) config["emit_analytics_event"] = false;
  Json action = Json::object();
  action["hook"] = "web_hook";
  action["config"] = config;
  return action;
}

std::vector<FoundHook> find_web_hooks(const Json& doc) {
  std::vector<FoundHook> found;
  collect_web_hooks(doc, "", &found);
  return found;
}

}  // namespace core

namespace core {

std::string ignore_conflict(const DeployedAction& action) {
  if (!action.ignore_response || (!action.parse_response && !action.can_interrupt)) return "";
  return std::string("response.ignore with ") +
         (action.parse_response ? "response.parse" : "can_interrupt") +
         ": Kratos fails every call of this hook before sending anything (\"A webhook is "
         "configured to ignore the response but also to parse the response. This is not "
         "possible.\")";
}

bool read_action(const Json& action, DeployedAction* out, std::string* err) {
  if (!action.is_object() || action.value("hook", "") != "web_hook") {
    *err = "not a web_hook action (expected {\"hook\": \"web_hook\", \"config\": {...}})";
    return false;
  }
  const auto config = action.find("config");
  if (config == action.end() || !config->is_object()) {
    *err = "the action has no config object";
    return false;
  }
  const auto str = [&](const char* key) -> std::string {
    const auto it = config->find(key);
    return it != config->end() && it->is_string() ? it->get<std::string>() : "";
  };
  out->url = str("url");
  out->method = str("method");
  out->body = str("body");
  if (out->url.empty() || out->method.empty()) {
    *err = "config.url and config.method are required";
    return false;
  }
  if (const auto h = config->find("headers"); h != config->end() && h->is_object()) {
    for (const auto& [name, value] : h->items()) {
      if (!value.is_string()) {
        *err = "config.headers." + name + " must be a string";
        return false;
      }
      out->headers.emplace_back(name, value.get<std::string>());
    }
  }
  if (const auto c = config->find("can_interrupt"); c != config->end() && c->is_boolean()) {
    out->can_interrupt = c->get<bool>();
  }
  if (const auto e = config->find("emit_analytics_event"); e != config->end() && e->is_boolean()) {
    out->emit_analytics_event = e->get<bool>();
  }
  if (const auto r = config->find("response"); r != config->end() && r->is_object()) {
    out->ignore_response = r->value("ignore", false);
    out->parse_response = r->value("parse", false);
  }
  out->auth_description = "none";
  if (const auto a = config->find("auth"); a != config->end() && a->is_object()) {
    const std::string type = a->value("type", "");
    const Json c = a->value("config", Json::object());
    if (type == "basic_auth") {
      const std::string user = c.value("user", ""), password = c.value("password", "");
      out->secret = user.empty() ? password : user;
      out->auth = {ActionAuth::Kind::basic, "Authorization", basic_auth_header(user, password)};
      out->auth_description = "basic_auth (write key as user, redacted)";
    } else if (type == "api_key") {
      const std::string name = c.value("name", ""), value = c.value("value", "");
      const std::string in = c.value("in", "header");
      out->secret = value;
      if (in != "cookie" && in != "header" && !in.empty()) {
        *err = "config.auth.config.in '" + in + "' is not header or cookie";
        return false;
      }
      if (name.empty()) {
        *err = "config.auth.config.name is required for api_key";
        return false;
      }
      out->auth = {
          in == "cookie" ? ActionAuth::Kind::api_key_cookie : ActionAuth::Kind::api_key_header,
          name, value};
      out->auth_description = "api_key in " + in + " '" + name + "' (redacted)";
    } else {
      *err = "config.auth.type '" + type + "' is not basic_auth or api_key";
      return false;
    }
  }
  return true;
}

}  // namespace core
