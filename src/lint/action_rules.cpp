#include "lint/action_rules.hpp"

#include "kratos/action_body.hpp"
#include "kratos/kratos_request.hpp"
#include "kratos/webhook_action.hpp"
#include "lint/lint_rules.hpp"
#include "segment/segment_api.hpp"
#include "segment/segment_message.hpp"
#include "util/text.hpp"
#include "util/url.hpp"

namespace core {
namespace {

// config.headers' Content-Type (Kratos reads it through http.Header: any case), "" for none.
std::string content_type(const DeployedAction& action) {
  for (const auto& [name, value] : action.headers) {
    if (util::to_lower(name) == "content-type") return value;
  }
  return "";
}

}  // namespace

bool calls_segment(const std::string& url_text) {
  std::string err;
  const auto url = util::parse_url(url_text, &err);
  return url && (is_segment_host(url->host) || call_from_path(url->path));
}

std::vector<Finding> lint_action(const Json& hook, const std::string& location,
                                 const std::string& flow) {
  std::vector<Finding> out;
  const auto add = [&](const char* rule, Severity s, const std::string& pointer,
                       std::string message, std::string hint) {
    const std::string sep = location.find('#') == std::string::npos ? "#" : "";
    out.push_back(Finding{s, pointer.empty() ? location : location + sep + pointer,
                          std::move(message), std::move(hint), rule});
  };
  DeployedAction action;
  std::string err;
  if (!read_action(hook, &action, &err)) {
    add("web-hook-invalid", Severity::error, "", err, "rebuild it with ory-segment build-action");
    return out;
  }
  if (const std::string conflict = ignore_conflict(action); !conflict.empty()) {
    add("web-hook-invalid", Severity::error, "/config/response/ignore", conflict,
        "keep response.ignore for a Segment call; drop response.parse and can_interrupt");
  }
  const std::string type = content_type(action);
  if (!type.empty() && type != k_content_type_json && type != k_content_type_form) {
    add("web-hook-invalid", Severity::error, "/config/headers",
        "Content-Type '" + type +
            "': Kratos sends a body only with exactly application/json or "
            "application/x-www-form-urlencoded, and fails every call of this hook with "
            "'invalid config - incorrect Content-Type for request with body'",
        "drop the header (Kratos sends application/json), or write it exactly");
  }
  const auto url = util::parse_url(action.url, &err);
  const bool segment = calls_segment(action.url);
  if (segment && url && is_segment_host(url->host) && !action.ignore_response) {
    add("response-ignore", Severity::warning, "",
        "this Segment call has no response.ignore: every " + flow +
            " waits for Segment (3 attempts of up to 30 s) and fails when Segment does",
        "set config.response.ignore: true (build-action --ignore-response)");
  }
  if (url && url->scheme == "http" && !util::is_loopback_host(url->host)) {
    add("web-hook-transport", Severity::warning, "/config/url",
        "the hook calls " + url->host + " over plain http: the write key travels in clear",
        "use https://");
  }
  if (segment && action.method != "POST") {
    add("web-hook-transport", Severity::warning, "/config/method",
        "method " + action.method + ": Segment's Tracking API accepts only POST",
        "set config.method: POST");
  }
  if (body_scheme(action.body) == BodyScheme::legacy_path) {
    Finding f = legacy_body_finding(action.body, "");
    add("body-legacy-path", f.severity, "/config/body", f.message, f.hint);
  }
  return out;
}

}  // namespace core
