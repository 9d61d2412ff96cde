#include "kratos/terraform_action.hpp"

#include <array>
#include <cctype>
#include <cstdio>

#include "util/base64.hpp"
#include "util/text.hpp"

namespace core {
namespace {

// The provider's auth_method values (stringvalidator.OneOf in the resource's schema).
constexpr std::array<const char*, 7> k_auth_methods = {
    "password", "webauthn", "oidc", "code", "passkey", "totp", "lookup_secret"};

// Flows whose after-hooks the provider scopes by auth_method (flowSupportsAuthMethod).
bool method_scoped(const HookPoint& hook) {
  return hook.when == "after" &&
         (hook.flow == "login" || hook.flow == "registration" || hook.flow == "settings");
}

bool expressible(const TerraformAction& a, std::string* err) {
  const ActionSpec& s = a.spec;
  if (!util::starts_with(s.body, "base64://")) {
    *err =
        "--format terraform: the provider base64-encodes any body that is not base64:// as "
        "the template's text, so '" +
        s.body + "' would become a template of that text; give --jsonnet FILE";
    return false;
  }
  if (!s.headers.empty()) {
    *err =
        "--format terraform: ory_action has no headers; drop --header (Kratos sends "
        "Content-Type: application/json by default)";
    return false;
  }
  if (!s.id.empty() || !s.emit_analytics_event) {
    *err =
        "--format terraform: ory_action has no id nor emit_analytics_event; drop --id and "
        "--no-analytics-event";
    return false;
  }
  if (method_scoped(a.hook) && a.hook.method.empty()) {
    *err = "--format terraform: the provider installs " + a.hook.flow +
           " after-hooks into one method's list (auth_method); name it: --hook " + a.hook.flow +
           ".after.password";
    return false;
  }
  if (method_scoped(a.hook)) {
    for (const char* m : k_auth_methods) {
      if (a.hook.method == m) return true;
    }
    *err = "--format terraform: the provider has no auth_method '" + a.hook.method +
           "'; install it with ory-segment patch";
    return false;
  }
  return true;
}

std::string resource_name(const TerraformAction& a) {
  std::string name = "segment_" + (a.call.empty() ? std::string("call") : a.call) + "_" +
                     a.hook.flow + "_" + a.hook.when;
  if (!a.hook.method.empty()) name += "_" + a.hook.method;
  for (char& c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) c = '_';
  }
  return name;
}

void attribute(std::string* out, const char* name, const std::string& hcl_value) {
  char pad[48];
  std::snprintf(pad, sizeof pad, "  %-37s = ", name);
  out->append(pad).append(hcl_value).append("\n");
}

}  // namespace

std::string hcl_string(const std::string& text) {
  // HCL's escapes are JSON's; "${" and "%{" start templates, "$${" and "%%{" are literal.
  const std::string json = Json(text).dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(json.size());
  for (std::size_t i = 0; i < json.size(); ++i) {
    if ((json[i] == '$' || json[i] == '%') && i + 1 < json.size() && json[i + 1] == '{') {
      out += json[i];
    }
    out += json[i];
  }
  return out;
}

bool terraform_action(const TerraformAction& a, std::string* out, std::string* err) {
  if (!expressible(a, err)) return false;
  const ActionSpec& s = a.spec;
  std::string& t = *out;
  t = "# The Segment web_hook at " + a.hook.name() +
      " as terraform-provider-ory's ory_action\n"
      "# (source ory/ory; Terraform 1.11 or later), written by ory-segment build-action" +
      (a.source_name.empty() ? std::string() : " from\n# " + a.source_name) +
      ".\n"
      "#\n"
      "# The write key is in neither this file nor Terraform's state or plan: it is the\n"
      "# ephemeral variable segment_write_key (set TF_VAR_segment_write_key), sent in\n"
      "# webhook_auth_api_key_value_wo, a write-only argument the provider passes to Ory\n"
      "# and never stores. It goes as the header Kratos's basic_auth sends,\n"
      "# Authorization: Basic base64(KEY:), because the provider's basic_auth user has no\n"
      "# write-only form and would keep the key in the state in plain text. After\n"
      "# rotating the key, raise webhook_auth_api_key_value_wo_version so Terraform\n"
      "# sends it again.\n"
      "#\n"
      "# body: the template as Kratos reads it (ory-segment decode BODY prints it).\n\n";
  t += "variable \"" + std::string(k_terraform_key_variable) +
       "\" {\n"
       "  description = \"The write key of the Segment source\"\n"
       "  type        = string\n"
       "  sensitive   = true\n"
       "  ephemeral   = true\n"
       "}\n\n";
  t += "resource \"ory_action\" \"" + resource_name(a) + "\" {\n";
  attribute(&t, "flow", hcl_string(a.hook.flow));
  attribute(&t, "timing", hcl_string(a.hook.when));
  if (method_scoped(a.hook)) attribute(&t, "auth_method", hcl_string(a.hook.method));
  attribute(&t, "url", hcl_string(s.url));
  attribute(&t, "method", hcl_string(s.method));
  attribute(&t, "body", hcl_string(s.body));
  if (s.ignore_response) attribute(&t, "response_ignore", "true");
  if (s.parse_response) attribute(&t, "response_parse", "true");
  t += "\n";
  attribute(&t, "webhook_auth_type", "\"api_key\"");
  attribute(&t, "webhook_auth_api_key_name", "\"Authorization\"");
  attribute(&t, "webhook_auth_api_key_in", "\"header\"");
  attribute(&t, "webhook_auth_api_key_value_wo",
            std::string("\"Basic ${base64encode(\"${var.") + k_terraform_key_variable + "}:\")}\"");
  attribute(&t, "webhook_auth_api_key_value_wo_version", "\"1\"");
  t += "}\n";
  return true;
}

Json terraform_provider_hook(const TerraformAction& a, const std::string& write_key) {
  const ActionSpec& s = a.spec;
  Json config = Json::object();
  config["url"] = s.url;
  config["method"] = s.method;
  config["body"] = s.body;
  // response_ignore, response_parse and can_interrupt default to false and are always sent.
  config["response"] = {{"ignore", s.ignore_response}, {"parse", s.parse_response}};
  config["can_interrupt"] = false;
  config["auth"] = {{"type", "api_key"},
                    {"config",
                     {{"name", "Authorization"},
                      {"value", "Basic " + util::base64_encode(write_key + ":")},
                      {"in", "header"}}}};
  return {{"hook", "web_hook"}, {"config", config}};
}

}  // namespace core
