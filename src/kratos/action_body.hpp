#pragma once

#include <string>
#include <string_view>

namespace core {

// What a web_hook's config.body names, and the header its basic_auth becomes: the one
// place decode, build-action, test-identify and backfill read them from.

constexpr std::string_view k_base64_scheme = "base64://";

// The template inside a base64:// body URI. `where` names the body in messages
// ("act.json: /config/body"); an error gives the offset in the URI and, for a line
// break, how to re-encode it.
bool decode_base64_body(std::string_view body, const std::string& where, std::string* out,
                        std::string* err);

// The template a body URI names, as a sending verb runs it.
struct BodyTemplate {
  std::string source;
  std::string name;  // for error locations: `where` for base64://, the path for file://
};

// base64:// is decoded, file:// read from disk; http(s):// is refused (Kratos fetches it
// at run time: download it and use the file), as is an empty body.
bool template_from_body(const std::string& body, const std::string& where, BodyTemplate* out,
                        std::string* err);

// The file a body URI makes a sending verb read (file://PATH, or a path without a scheme),
// or "" for one that names no local file.
std::string body_file(const std::string& body);

// Ory Network keeps an uploaded template in its storage and shows the body as
// https://storage.googleapis.com/bac-gcs-production/<hex sha512 of the template>.jsonnet.
// The digest (lower-case hex), or "" when `body` is not such a URL.
std::string stored_template_digest(std::string_view body);

// The digest Ory Network names a stored template by: hex SHA-512 of its text.
std::string stored_template_digest_of(std::string_view template_text);

// A sentence for the user: what a stored template is and how to get its text.
std::string stored_template_explanation(std::string_view body);

// "Basic base64(user:password)", the Authorization header of Kratos's basic_auth.
std::string basic_auth_header(std::string_view user, std::string_view password);

}  // namespace core
