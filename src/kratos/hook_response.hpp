#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace core {

using Json = nlohmann::ordered_json;

// What Kratos makes of a web_hook's final answer when the hook has response.parse or
// can_interrupt (selfservice/hook/web_hook.go:407-425 and parseWebhookResponse :455-547, the
// same lines at master b86338da0 and at v26.2.0). Without either, only the status counts
// (kratos_delivery).
//
// - A status >= 400 is read as {"messages": [{"instance_ptr", "messages": [{"id", "text",
//   "type", "context"}]}]}: those become the flow's validation messages and the flow does not
//   complete; a body that does not decode, or holds no messages, fails the hook with that
//   error instead. Never the 502 a plain hook gets.
// - With response.parse, a 200 must be JSON (an empty or non-JSON body fails the hook); its
//   "identity" object, if any, replaces the identity's fields it has (traits, schema_id, state,
//   addresses, metadata, external_id). A 204 or any other status below 400 is not read.
// - can_interrupt alone does not read an answer below 400.
struct HookAnswer {
  bool read = false;                  // Kratos read the body at all
  bool hook_fails = false;            // the hook returns an error
  bool interrupts = false;            // ... the flow's validation messages (status >= 400)
  std::string error;                  // the hook's error as Kratos words it
  std::vector<std::string> messages;  // "instance_ptr: text" for each message
  std::vector<std::string> replaced;  // identity fields the answer replaces
};

HookAnswer read_hook_answer(int status, const std::string& body, bool parse_response,
                            bool can_interrupt);

}  // namespace core
