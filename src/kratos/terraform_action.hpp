#pragma once

#include <string>

#include "kratos/hook_points.hpp"
#include "kratos/webhook_action.hpp"

namespace core {

// The Segment web_hook as an `ory_action` resource of terraform-provider-ory (registry
// source ory/ory), as its internal/resources/action/resource.go reads one (docs/
// build-action.md names the commit). The write key never enters the file nor Terraform's
// state: it is an ephemeral variable, sent in webhook_auth_api_key_value_wo (a write-only
// argument, Terraform 1.11 or later) as the header Kratos's basic_auth would send,
// "Authorization: Basic base64(KEY:)". The provider's basic_auth user has no write-only
// form: the key would be stored in the state in plain text.
struct TerraformAction {
  ActionSpec spec;          // url, method, body, response; write_key is not used
  HookPoint hook;           // flow, timing, auth_method
  std::string source_name;  // the template's file, for the comment; "" when none
  std::string call;         // "identify": names the resource
};

inline constexpr const char* k_terraform_key_variable = "segment_write_key";

// The HCL; false with `err` for what the provider cannot express: a body that is not
// base64:// (it base64-encodes any other text as a template), headers, an id,
// emit_analytics_event: false, a flow's global after-list (it installs into a method's
// list), a method it has no auth_method for (saml).
bool terraform_action(const TerraformAction& a, std::string* out, std::string* err);

// The web_hook the provider builds from that resource (buildHookValue) when the variable
// holds `write_key`: what Ory Network stores and Kratos runs.
Json terraform_provider_hook(const TerraformAction& a, const std::string& write_key);

// `text` as an HCL quoted string: quotes, backslashes and control characters escaped, and
// "${" and "%{" doubled so Terraform does not read them as templates.
std::string hcl_string(const std::string& text);

}  // namespace core
