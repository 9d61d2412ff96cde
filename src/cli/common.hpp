#pragma once

#include <string>
#include <utility>
#include <vector>

#include "io/document.hpp"
#include "io/file_io.hpp"
#include "kratos/hook_points.hpp"
#include "kratos/kratos_context.hpp"
#include "kratos/runtime_profile.hpp"
#include "segment/segment_message.hpp"

namespace CLI {
class App;
}

namespace cli {

// Reads a text input (a path or "-") or throws a bad-input Error. Refuses to wait on
// an interactive terminal for "-".
std::string read_text_or_throw(const std::string& path);

// Reads and parses a JSON or YAML document, or throws a bad-input Error. `text`: its bytes.
io::Json read_document_or_throw(const std::string& path, io::DocumentFormat* format = nullptr,
                                std::string* text = nullptr);

// Writes to `path` ("" or "-": stdout) atomically (io::replace_file_atomically's rules), or
// throws.
void write_output_or_throw(const std::string& path, const std::string& content,
                           const io::WriteOptions& opts = {});

// An input a verb reads, by the option that names it.
struct NamedInput {
  const char* option;
  std::string path;
};

// Throws a bad-input Error when the file `option` writes (appended or replaced) is one of
// `inputs` (the same file, through any link): an output never goes onto an input.
void refuse_output_onto_inputs(const std::string& option, const std::string& output,
                               const std::vector<NamedInput>& inputs);

// Every hook point's name (registration.after.password, ...): what --hook takes.
std::vector<std::string> hook_point_names();

// The one JSON shape of a finding in every verb's --format json: rule, severity, location,
// message, fix (each a string, "" when there is none).
io::Json finding_json(const util::Finding& f);

// A note naming the proxy (and the variable that names it) requests to `url` go through;
// nothing when they go direct.
void note_proxy(const std::string& url);

// Reads a template and checks it the way Kratos loads it: prints warnings, throws a
// bad-input Error for a template Kratos could not run. Returns the exact bytes.
std::string read_checked_template(const std::string& path);

// Where a Segment write key can come from, most private first.
struct WriteKeyOptions {
  std::string key_file;
  std::string key;  // from the command line: visible in process lists
};
void add_write_key_options(CLI::App& cmd, WriteKeyOptions* opts);

// Why `key` is a placeholder copied from the docs ($YOUR_SEGMENT_WRITE_KEY, <write-key>, ...),
// or "" for what may be a key; refuse_placeholder_key throws a bad-input Error naming `where`.
std::string placeholder_key_reason(const std::string& key);
void refuse_placeholder_key(const std::string& key, const std::string& where);

// --write-key-file, else $SEGMENT_WRITE_KEY, else --write-key; throws naming all three
// when none is set. Messages never contain the key.
std::string resolve_write_key(const WriteKeyOptions& opts);

// A key file's one line, surrounding white space trimmed; throws a bad-input Error (naming
// `what`, never quoting the file) when it cannot be read, is empty or has several lines.
std::string read_key_file(const std::string& path, const std::string& what);

// Whether any of the three sources is set.
bool write_key_given(const WriteKeyOptions& opts);

}  // namespace cli

namespace cli {

// Which Segment endpoint a web_hook calls: --call and --region, or --url for both.
struct SegmentTargetOptions {
  std::string call;  // "": what --url's path or the template's output names, else identify
  std::string region = "us";
  std::string url;
};
void add_segment_target_options(CLI::App& cmd, SegmentTargetOptions* opts);

// Where the options send one message, and as which call: --call, else the call --url's path
// names (.../v1/track), else identify until the template's output says otherwise (settle_call).
// --url is an API base (https://api.segment.io, a proxy's prefix kept) or one of its /v1/...
// endpoints; a base gets /v1/CALL. Throws a bad-input Error (with a did-you-mean) for an
// unknown call or region, or a --call that --url's path contradicts.
struct SegmentTarget {
  std::string url;   // where the call goes
  std::string base;  // the API base the URL was made from; "" when it cannot change (an action's)
  core::SegmentCall call = core::SegmentCall::identify;
  std::string call_source;  // what fixed the call ("--call track"); "": the default
};
SegmentTarget resolve_segment_target(const SegmentTargetOptions& opts);

// The API base of a Segment URL: what comes before its /v1/, or the whole URL (without a
// trailing slash) when it has none. A bad-input Error for one that does not parse.
std::string segment_api_base(const std::string& url);

// With what the template sends: the call its fields name (core::call_from_message) replaces a
// default one, the URL following it (said in a note), or contradicts a fixed one: a bad-input
// Error naming both. `subject` names the template in messages.
void settle_call(SegmentTarget* target, const core::Json& output, const std::string& subject);

// Throws a bad-input Error unless `value` is one of `allowed`, suggesting the closest.
// --header-allowlist NAMES: comma-separated header names, or a bad-input Error.
// nullopt for "" (not given: the config's or Kratos's default).
core::HeaderAllowlist header_allowlist_or_throw(const std::string& list);

void require_one_of(const std::string& flag, const std::string& value,
                    const std::vector<std::string>& allowed);

// --header NAME=VALUE (repeatable), as pairs; a bad-input Error for one without a name and
// '=' or whose name is not an HTTP token.
std::vector<std::pair<std::string, std::string>> header_specs_or_throw(
    const std::vector<std::string>& specs);

// The profile --kratos names ("" is the default), or a bad-input Error with a did-you-mean.
const core::KratosProfile& kratos_profile_or_throw(const std::string& name);

// A bad-input Error (naming `flag`, e.g. "--hook registration.after.saml") for a hook point
// the profile's Kratos does not have: Ory Network's saml on a self-hosted Kratos; a note
// that saml is Ory Network's otherwise.
void require_hook_point_in(const core::HookPoint& point, const core::KratosProfile& kratos,
                           const std::string& flag);

}  // namespace cli
