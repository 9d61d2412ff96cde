#include "lint/lint_rules.hpp"

#include <iterator>

namespace core {

namespace {

// The catalogue, as data: templates' rules first, then configs'.
const LintRule k_rules[] = {
    // Templates.
    {"template-load", "The template does not load",
     "Kratos cannot parse or evaluate the template, so every call of the hook fails. The "
     "message is libjsonnet's, located in the template.",
     Severity::error},
    {"template-call", "Kratos cannot call the template",
     "Kratos passes ctx as the template's top-level argument named ctx: a function whose "
     "parameter has another name (or that needs more parameters) fails every call. Write "
     "function(ctx) { ... }.",
     Severity::error},
    {"ctx-ext-var", "std.extVar('ctx') instead of the ctx argument",
     "Kratos sets no external variables: std.extVar('ctx') fails every call. Write the "
     "template as function(ctx) { ... } and read ctx there.",
     Severity::error},
    {"trait-unguarded", "A trait read without a guard",
     "A lookup of a trait that some identities lack fails the hook for each of them (with "
     "--schema: the schema does not require it). Read it with std.get(OBJ, 'f', null), or "
     "test 'f' in OBJ first.",
     Severity::error},
    {"trait-unknown", "A trait the identity schema does not have",
     "The identity schema has no such trait and allows no others, so the lookup fails for "
     "every identity. Check the name against the schema.",
     Severity::error},
    {"trait-type", "A lookup the schema's type makes fail",
     "The schema gives the trait a type that has no fields (a string, a number, a list), so "
     "a field lookup on it fails whenever the trait is there.",
     Severity::warning},
    {"metadata-unguarded", "metadata_public read without a guard",
     "metadata_public is null or lacks the field for identities that were never given it: a "
     "lookup fails the hook for each of them. Use std.get.",
     Severity::warning},
    {"header-not-forwarded", "A request header Kratos does not pass",
     "Kratos passes only the headers on clients.web_hook.header_allowlist to templates: any "
     "other is never in ctx.request_headers, and a lookup of it fails every call.",
     Severity::error},
    {"header-unguarded", "A request header read without a guard",
     "An allowlisted header is in ctx.request_headers only when the client sent it: a lookup "
     "fails the hook for every request without it. Use std.get.",
     Severity::warning},
    {"ctx-field-at-hook", "A ctx field that does not exist at the hook point",
     "Kratos fills in ctx.identity and ctx.session only at some hook points (no session at "
     "registration.after, no identity in before-hooks): a lookup of a missing one fails "
     "every call there.",
     Severity::error},
    {"sample-fails", "The template fails for a sample identity",
     "Evaluated against a sample identity (the schema's, every trait filled in, or the "
     "built-in one), the template fails: so does the hook.",
     Severity::error},
    {"segment-message", "Segment would drop or reject what the template sends",
     "What the template sends for a sample identity breaks a rule of Segment's Tracking "
     "API (a track without event, a message without userId or anonymousId, over 32 KB, "
     "...). Segment answers 200 and drops such messages: nothing else reports it.",
     Severity::error},
    {"segment-call-mismatch", "The message has fields of another Segment call",
     "The web hook's URL names one Segment call (/v1/identify, /v1/track, ...) and the "
     "template sends fields of another (event to identify, traits to track): Segment "
     "ignores them.",
     Severity::warning},
    {"message-id", "No stable messageId",
     "Kratos retries a web hook that fails; Segment drops a repeated message only by its "
     "messageId. Derive one from the flow, e.g. messageId: 'ory-' + ctx.flow.id.",
     Severity::warning},
    {"lint-disable", "A disable comment that names no rule",
     "An ory-segment: disable=RULE comment names a rule lint does not have, so it turns "
     "nothing off. Check the id against the rules lint --help lists.",
     Severity::warning},
    // Configs.
    {"config-shape", "Something Kratos cannot read where hooks go",
     "A hook list that is not a list, a hook that is not an object, or a method list under "
     "a name Kratos does not know: Kratos refuses the config or never runs those hooks.",
     Severity::error},
    {"no-segment-hook", "No web_hook calls Segment",
     "The config has no web_hook whose URL is Segment's (api.segment.io, "
     "events.eu1.segmentapis.com) or names a Segment call (/v1/identify, ...): Kratos sends "
     "nothing to Segment. Install one with ory-segment patch.",
     Severity::warning},
    {"hook-unknown", "A hook Kratos does not know",
     "Kratos knows session, revoke_active_sessions, web_hook, require_verified_address, "
     "show_verification_ui and verification; Ory Network also b2b_sso and organization; "
     "Kratos master (--kratos network) also verify_new_address and "
     "notify_previous_addresses, which v26.2.0's config schema refuses.",
     Severity::error},
    {"kratos-version", "The config names another Kratos than --kratos",
     "The config's version key names a Kratos release other than the one --kratos models: "
     "the hook table is the profile's. Give --kratos for the Kratos that runs the config.",
     Severity::note},
    {"hook-not-here", "A hook that does nothing at its hook point",
     "Kratos skips hooks that have no effect at a hook point (session in login, a web_hook "
     "with response.parse after recovery, ...).",
     Severity::warning},
    {"web-hook-never-runs", "A web_hook that never runs",
     "Kratos runs a flow's global after-list for a method only when the method's own list "
     "is empty: a web_hook in a global list that every method shadows never runs. Put it in "
     "the methods' own lists (ory-segment patch --hook FLOW.after.METHOD).",
     Severity::error},
    {"web-hook-some-methods", "A web_hook that runs for some methods only",
     "The web_hook is in a global after-list, and some methods have their own lists: for "
     "those, Kratos never runs it. Add it to their lists too (ory-segment patch --hook).",
     Severity::warning},
    {"parse-in-global-list", "response.parse in a global after-list",
     "In registration and settings, hooks with response.parse (or can_interrupt) run "
     "before the identity is saved, from the method's own list only: Kratos has no global "
     "fallback for them, so one in a global list never runs.",
     Severity::error},
    {"session-before-web-hook", "session before a web_hook",
     "Kratos since v1.2.0 moves session last itself; older versions ended the flow at session "
     "for API clients, so the hooks after it did not run.",
     Severity::note},
    {"response-ignore", "A Segment call without response.ignore",
     "Without response.ignore, every sign-up waits for Segment (3 attempts of up to 30 s) "
     "and fails when Segment does. Analytics calls should set response.ignore: true.",
     Severity::warning},
    {"hook-duplicate", "The same hook twice in a list",
     "Kratos's config schema makes hook lists unique: the config is refused. The same URL "
     "and method twice with other settings is allowed, but sends each event twice.",
     Severity::error},
    {"web-hook-transport", "A web_hook that sends the key in clear, or not by POST",
     "The web_hook calls a host that is not loopback over plain http (the Segment write key "
     "in its Authorization header travels in clear), or calls Segment with a method other "
     "than POST (Segment's Tracking API accepts only POST).",
     Severity::warning},
    {"body-legacy-path", "A body without a scheme",
     "Kratos's schema still allows a body that is a bare file path (deprecated): Kratos reads "
     "it as file://PATH, relative to its own working directory, and logs a warning each time. "
     "Write it as file://PATH.",
     Severity::note},
    {"web-hook-invalid", "A web_hook Kratos's schema refuses",
     "The web_hook's config breaks Kratos's selfServiceWebHook schema (no url or method, an "
     "unknown key, response.ignore with response.parse, a body that cannot be decoded).",
     Severity::error},
    {"body-not-read", "A web_hook body lint cannot read",
     "The body is fetched by Kratos at run time (https://, or a template Ory Network "
     "stored): lint cannot check it. Give the template's file with --jsonnet beside "
     "--config: a stored body that is that file is linted as it.",
     Severity::note},
    {"body-differs", "A stored body that is not the template given",
     "Ory Network stores an uploaded template and names it by its SHA-512; the one stored "
     "in this web_hook is not the --jsonnet template lint was given, so what runs is another "
     "version. Deploy the local one with patch, or download the stored one and lint it.",
     Severity::warning},
    {"body-repeated", "A web_hook body linted once already",
     "The same template runs at the same hook points for the same call in another "
     "web_hook: its findings are reported at the first one, and a fix there fixes both.",
     Severity::note},
};

}  // namespace

const std::vector<LintRule>& lint_rules() {
  static const std::vector<LintRule> rules(std::begin(k_rules), std::end(k_rules));
  return rules;
}

std::vector<std::string> lint_rule_ids() {
  std::vector<std::string> ids;
  for (const auto& rule : lint_rules()) ids.emplace_back(rule.id);
  return ids;
}

bool is_template_rule(const std::string& id) {
  for (const auto& rule : lint_rules()) {
    if (std::string(rule.id) == "config-shape") return false;  // the first config rule
    if (id == rule.id) return true;
  }
  return false;
}

const LintRule* find_lint_rule(const std::string& id) {
  for (const auto& rule : lint_rules()) {
    if (id == rule.id) return &rule;
  }
  return nullptr;
}

Finding legacy_body_finding(const std::string& body, const std::string& location) {
  return {Severity::note, location,
          "a body without a scheme: Kratos reads it as file://" + body +
              " (a relative path from Kratos's working directory; here, from this one) and logs "
              "that bare paths are deprecated",
          "write it as file://" + body, "body-legacy-path"};
}

}  // namespace core
