// ory-segment decode: the Jsonnet templates inside a body, an action or a config.
#include <CLI/CLI.hpp>
#include <cstring>
#include <iostream>
#include <memory>

#include "cli/common.hpp"
#include "cli/diagnostics.hpp"
#include "cli/flags.hpp"
#include "cli/verbs.hpp"
#include "io/file_io.hpp"
#include "kratos/action_body.hpp"
#include "kratos/webhook_action.hpp"
#include "util/text.hpp"

namespace cli {
namespace {

const std::vector<std::string> k_formats = {"text", "json"};

using core::k_base64_scheme;

struct DecodeOptions {
  std::string input = "-";
  std::string format = "text";
  std::string output;
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

// One body found: its template, or what it refers to.
struct Entry {
  std::string pointer;  // of the action in the document; "" for the document or the argument
  std::string template_text;
  std::string reference;  // a body that is not embedded: the URL
  std::string explanation;
  bool has_body = true;
};

Entry entry_for(const core::FoundHook& hook, const std::string& name) {
  Entry e;
  e.pointer = hook.pointer;
  const auto& config = hook.action->value("config", core::Json::object());
  const auto body = config.is_object() ? config.find("body") : config.end();
  if (!config.is_object() || body == config.end()) {
    e.has_body = false;
    return e;
  }
  if (!body->is_string()) {
    throw bad_input(name + ": " + (hook.pointer.empty() ? "" : hook.pointer) +
                    "/config/body is not a string");
  }
  const std::string& text = body->get_ref<const std::string&>();
  if (util::starts_with(text, k_base64_scheme)) {
    e.template_text = decode_body_or_throw(text, name + ": " + hook.pointer + "/config/body");
    return e;
  }
  e.reference = text;
  e.explanation = core::stored_template_digest(text).empty()
                      ? "the body is a reference, not an embedded template: " + text
                      : core::stored_template_explanation(text);
  return e;
}

// An argument that is not a file but only base64 characters is a body without its scheme
// (what `encode --raw` prints).
bool is_raw_base64(const std::string& arg) {
  if (arg.size() < 4 || arg.size() % 4 != 0 || io::path_exists(arg)) return false;
  return arg.find_first_not_of(
             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") ==
         std::string::npos;
}

std::vector<Entry> entries(const DecodeOptions& opts) {
  if (util::starts_with(opts.input, k_base64_scheme)) {
    return {Entry{"", decode_body_or_throw(opts.input, "argument"), "", "", true}};
  }
  if (is_raw_base64(opts.input)) {
    return {Entry{"", decode_body_or_throw(std::string(k_base64_scheme) + opts.input, "argument"),
                  "", "", true}};
  }
  const std::string name = io::display_name(opts.input);
  const std::string text = read_text_or_throw(opts.input);
  const std::string_view trimmed = util::trim(text);
  if (util::starts_with(trimmed, k_base64_scheme)) {
    return {Entry{"", decode_body_or_throw(trimmed, name), "", "", true}};
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
  }
  std::vector<Entry> out;
  out.reserve(hooks.size());
  for (const auto& hook : hooks) out.push_back(entry_for(hook, name));
  return out;
}

ExitStatus run_decode(const DecodeOptions& opts) {
  require_one_of("--format", opts.format, k_formats);
  const std::vector<Entry> found = entries(opts);
  std::string out;
  if (opts.format == "json") {
    core::Json doc = {{"templates", core::Json::array()}};
    for (const auto& e : found) {
      core::Json item = {{"pointer", e.pointer}};
      if (!e.has_body) {
        item["body"] = nullptr;
      } else if (e.reference.empty()) {
        item["template"] = e.template_text;
      } else {
        item["reference"] = e.reference;
      }
      doc["templates"].push_back(item);
    }
    out = doc.dump(2) + "\n";
  } else if (found.size() == 1 && found.front().pointer.empty()) {
    // One body, or one action: the template alone, so it can be piped or saved as is.
    const Entry& e = found.front();
    if (!e.reference.empty()) note(e.explanation);
    out = e.template_text;
  } else {
    for (const auto& e : found) {
      out += "# " + (e.pointer.empty() ? std::string("/") : e.pointer) + "\n";
      if (!e.has_body) {
        out += "# no body: Kratos sends nothing for POST\n";
      } else if (!e.reference.empty()) {
        out += (core::stored_template_digest(e.reference).empty()
                    ? "# body is a reference, not embedded: "
                    : "# body is a template stored by Ory Network (not fetched): ") +
               e.reference + "\n";
      } else {
        out += with_newline(e.template_text);
      }
    }
  }
  io::WriteOptions write;
  write.inputs = {opts.input};
  write_output_or_throw(opts.output, out, write);
  return ExitStatus::ok;
}

}  // namespace

VerbRunner setup_decode(CLI::App& cmd) {
  auto opts = std::make_shared<DecodeOptions>();
  add_flags(cmd,
            {
                {"INPUT", "INPUT|-",
                 "a base64://... string (or the base64 text alone, as encode --raw prints it), or "
                 "a file holding an action or a config; '-' or nothing reads stdin",
                 &opts->input},
                {"--format", "FORMAT",
                 "text (default) or json (one document: {\"templates\": [{\"pointer\", "
                 "\"template\" or \"reference\"}]})",
                 &opts->format, k_formats},
                output_file_flag(&opts->output),
            });
  cmd.footer(
      R"help(Print the Jsonnet template inside a base64:// body, a web_hook action (JSON or YAML),
or every web_hook of an identity config (what 'ory get identity-config' prints, or a
kratos.yml), each preceded by a '# <JSON pointer>' line. file:// and http(s):// bodies
are reported as references.

Examples:
  ory-segment decode "base64://ZnVuY3Rpb24oY3R4KSB7fQo="
  ory-segment decode "$(ory-segment encode --raw segment_identify.jsonnet)"
  ory-segment decode webhook-action.json
  ory get identity-config --project $ORY_PROJECT --format yaml | ory-segment decode)help");
  return [opts] { return run_decode(*opts); };
}

}  // namespace cli
