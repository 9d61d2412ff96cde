#include "kratos/action_body.hpp"

#include "io/file_io.hpp"
#include "kratos/webhook_action.hpp"
#include "util/base64.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"

namespace core {

bool decode_base64_body(std::string_view body, const std::string& where, std::string* out,
                        std::string* err) {
  const std::string_view payload = body.substr(k_base64_scheme.size());
  util::Base64Error b64;
  if (!util::base64_decode(payload, out, &b64)) {
    *err = where + ": invalid base64 at offset " +
           std::to_string(b64.offset + k_base64_scheme.size()) + ": " + b64.message;
    if (b64.offset < payload.size() &&
        (payload[b64.offset] == '\n' || payload[b64.offset] == '\r')) {
      *err +=
          "; the body must be one line (GNU base64 wraps at 76 columns): re-encode it with "
          "'ory-segment encode'";
    }
    return false;
  }
  if (out->empty()) {
    *err = where + ": the base64:// body holds no template";
    return false;
  }
  if (const auto bad = util::find_invalid_utf8(*out)) {
    *err = where + ": the base64:// body's template is not UTF-8 (byte " + std::to_string(*bad) +
           " of it): re-encode the template's file with 'ory-segment encode'";
    return false;
  }
  return true;
}

std::string body_file(const std::string& body) {
  if (util::starts_with(body, "file://")) return body.substr(7);
  // Kratos reads a body without a scheme as a file path (request/builder.go readTemplate).
  if (body_scheme(body) == BodyScheme::legacy_path) return body == "-" ? "./-" : body;
  return "";
}

bool template_from_body(const std::string& body, const std::string& where, BodyTemplate* out,
                        std::string* err) {
  if (util::starts_with(body, k_base64_scheme)) {
    out->name = where;
    return decode_base64_body(body, where, &out->source, err);
  }
  if (const std::string path = body_file(body); !path.empty()) {
    out->name = util::starts_with(body, "file://") ? path : body;
    return io::read_text_input(path, &out->source, err);
  }
  if (body.empty()) {
    *err = where + ": the action has no body: Kratos would fail the POST";
  } else if (!stored_template_digest(body).empty()) {
    *err = where + ": " + stored_template_explanation(body);
  } else {
    *err = where + ": " + body +
           " is fetched by Kratos at run time; download it and use --jsonnet FILE";
  }
  return false;
}

std::string stored_template_digest(std::string_view body) {
  static constexpr std::string_view k_prefix = "https://storage.googleapis.com/bac-gcs-production/";
  static constexpr std::string_view k_suffix = ".jsonnet";
  if (!util::starts_with(body, k_prefix) || !util::ends_with(body, k_suffix)) return "";
  const std::string_view hex =
      body.substr(k_prefix.size(), body.size() - k_prefix.size() - k_suffix.size());
  if (hex.size() != 128 || hex.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return "";
  }
  return std::string(hex);
}

std::string stored_template_digest_of(std::string_view template_text) {
  return util::hex_digest(template_text, util::HashAlgorithm::sha512);
}

std::string stored_template_explanation(std::string_view body) {
  return "the body is a template stored by Ory Network (" + std::string(body) +
         ", named by the SHA-512 of its text); ory-segment does not fetch it: pass the template "
         "you uploaded with --jsonnet, or download it (curl -o template.jsonnet URL)";
}

std::string basic_auth_header(std::string_view user, std::string_view password) {
  std::string credentials(user);
  credentials += ':';
  credentials += password;
  return "Basic " + util::base64_encode(credentials);
}

}  // namespace core
