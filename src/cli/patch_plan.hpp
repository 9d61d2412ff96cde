#pragma once

#include <string>
#include <vector>

#include "io/document.hpp"
#include "kratos/config_patch.hpp"
#include "kratos/hook_points.hpp"

namespace cli {

inline const std::vector<std::string> k_patch_formats = {"json-patch", "ory-cli", "ory-project-api",
                                                         "yaml"};
inline const std::vector<std::string> k_hook_whens = {"after", "before"};

struct PatchOptions {
  std::string action;
  std::vector<std::string> hooks;  // --hook FLOW.WHEN[.METHOD], each may be a comma list
  std::string flow;                // --flow/--when/--method: the older spelling of --hook
  std::string when;
  std::vector<std::string> methods;
  std::string position = "0";
  std::string config;
  std::string format = "json-patch";
  bool apply = false;
  bool diff = false;
  bool remove = false;
  bool beside = false;  // --add
  bool move = false;    // --move: out of where --action '#/...' names
  std::string url;      // --remove --url
  std::string jsonnet;  // --remove --jsonnet
  std::string out_file;
  std::string project;
  std::string workspace;
  std::string kratos;
};

// --action names a hook already in --config ("#/POINTER").
bool action_in_config(const PatchOptions& opts);

// The action --action names (a file, "-", or "#/POINTER" in `config`), read once and checked
// to be a web_hook; a bad-input Error otherwise.
io::Json read_action_or_throw(const PatchOptions& opts, const io::Json* config);

// The ops (and notes, warnings) that install `action` where the options say, or with
// --remove take the matching web_hooks out; planned against `config` when given.
core::PatchPlan plan_from_options(const PatchOptions& opts, const io::Json* config,
                                  const io::Json& action);

// lint's rules for what the ops install: with a config, lint of the patched config where the
// action now sits (the hook table's verdicts included: a method not enabled, a shadowed
// list); without, the action alone. Errors throw (nothing is written).
void check_installed(const PatchOptions& opts, const io::Json* config, const io::Json& action,
                     const std::vector<core::PatchOp>& ops);

}  // namespace cli
