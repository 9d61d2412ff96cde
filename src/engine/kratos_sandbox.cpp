#include "engine/kratos_sandbox.hpp"

#include "util/text.hpp"

namespace core {

const char* const k_evaluation_died_message =
    "the evaluation process died (out of memory or stack?)";

namespace {

// Kratos (request/builder.go, addJSONBody) cancels when go-jsonnet's error text contains
// this; libjsonnet's error text has the same shape ("RUNTIME ERROR: " + the message, then
// the stack), so the rule applies to it as it is.
const std::string k_cancel_marker = "RUNTIME ERROR: cancel";

// The bytes of a well-formed UTF-8 sequence at `at` (as Go's utf8.DecodeRuneInString accepts
// it: no overlong forms, surrogates or code points past U+10FFFF), 0 for an invalid byte.
std::size_t utf8_sequence(std::string_view s, std::size_t at) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[at + k]); };
  const unsigned char c = byte(0);
  const std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || at + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return 0;
  }
  if (c == 0xE0 && byte(1) < 0xA0) return 0;   // overlong
  if (c == 0xED && byte(1) >= 0xA0) return 0;  // a surrogate
  if (c == 0xF0 && byte(1) < 0x90) return 0;   // overlong
  if (c == 0xF4 && byte(1) >= 0x90) return 0;  // past U+10FFFF
  return n;
}

// The size of `s` as encoding/json's Marshal quotes it (Go 1.22 and later: \b and \f are
// short escapes; <, >, &, U+2028 and U+2029 are \u escapes; an invalid byte is \ufffd).
std::size_t go_quoted_size(std::string_view s) {
  std::size_t size = 2;
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      const bool short_escape =
          c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f';
      size += short_escape ? 2 : (c < 0x20 || c == '<' || c == '>' || c == '&') ? 6 : 1;
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence(s, i);
    const bool separator = n == 3 && c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                           (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8;
    size += n == 0 || separator ? 6 : n;
    i += n == 0 ? 1 : n;
  }
  return size;
}

}  // namespace

std::size_t worker_input_size(std::string_view template_uri, std::string_view snippet,
                              std::string_view ctx_json) {
  // {"Filename":F,"Snippet":S,"TLACodes":[{"Key":"ctx","Value":C}],"TLAVars":null,
  // "ExtCodes":null,"ExtVars":null}, C being the ctx with json.Encoder's newline.
  const std::string_view frame =
      "{\"Filename\":,\"Snippet\":,\"TLACodes\":[{\"Key\":\"ctx\",\"Value\":}],\"TLAVars\":null,"
      "\"ExtCodes\":null,\"ExtVars\":null}";
  return frame.size() + go_quoted_size(template_uri) + go_quoted_size(snippet) +
         go_quoted_size(ctx_json) + 2;  // json.Encoder's newline after the ctx, quoted: \n
}

std::string input_too_large_message(std::size_t size, std::size_t max_input) {
  return "Kratos's jsonnet worker reads at most " +
         util::format_count(static_cast<long>(max_input)) +
         " bytes per evaluation, and this one is " + util::format_count(static_cast<long>(size)) +
         " (the template twice, as its text and as its body URI, and the ctx, JSON-quoted): "
         "the worker stops reading and the hook sends nothing";
}

bool is_cancel(const std::string& message) {
  return ("RUNTIME ERROR: " + message).find(k_cancel_marker) != std::string::npos;
}

EvalStatus status_of_error(const std::string& error_text) {
  return error_text.find(k_cancel_marker) != std::string::npos ? EvalStatus::cancelled
                                                               : EvalStatus::failed;
}

std::string timed_out_message(const std::string& what, std::chrono::milliseconds limit) {
  const auto ms = limit.count();
  const std::string text =
      ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
  return what + " exceeds Kratos's " + text + " limit (stopped)";
}

std::string output_too_large_message(std::size_t max_output) {
  return "the output exceeds Kratos's " + std::to_string((max_output + 1023) / 1024) + " KiB limit";
}

}  // namespace core
