#include "lint/config_lint.hpp"

#include "lint/action_rules.hpp"

#include <cctype>

#include <algorithm>
#include <map>
#include <optional>

#include "kratos/action_body.hpp"
#include "kratos/config_patch.hpp"
#include "kratos/webhook_action.hpp"
#include "lint/lint_rules.hpp"
#include "lint/template_lint.hpp"
#include "segment/segment_api.hpp"
#include "segment/segment_message.hpp"
#include "util/json_pointer.hpp"
#include "util/shell_quote.hpp"
#include "util/text.hpp"
#include "util/url.hpp"

namespace core {
namespace {
// `hint`, after a did-you-mean when one of `valid` is close to `word`.
std::string with_guess(const std::string& word, const std::vector<std::string>& valid,
                       const std::string& hint) {
  const auto guess = util::closest_match(word, valid);
  return guess ? "did you mean '" + *guess + "'? " + hint : hint;
}

class ConfigLinter {
 public:
  ConfigLinter(const Json& config, const std::string& name, const ConfigLintOptions& options)
      : m_config(config), m_name(name), m_options(options) {}

  ConfigLint run() {
    ConfigLint out;
    if (!m_config.is_object()) {
      add("config-shape", Severity::error, "", "the config is not an object (a mapping)",
          "pass the identity config: ory get identity-config --format yaml");
      out.findings = std::move(m_findings);
      return out;
    }
    version();
    shapes();
    out.table = hook_table(m_config, *m_options.kratos);
    m_table = &out.table;
    for (const HookPoint& list : all_hook_points()) hooks_in(list);
    if (m_segment_hooks == 0) {
      add("no-segment-hook", Severity::warning, "",
          "no web_hook here calls Segment (its URL Segment's or naming a call, /v1/identify): "
          "Kratos sends nothing to Segment",
          "build one and install it (with SEGMENT_WRITE_KEY set): ory-segment build-action "
          "--jsonnet segment.jsonnet | ory-segment patch --config " +
              (m_name.rfind('<', 0) == 0 ? std::string("FILE") : m_name) + " --action - --apply");
    }
    out.findings = std::move(m_findings);
    out.stored_matches = m_stored_matches;
    return out;
  }

 private:
  void add(const char* rule, Severity s, const std::string& pointer, std::string message,
           std::string hint) {
    m_findings.push_back(Finding{s, pointer.empty() ? m_name : m_name + "#" + pointer,
                                 std::move(message), std::move(hint), rule});
  }

  // A `version:` naming a release (vMAJOR.MINOR.PATCH) other than the profile's Kratos.
  void version() {
    const auto it = m_config.find("version");
    if (it == m_config.end() || !it->is_string()) return;
    const std::string named = it->get<std::string>();
    const KratosProfile& kratos = *m_options.kratos;
    const bool release =
        named.size() > 1 && named[0] == 'v' && std::isdigit(static_cast<unsigned char>(named[1]));
    if (!release || named == kratos.kratos) return;
    std::vector<std::string> profiles;
    for (const auto& p : kratos_profiles())
      profiles.push_back(p.name + " (Kratos " + p.kratos + ")");
    std::string hint =
        "no profile models it; choose the nearest with --kratos: " + util::join(profiles, " or ");
    for (const auto& p : kratos_profiles()) {
      if (p.kratos == named) hint = "give --kratos " + p.name + " to model it";
    }
    add("kratos-version", Severity::note, "/version",
        "the config is for Kratos " + named + "; the hook table here is " + kratos.describe(),
        hint);
  }

  // Lists that are not lists, and method lists under names Kratos does not know.
  void shapes() {
    for (const auto& flow : hook_flows()) {
      const std::string after_ptr = "/selfservice/flows/" + flow + "/after";
      const Json* after = at_pointer(m_config, after_ptr);
      if (!after || !after->is_object()) continue;
      std::vector<std::string> methods = hook_methods(flow);
      for (const auto& [key, value] : after->items()) {
        if (key == "hooks" || key == "default_browser_return_url") continue;
        if (std::find(methods.begin(), methods.end(), key) != methods.end()) continue;
        if (!value.is_object() || !value.contains("hooks")) continue;
        std::string message = "'" + key + "' is not a ";
        message += flow;
        message +=
            " method: Kratos refuses the config (Ory Network drops the key), and its hooks "
            "never run";
        add("config-shape", Severity::error, after_ptr + "/" + util::escape_pointer_token(key),
            message,
            with_guess(key, methods,
                       "Kratos's methods with after-hooks in " + flow + ": " +
                           (methods.empty() ? std::string("none (use after.hooks)")
                                            : util::join(methods, ", "))));
      }
    }
  }

  void hooks_in(const HookPoint& list) {
    const std::string pointer = list.pointer();
    const Json* hooks = at_pointer(m_config, pointer);
    if (!hooks || hooks->is_null()) return;
    if (!hooks->is_array()) {
      add("config-shape", Severity::error, pointer,
          "hooks must be a list, not " + std::string(hooks->type_name()),
          "write it as a list of {hook: ..., config: ...} entries");
      return;
    }
    const std::vector<std::string> allowed = allowed_hooks(list, *m_options.kratos);
    bool session_seen = false;
    for (std::size_t i = 0; i < hooks->size(); ++i) {
      const Json& hook = (*hooks)[i];
      const std::string at = pointer + "/" + std::to_string(i);
      const std::string name = hook_name(hook);
      if (name.empty()) {
        add("config-shape", Severity::error, at, "a hook must be an object with a 'hook' name",
            "e.g. {hook: web_hook, config: {...}}");
        continue;
      }
      const KratosProfile& kratos = *m_options.kratos;
      if (!kratos.knows_hook(name)) {
        add("hook-unknown", Severity::error, at,
            "Kratos " + kratos.kratos + " has no hook '" + name + "': its config schema refuses it",
            with_guess(
                name, kratos.schema_hooks,
                "Kratos " + kratos.kratos + "'s hooks: " + util::join(kratos.schema_hooks, ", ")));
        continue;
      }
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        add("hook-not-here", Severity::error, at,
            "Kratos's config schema does not allow '" + name + "' in " + list.name() +
                ": Kratos refuses the config",
            "hooks allowed there: " + util::join(allowed, ", "));
      }
      for (std::size_t j = 0; j < i; ++j) {
        if ((*hooks)[j] == hook) {
          add("hook-duplicate", Severity::error, at,
              "the same hook as " + pointer + "/" + std::to_string(j) +
                  ": Kratos's config schema makes hook lists unique, so it refuses the config",
              "remove one of them");
          break;
        }
      }
      if (name == "session") session_seen = true;
      if (name != "web_hook") continue;
      if (session_seen && list.when == "after" && list.flow == "registration") {
        add("session-before-web-hook", Severity::note, at,
            "this web_hook comes after 'session': Kratos since v1.2.0 moves session last "
            "itself, older versions stop at session for API clients and skip it",
            "put the web_hook before session for older Kratos versions");
      }
      web_hook(list, hook, at, *hooks, i);
    }
  }

  // Whether `method`'s own after-list in `flow` has a web_hook calling the same URL with the
  // same method as `action`: the method sends the event itself.
  bool own_list_calls(const std::string& flow, const std::string& method,
                      const DeployedAction& action) const {
    const Json* list = at_pointer(m_config, HookPoint{flow, "after", method}.pointer());
    if (!list || !list->is_array()) return false;
    for (const auto& hook : *list) {
      DeployedAction other;
      std::string err;
      if (read_action(hook, &other, &err) && other.url == action.url &&
          other.method == action.method) {
        return true;
      }
    }
    return false;
  }

  // The patch command that installs the web_hook at `at` in `flow`'s after-lists of `methods`
  // (and, `move`, takes it out of where it is), as it runs.
  std::string patch_command(const std::string& at, const std::string& flow,
                            const std::vector<std::string>& methods, bool move) const {
    std::vector<std::string> hooks;
    hooks.reserve(methods.size());
    for (const auto& m : methods) hooks.push_back(flow + ".after." += m);
    const std::string file = m_name.rfind('<', 0) == 0 ? std::string("FILE") : m_name;
    return "ory-segment patch --config " + util::shell_quote(file) + " --action " +
           util::shell_quote("#" + at) + " --hook " + util::join(hooks, ",") +
           (move ? " --move" : "") + " --apply";
  }

  // The rows that run the hook at `pointer`.
  std::vector<const HookRow*> rows_running(const std::string& pointer) const {
    std::vector<const HookRow*> out;
    for (const HookRow& row : *m_table) {
      for (const RunningHook& h : row.hooks) {
        if (h.pointer == pointer) out.push_back(&row);
      }
    }
    return out;
  }

  void web_hook(const HookPoint& list, const Json& hook, const std::string& at, const Json& hooks,
                std::size_t index) {
    // The action's own rules, as every verb runs them.
    for (Finding f : lint_action(hook, m_name + "#" + at, list.flow)) {
      m_findings.push_back(std::move(f));
    }
    DeployedAction action;
    std::string err;
    if (!read_action(hook, &action, &err)) return;
    if (calls_segment(action.url)) ++m_segment_hooks;
    const Json config = hook_config(hook);
    for (std::size_t j = 0; j < index; ++j) {
      const Json& other = hooks[j];
      if (other != hook && hook_name(other) == "web_hook" &&
          hook_config(other).value("url", "") == action.url &&
          hook_config(other).value("method", "") == action.method) {
        add("hook-duplicate", Severity::warning, at,
            "another web_hook in this list (" + list.pointer() + "/" + std::to_string(j) +
                ") calls the same URL and method: each event is sent twice",
            "keep one of them");
        break;
      }
    }
    const bool global_after = list.when == "after" && list.method.empty();
    const bool pre_save = runs_before_save(hook);
    const std::vector<const HookRow*> rows = rows_running(at);
    std::vector<HookPoint> running_at;
    for (const HookRow* row : rows) {
      if (row->enabled) running_at.push_back(row->point);
    }
    if (global_after && pre_save && (list.flow == "registration" || list.flow == "settings")) {
      add("parse-in-global-list", Severity::error, at,
          "this web_hook has response.parse or can_interrupt, so it runs before the identity "
          "is saved, where Kratos has no global fallback: in " +
              list.name() + " it never runs",
          "move it to the methods' own lists, e.g. " + list.name() + ".password");
    } else if (running_at.empty()) {
      never_runs(list, at, rows);
    } else if (global_after && !hook_methods(list.flow).empty()) {
      std::vector<std::string> shadowing;
      for (const auto& method : hook_methods(list.flow)) {
        if (ory_network_only({list.flow, "after", method}) &&
            (!m_options.kratos->saml || !names_saml(m_config, list.flow))) {
          continue;
        }
        const auto running = std::find_if(
            rows.begin(), rows.end(), [&](const HookRow* r) { return r->point.method == method; });
        if (running == rows.end() && method_enabled(m_config, list.flow, method) &&
            !own_list_calls(list.flow, method, action)) {
          shadowing.push_back(method);
        }
      }
      if (!shadowing.empty()) {
        add("web-hook-some-methods", Severity::warning, at,
            "this web_hook does not run for " + util::join(shadowing, ", ") + " " + list.flow +
                "s: " + (shadowing.size() == 1 ? "that method has" : "those methods have") +
                " an own list, and Kratos runs " + list.name() +
                ".hooks only for methods whose list is empty",
            "add it to their lists: " + patch_command(at, list.flow, shadowing, false));
      }
    }
    body(action, at, running_at.empty() ? std::vector<HookPoint>{list} : running_at);
  }

  void never_runs(const HookPoint& list, const std::string& at,
                  const std::vector<const HookRow*>& rows) {
    if (!flow_enabled(m_config, list.flow)) {
      add("web-hook-never-runs", Severity::error, at,
          "this web_hook never runs: the " + list.flow +
              " flow is not enabled (selfservice.flows." + list.flow + ".enabled is " +
              (list.flow == "registration" ? "false" : "not true: Kratos's default is false") +
              "), so Kratos answers every " + list.flow + " request with an error",
          "set selfservice.flows." + list.flow + ".enabled: true");
      return;
    }
    std::vector<std::string> disabled;  // the methods it would run for
    disabled.reserve(rows.size());
    for (const HookRow* row : rows) disabled.push_back(row->point.method);
    if (list.when == "after" && list.method.empty() && !hook_methods(list.flow).empty()) {
      std::vector<std::string> own;  // enabled methods with lists of their own
      for (const auto& method : hook_methods(list.flow)) {
        const bool runs = std::find(disabled.begin(), disabled.end(), method) != disabled.end();
        if (!runs && method_enabled(m_config, list.flow, method)) own.push_back(method);
      }
      if (!own.empty()) {
        add("web-hook-never-runs", Severity::error, at,
            "this web_hook never runs: every enabled " + list.flow + " method (" +
                util::join(own, ", ") + ") has its own list, and Kratos runs " + list.name() +
                ".hooks only for methods whose list is empty" +
                (disabled.empty() ? ""
                                  : " (it would run for " + util::join(disabled, ", ") +
                                        ", which are not enabled)"),
            "move it to the methods' lists: " + patch_command(at, list.flow, own, true));
        return;
      }
    }
    if (!disabled.empty()) {
      add("web-hook-never-runs", Severity::warning, at,
          "this web_hook runs only for " + util::join(disabled, ", ") + " " + list.flow +
              "s, and " + (disabled.size() == 1 ? "that method is" : "those methods are") +
              " not enabled (selfservice.methods)",
          "enable the method, or install the hook where sign-ups happen");
    }
  }

  void body(const DeployedAction& action, const std::string& at,
            const std::vector<HookPoint>& points) {
    const std::string where = m_name + "#" + at + "/config/body";
    BodyTemplate t;
    if (const std::string digest = stored_template_digest(action.body); !digest.empty()) {
      const std::string* local = m_options.local_template;
      if (local && stored_template_digest_of(*local) == digest) {
        ++m_stored_matches;  // the user's template: linted where the config runs it
        t = {*local, m_options.local_template_name};
        lint_body(action, at, points, t);
        return;
      }
      if (local) {
        add("body-differs", Severity::warning, at + "/config/body",
            "the template Ory Network stored here is not " + m_options.local_template_name +
                " (their SHA-512 differ): the deployed template is another version",
            "deploy this one: ory-segment patch --config FILE --jsonnet " +
                m_options.local_template_name +
                " --apply, or lint the deployed one: "
                "curl -o deployed.jsonnet '" +
                action.body + "'");
        return;
      }
      add("body-not-read", Severity::note, at + "/config/body",
          stored_template_explanation(action.body),
          "lint the template's file beside the config: ory-segment lint --config FILE --jsonnet "
          "TEMPLATE");
      return;
    }
    const auto scheme = body_scheme(action.body);
    if (scheme == BodyScheme::http || scheme == BodyScheme::https) {
      add("body-not-read", Severity::note, at + "/config/body",
          "the body is fetched by Kratos at run time (" + action.body + "): lint does not fetch it",
          "lint the template's file: ory-segment lint --jsonnet FILE");
      return;
    }
    const bool path = scheme == BodyScheme::file || scheme == BodyScheme::legacy_path;
    std::string err;
    if (!template_from_body(action.body, where, &t, &err)) {
      add(path ? "body-not-read" : "web-hook-invalid", path ? Severity::warning : Severity::error,
          at + "/config/body", err, "rebuild the action with ory-segment build-action");
      return;
    }
    lint_body(action, at, points, t);
  }

  // The body's template, at the points it runs at, for the call its URL makes.
  void lint_body(const DeployedAction& action, const std::string& at,
                 const std::vector<HookPoint>& points, const BodyTemplate& t) {
    TemplateLintOptions options;
    options.schema = m_options.schema;
    options.hooks = points;
    std::string url_err;
    const auto url = util::parse_url(action.url, &url_err);
    const auto call = url ? call_from_path(url->path) : std::nullopt;
    options.check_message = calls_segment(action.url);
    options.call = call.value_or(SegmentCall::identify);
    options.header_allowlist = config_header_allowlist(m_config);
    // The same template, at the same points, for the same call (the URL matters no further):
    // its findings are the first's, and it is linted once however many hooks run it.
    std::string key = action.body + "\n" + (options.check_message ? "segment " : "other ") +
                      to_string(options.call);
    for (const auto& p : points) key += "\n" + p.name();
    const auto seen = m_bodies.find(key);
    if (seen != m_bodies.end()) {
      add("body-repeated", Severity::note, at + "/config/body",
          "the same template, run at the same hook points for the same call, as " + seen->second +
              ": its findings are reported there",
          "");
      return;
    }
    m_bodies.emplace(key, at + "/config/body");
    for (Finding f : lint_template(t.source, t.name, options)) m_findings.push_back(std::move(f));
  }

  const Json& m_config;
  const std::string& m_name;
  const ConfigLintOptions& m_options;
  const std::vector<HookRow>* m_table = nullptr;
  std::size_t m_segment_hooks = 0;              // web_hooks that call Segment
  int m_stored_matches = 0;                     // stored bodies that are the local template
  std::map<std::string, std::string> m_bodies;  // body, URL and points -> where first linted
  std::vector<Finding> m_findings;
};

}  // namespace

ConfigLint lint_config(const Json& config, const std::string& name,
                       const ConfigLintOptions& options) {
  return ConfigLinter(config, name, options).run();
}

}  // namespace core
