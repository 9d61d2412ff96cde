#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kratos/hook_points.hpp"
#include "kratos/hook_table.hpp"
#include "util/finding.hpp"

namespace core {

using Json = nlohmann::ordered_json;

struct ConfigLintOptions {
  const Json* schema = nullptr;  // the identity schema, for the bodies' templates
  const KratosProfile* kratos = &default_kratos_profile();  // the Kratos that runs the config
  // The template the user holds (lint --jsonnet beside --config): a body Ory Network stored
  // (a storage URL named by the template's SHA-512) is that template when the digests agree,
  // and is linted as it; when they differ, a warning says the deployed one is another.
  const std::string* local_template = nullptr;
  std::string local_template_name;
};

struct ConfigLint {
  std::vector<HookRow> table;
  std::vector<Finding> findings;
  int stored_matches = 0;  // stored bodies that are local_template
};

// The mistakes of a config's hooks, located by JSON pointer ("NAME#/selfservice/..."), each
// with its rule and a fix: lists that are not lists and method lists Kratos does not know,
// unknown hooks and hooks that do nothing where they are, web_hooks that never run (a
// shadowed global list, a method that is not enabled) or run for some methods only,
// response.parse in a global list, session before a web_hook, Segment calls without
// response.ignore, duplicate hooks, web_hooks Kratos's schema refuses; and each web_hook
// body (base64:// or file://) linted as a template (lint_template) at the hook points it
// runs at, for the Segment call its URL makes, with the config's header allowlist, located
// in the body ("NAME#/.../config/body:LINE:COL"). Bodies fetched at run time get a note.
ConfigLint lint_config(const Json& config, const std::string& name,
                       const ConfigLintOptions& options);

}  // namespace core
