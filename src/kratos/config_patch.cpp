#include "kratos/config_patch.hpp"

#include <algorithm>
#include <stdexcept>

#include "kratos/action_body.hpp"
#include "util/json_pointer.hpp"
#include "util/text.hpp"

namespace core {
namespace {

std::vector<std::string> path_tokens(const HookPoint& hp) {
  std::vector<std::string> tokens = {"selfservice", "flows", hp.flow, hp.when};
  if (!hp.method.empty()) tokens.push_back(hp.method);
  tokens.push_back("hooks");
  return tokens;
}

std::string join_pointer(const std::vector<std::string>& tokens, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += "/" + util::escape_pointer_token(tokens[i]);
  return out;
}

// The action's template text, when its body embeds one (base64://).
std::string embedded_template(const Json& action) {
  const Json config = action.is_object() ? action.value("config", Json::object()) : Json();
  if (!config.is_object()) return "";
  const std::string body = config.value("body", "");
  std::string text, err;
  if (!util::starts_with(body, k_base64_scheme) || !decode_base64_body(body, "", &text, &err)) {
    return "";
  }
  return text;
}

// The same hook: equal, or equal but for a body Ory Network stored, whose digest is the
// digest of the template `action` embeds (what `ory get identity-config` shows after an
// upload of that very action).
bool same_hook(const Json& existing, const Json& action) {
  if (existing == action) return true;
  if (!existing.is_object() || !existing.contains("config") || !existing["config"].is_object()) {
    return false;
  }
  const std::string digest = stored_template_digest(existing["config"].value("body", ""));
  if (digest.empty()) return false;
  const std::string text = embedded_template(action);
  if (text.empty() || stored_template_digest_of(text) != digest) return false;
  Json normalized = existing;
  normalized["config"]["body"] = action["config"]["body"];
  return normalized == action;
}

bool same_endpoint(const Json& a, const Json& b) {
  if (!a.is_object() || !b.is_object() || a.value("hook", "") != "web_hook" ||
      b.value("hook", "") != "web_hook") {
    return false;
  }
  const Json ca = a.value("config", Json::object()), cb = b.value("config", Json::object());
  return ca.value("url", "") == cb.value("url", "") &&
         ca.value("method", "") == cb.value("method", "");
}

std::string describe(const Json& value) {
  if (value.is_null()) return "null";
  if (value.is_string()) return "a string";
  if (value.is_array()) return "a list";
  if (value.is_object()) return "an object";
  return "a scalar";
}

const Json* global_after_list(const Json& config, const std::string& flow) {
  try {
    const Json& list = config.at(Json::json_pointer(HookPoint{flow, "after", ""}.pointer()));
    return list.is_array() ? &list : nullptr;
  } catch (const Json::exception&) {
    return nullptr;
  }
}

// The list a method's after-hooks become when it has none today: what Kratos ran for the
// method until now (the global list, in its order; hooks that never ran for it left out)
// and the action, before 'session' (or at `position`).
Json carried_list(const PatchRequest& request, const HookPoint& target, const Json& global,
                  PatchPlan* plan) {
  Json list = Json::array();
  std::vector<std::string> carried, left;
  for (const auto& hook : global) {
    if (same_hook(hook, request.action)) continue;  // the action itself, moved from there
    const std::string name = hook.is_object() ? hook.value("hook", "?") : "?";
    if ((target.flow == "registration" || target.flow == "settings") && runs_before_save(hook)) {
      left.push_back(name);
      continue;
    }
    carried.push_back(name);
    list.push_back(hook);
  }
  std::size_t at = list.size();
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i].is_object() && list[i].value("hook", "") == "session") {
      at = i;
      break;
    }
  }
  if (request.position) at = std::min(*request.position, list.size());
  list.insert(list.begin() + static_cast<std::ptrdiff_t>(at), request.action);
  const std::string global_name = target.flow + ".after.hooks";
  if (!carried.empty()) {
    std::string names;
    for (const auto& n : carried) names += (names.empty() ? "" : ", ") + n;
    plan->notes.push_back(target.pointer() + ": created with the hooks of " + global_name + " (" +
                          names + ") before the action: Kratos runs the global list for " +
                          target.method + " only while " + target.name() +
                          " is empty, so without them " + target.method + " " + target.flow +
                          "s would stop running them");
  }
  if (!left.empty()) {
    std::string names;
    for (const auto& n : left) names += (names.empty() ? "" : ", ") + n;
    plan->notes.push_back(target.pointer() + ": not carried over from " + global_name + ": " +
                          names +
                          " (response.parse or can_interrupt: such hooks run before the save, "
                          "where Kratos has no global fallback, so they never ran for " +
                          target.method + ")");
  }
  return list;
}

bool plan_one(const PatchRequest& request, const HookPoint& target, const Json& config,
              PatchPlan* plan, std::string* err) {
  const auto tokens = path_tokens(target);
  // A method list that is empty today shadows the global list once it holds the action.
  const Json* global = target.when == "after" && !target.method.empty()
                           ? global_after_list(config, target.flow)
                           : nullptr;
  const bool carry = global != nullptr && !global->empty();
  const Json* node = &config;
  for (std::size_t depth = 0; depth < tokens.size(); ++depth) {
    const std::string here = join_pointer(tokens, depth);
    if (!node->is_object()) {
      *err = (here.empty() ? std::string("the config") : here) + " is " + describe(*node) +
             ", but " + target.pointer() + " needs an object there";
      return false;
    }
    const auto it = node->find(tokens[depth]);
    if (it == node->end() || it->is_null()) {
      // Create everything from here down in one op, the action inside.
      Json value =
          carry ? carried_list(request, target, *global, plan) : Json::array({request.action});
      for (std::size_t k = tokens.size() - 1; k > depth; --k) value = Json{{tokens[k], value}};
      plan->ops.push_back({"add", join_pointer(tokens, depth + 1), value});
      return true;
    }
    node = &*it;
  }
  if (!node->is_array()) {
    *err = target.pointer() + " is " + describe(*node) + ", but hooks must be a list";
    return false;
  }
  if (node->empty() && carry) {
    plan->ops.push_back(
        {"replace", target.pointer(), carried_list(request, target, *global, plan)});
    return true;
  }
  for (std::size_t i = 0; i < node->size(); ++i) {
    if (same_hook((*node)[i], request.action)) {
      plan->notes.push_back(target.pointer() + "/" + std::to_string(i) +
                            ((*node)[i] == request.action
                                 ? " already holds this exact hook: nothing to do there"
                                 : " already holds this hook, its template stored by Ory "
                                   "Network (same SHA-512): nothing to do there"));
      return true;
    }
  }
  for (std::size_t i = 0; i < node->size() && !request.beside_same_endpoint; ++i) {
    if (same_endpoint((*node)[i], request.action)) {
      plan->ops.push_back({"replace", target.pointer() + "/" + std::to_string(i), request.action});
      plan->notes.push_back(target.pointer() + "/" + std::to_string(i) +
                            " calls the same URL and method with another config: replaced");
      return true;
    }
  }
  const std::size_t size = node->size();
  if (!request.position || *request.position >= size) {
    if (request.position && *request.position > size) {
      plan->notes.push_back(target.pointer() + " has " + std::to_string(size) +
                            " hooks: appending instead of inserting at " +
                            std::to_string(*request.position));
    }
    plan->ops.push_back({"add", target.pointer() + "/-", request.action});
    for (const auto& hook : *node) {
      if (hook.is_object() && hook.value("hook", "") == "session") {
        plan->notes.push_back(target.pointer() +
                              ": the hook goes after 'session'; Kratos since v1.2.0 moves session "
                              "last itself, older versions need it last by hand");
        break;
      }
    }
    return true;
  }
  plan->ops.push_back(
      {"add", target.pointer() + "/" + std::to_string(*request.position), request.action});
  return true;
}

bool list_non_empty(const Json& config, const std::string& pointer) {
  try {
    const Json& list = config.at(Json::json_pointer(pointer));
    return list.is_array() && !list.empty();
  } catch (const Json::exception&) {
    return false;
  }
}

// Without a config, what lint's rules cannot see: a response.parse hook in a global list of
// registration or settings never runs. (With one, patch runs lint's rules on the result.)
void add_warnings(const PatchRequest& request, const Json* config, PatchPlan* plan) {
  if (config) return;
  const Json c = request.action.value("config", Json::object());
  const Json response = c.value("response", Json::object());
  const bool parse = response.is_object() && response.value("parse", false);
  for (const auto& target : request.targets) {
    const bool global_after =
        target.when == "after" && target.method.empty() && !hook_methods(target.flow).empty();
    if (global_after && parse && (target.flow == "registration" || target.flow == "settings")) {
      plan->warnings.push_back(target.pointer() +
                               ": hooks with response.parse run before the identity is saved and "
                               "have no global fallback in " +
                               target.flow +
                               ": this one never runs; name the methods with --hook " +
                               target.flow + ".after.password");
    }
  }
}

}  // namespace

bool runs_before_save(const Json& hook) {
  if (!hook.is_object() || hook.value("hook", "") != "web_hook") return false;
  const auto config = hook.find("config");
  if (config == hook.end() || !config->is_object()) return false;
  const auto response = config->find("response");
  const auto is_true = [](const Json& o, const char* key) {
    const auto it = o.find(key);
    return it != o.end() && *it == true;
  };
  return is_true(*config, "can_interrupt") ||
         (response != config->end() && response->is_object() && is_true(*response, "parse"));
}

std::vector<std::string> methods_shadowing_global_list(const HookPoint& target,
                                                       const Json& config) {
  std::vector<std::string> out;
  for (const auto& method : hook_methods(target.flow)) {
    if (list_non_empty(config, HookPoint{target.flow, "after", method}.pointer())) {
      out.push_back(method);
    }
  }
  return out;
}

bool plan_patch(const PatchRequest& request, const Json* config, PatchPlan* out, std::string* err) {
  PatchPlan plan;
  if (!config) {
    for (const auto& target : request.targets) {
      const std::string where =
          request.position ? std::to_string(*request.position) : std::string("-");
      plan.ops.push_back({"add", target.pointer() + "/" + where, request.action});
    }
  } else {
    if (!config->is_object()) {
      *err = "the config is " + describe(*config) + ", not an object";
      return false;
    }
    // Plan each list against the config as the earlier ops leave it, so two lists that
    // need the same missing parent do not overwrite each other.
    Json working = *config;
    for (const auto& target : request.targets) {
      const std::size_t before = plan.ops.size();
      if (!plan_one(request, target, working, &plan, err)) return false;
      working = apply_ops(working,
                          {plan.ops.begin() + static_cast<std::ptrdiff_t>(before), plan.ops.end()});
    }
  }
  add_warnings(request, config, &plan);
  *out = std::move(plan);
  return true;
}

Json to_json_patch(const std::vector<PatchOp>& ops, const std::string& prefix) {
  Json out = Json::array();
  for (const auto& op : ops) {
    Json entry = {{"op", op.op}, {"path", prefix + op.path}};
    if (op.op != "remove") entry["value"] = op.value;
    out.push_back(entry);
  }
  return out;
}

namespace {

bool matches_removal(const Json& hook, const RemovalMatch& match) {
  if (!hook.is_object() || hook.value("hook", "") != "web_hook") return false;
  const Json config = hook.value("config", Json::object());
  if (!config.is_object()) return false;
  if (!match.template_text.empty()) {
    if (embedded_template(hook) == match.template_text) return true;
    const std::string digest = stored_template_digest(config.value("body", ""));
    return !digest.empty() && digest == stored_template_digest_of(match.template_text);
  }
  return config.value("url", "") == match.url &&
         (match.method.empty() || config.value("method", "") == match.method);
}

}  // namespace

bool plan_removal(const Json& config, const RemovalMatch& match,
                  const std::vector<HookPoint>& lists, PatchPlan* plan, std::string* err) {
  const std::vector<HookPoint> where = lists.empty() ? all_hook_points() : lists;
  for (const HookPoint& list : where) {
    const Json* hooks = nullptr;
    try {
      hooks = &config.at(Json::json_pointer(list.pointer()));
    } catch (const Json::exception&) {
      continue;
    }
    if (!hooks->is_array()) continue;
    std::size_t removed = 0;
    for (std::size_t i = hooks->size(); i-- > 0;) {
      if (!matches_removal((*hooks)[i], match)) continue;
      const std::string at = list.pointer() + "/" + std::to_string(i);
      plan->ops.push_back({"remove", at, nullptr});
      plan->notes.push_back(at + ": removed");
      ++removed;
    }
    if (removed > 0 && removed == hooks->size() && list.when == "after" && !list.method.empty() &&
        list_non_empty(config, HookPoint{list.flow, "after", ""}.pointer())) {
      plan->warnings.push_back(list.pointer() + " is empty after this: Kratos runs " + list.flow +
                               ".after.hooks for " + list.method + " " + list.flow +
                               "s again (what that list holds runs for them)");
    }
  }
  if (plan->ops.empty()) {
    *err = match.template_text.empty()
               ? "no web_hook calls " + match.url +
                     (match.method.empty() ? "" : " with " + match.method) + ": nothing to remove"
               : "no web_hook's body is this template: nothing to remove";
    return false;
  }
  return true;
}

Json apply_ops(const Json& config, const std::vector<PatchOp>& ops) {
  return config.patch(to_json_patch(ops));
}

}  // namespace core
