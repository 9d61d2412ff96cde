// ory-segment decode: the Jsonnet templates inside a body, an action or a config.
#include <CLI/CLI.hpp>
#include <cstring>
#include <iostream>
#include <memory>

#include "cli/common.hpp"
#include "cli/diagnostics.hpp"
#include "cli/verbs.hpp"
#include "core/action_body.hpp"
#include "core/webhook_action.hpp"
#include "io/file_io.hpp"
#include "util/text.hpp"

namespace cli {
namespace {

using core::k_base64_scheme;

struct DecodeOptions {
  std::string input = "-";
};

// `where` names the body in messages: "NAME" or "NAME: /json/pointer".
std::string decode_body_or_throw(std::string_view body, const std::string& where) {
  std::string decoded, err;
  if (!core::decode_base64_body(body, where, &decoded, &err)) throw bad_input(err);
  return decoded;
}

std::string with_newline(std::string s) {
  if (s.empty() || s.back() != '\n') s += '\n';
  return s;
}

// One hook of a config: its template, or a note that its body is a reference.
std::string describe_hook(const core::FoundHook& hook, const std::string& name) {
  std::string out = "# " + (hook.pointer.empty() ? std::string("/") : hook.pointer) + "\n";
  const auto& config = hook.action->value("config", core::Json::object());
  const auto body = config.is_object() ? config.find("body") : config.end();
  if (!config.is_object() || body == config.end()) {
    return out + "# no body: Kratos sends nothing for POST\n";
  }
  if (!body->is_string())
    throw bad_input(name + ": " + hook.pointer + "/config/body is not a string");
  const std::string& text = body->get_ref<const std::string&>();
  if (util::starts_with(text, k_base64_scheme)) {
    return out +
           with_newline(decode_body_or_throw(text, name + ": " + hook.pointer + "/config/body"));
  }
  if (!core::stored_template_digest(text).empty()) {
    return out + "# body is a template stored by Ory Network (not fetched): " + text + "\n";
  }
  return out + "# body is a reference, not embedded: " + text + "\n";
}

ExitStatus run_decode(const DecodeOptions& opts) {
  if (util::starts_with(opts.input, k_base64_scheme)) {
    std::cout << decode_body_or_throw(opts.input, "argument");
    return ExitStatus::ok;
  }
  const std::string name = io::display_name(opts.input);
  const std::string text = read_text_or_throw(opts.input);
  const std::string_view trimmed = util::trim(text);
  if (util::starts_with(trimmed, k_base64_scheme)) {
    std::cout << decode_body_or_throw(trimmed, name);
    return ExitStatus::ok;
  }
  io::Json doc;
  std::string err;
  if (!io::parse_document(text, name, &doc, nullptr, &err)) throw bad_input(err);
  const auto hooks = core::find_web_hooks(doc);
  if (hooks.empty()) {
    throw Error(ExitStatus::check_failed,
                name + ": no web_hook action found (expected an action or an identity config)");
  }
  if (hooks.size() == 1 && hooks.front().pointer.empty()) {
    const auto& config = doc.value("config", core::Json::object());
    const auto body = config.is_object() ? config.find("body") : config.end();
    if (body == config.end() || !body->is_string()) {
      throw bad_input(name + ": the action has no string config.body");
    }
    const std::string& b = body->get_ref<const std::string&>();
    if (!util::starts_with(b, k_base64_scheme)) {
      note(core::stored_template_digest(b).empty()
               ? "the body is a reference, not an embedded template: " + b
               : core::stored_template_explanation(b));
      return ExitStatus::ok;
    }
    std::cout << decode_body_or_throw(b, name + ": /config/body");
    return ExitStatus::ok;
  }
  std::string out;
  for (const auto& hook : hooks) out += describe_hook(hook, name);
  std::cout << out;
  return ExitStatus::ok;
}

}  // namespace

VerbRunner setup_decode(CLI::App& cmd) {
  auto opts = std::make_shared<DecodeOptions>();
  cmd.add_option("INPUT", opts->input,
                 "a base64://... string, or a file holding an action or a config; '-' or "
                 "nothing reads stdin")
      ->option_text("INPUT|-");
  cmd.footer(
      R"(Print the Jsonnet template inside a base64:// body, a web_hook action (JSON or YAML),
or every web_hook of an identity config (what 'ory get identity-config' prints, or a
kratos.yml), each preceded by a '# <JSON pointer>' line. file:// and http(s):// bodies
are reported as references.

Examples:
  ory-segment decode "base64://ZnVuY3Rpb24oY3R4KSB7fQo="
  ory-segment decode webhook-action.json
  ory get identity-config --project $ORY_PROJECT --format yaml | ory-segment decode)");
  return [opts] { return run_decode(*opts); };
}

}  // namespace cli
