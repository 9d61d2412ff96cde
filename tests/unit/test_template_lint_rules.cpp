// lint's template rules, one test case each: the exact findings (severity, rule id,
// FILE:LINE:COL) a template that breaks the rule gets, and none for its fix.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "lint/lint_rules.hpp"
#include "lint/template_lint.hpp"

namespace {

// "SEVERITY RULE LOCATION" of each finding but notes, in the order lint gives them.
std::vector<std::string> lint(const std::string& source,
                              const core::TemplateLintOptions& options = {}) {
  std::vector<std::string> out;
  for (const auto& f : core::lint_template(source, "t.jsonnet", options)) {
    if (f.severity == core::Severity::note) continue;
    CHECK(core::find_lint_rule(f.rule) != nullptr);  // every rule is in the catalogue
    out.push_back(std::string(core::severity_name(f.severity)) + " " + f.rule + " " + f.location);
  }
  return out;
}

// The first finding of `rule`, for its message and fix.
core::Finding first(const std::string& source, const std::string& rule,
                    const core::TemplateLintOptions& options = {}) {
  for (const auto& f : core::lint_template(source, "t.jsonnet", options)) {
    if (f.rule == rule) return f;
  }
  FAIL("no " + rule + " finding");
  return {};
}

using Lines = std::vector<std::string>;

const core::Json k_schema = core::Json::parse(R"({
  "properties": {"traits": {
    "type": "object",
    "required": ["email"],
    "additionalProperties": false,
    "properties": {
      "email": {"type": "string"},
      "name": {"type": "string"},
      "phone": {"type": "string"}
    }}}})");

}  // namespace

TEST_CASE("template rule template-load: a template that does not parse") {
  CHECK(lint("function(ctx) {\n  userId: ,\n}\n") == Lines{"error template-load t.jsonnet:2:11"});
}

TEST_CASE("template rule template-call: a function Kratos cannot call with ctx") {
  CHECK(lint("function(x) {\n  userId: x.identity.id,\n  messageId: 'm',\n}\n") ==
        Lines{"error template-call t.jsonnet"});
  CHECK(lint("function(ctx) {\n  userId: ctx.identity.id,\n  messageId: 'm',\n}\n").empty());
}

TEST_CASE("template rule ctx-ext-var: ctx read as an external variable") {
  CHECK(lint("local ctx = std.extVar('ctx');\n{ userId: ctx.identity.id, messageId: 'm' }\n") ==
        Lines{"error ctx-ext-var t.jsonnet:1:13"});
  CHECK(first("local ctx = std.extVar(\"ctx\");\n{ userId: 'u' }\n", "ctx-ext-var").hint ==
        "write the template as function(ctx) { ... } and read ctx there");
}

TEST_CASE("template rule metadata-unguarded: metadata_public read without a guard") {
  const std::string bad =
      "function(ctx) {\n  userId: ctx.identity.id,\n  messageId: 'm',\n"
      "  traits: { plan: ctx.identity.metadata_public.plan },\n}\n";
  // The built-in sample identity has no metadata_public: the sample run fails there too.
  CHECK(lint(bad) ==
        Lines{"warning metadata-unguarded t.jsonnet:4:19", "error sample-fails t.jsonnet:4:19"});
  // metadata_public is null for an identity without it: a guard must test that first.
  CHECK(lint("function(ctx) {\n  userId: ctx.identity.id,\n  messageId: 'm',\n"
             "  traits: { plan: if std.isObject(ctx.identity.metadata_public) && 'plan' in "
             "ctx.identity.metadata_public then ctx.identity.metadata_public.plan else null },\n"
             "}\n")
            .empty());
}

TEST_CASE("template rule ctx-field-at-hook: a ctx field the hook point does not have") {
  core::TemplateLintOptions options;
  std::string err;
  options.hooks = {*core::parse_hook_point("registration.before", &err)};
  CHECK(lint("function(ctx) {\n  userId: ctx.identity.id,\n  messageId: ctx.flow.id,\n}\n",
             options) == Lines{"error ctx-field-at-hook t.jsonnet:2:11"});
  const auto f = first("function(ctx) { userId: ctx.identity.id }\n", "ctx-field-at-hook", options);
  CHECK(f.message ==
        "ctx.identity does not exist at registration.before: the lookup fails the hook there");
}

TEST_CASE("template rule header-unguarded and header-not-forwarded: request headers") {
  const std::string source =
      "function(ctx) {\n  userId: ctx.identity.id,\n  messageId: 'm',\n"
      "  context: { userAgent: ctx.request_headers['User-Agent'] },\n"
      "  traits: { c: ctx.request_headers.Cookie },\n}\n";
  CHECK(lint(source) == Lines{"warning header-unguarded t.jsonnet:4:25",
                              "error header-not-forwarded t.jsonnet:5:16"});
  // On the project's own allowlist, Cookie is passed: then it is only unguarded.
  core::TemplateLintOptions options;
  options.header_allowlist = {"User-Agent", "Cookie"};
  CHECK(lint(source, options) == Lines{"warning header-unguarded t.jsonnet:4:25",
                                       "warning header-unguarded t.jsonnet:5:16"});
  CHECK(lint("function(ctx) {\n  userId: ctx.identity.id,\n  messageId: 'm',\n"
             "  context: { userAgent: std.get(ctx.request_headers, 'User-Agent', null) },\n}\n")
            .empty());
}

TEST_CASE("template rule trait-type: a field read below a scalar trait") {
  core::TemplateLintOptions options;
  options.schema = &k_schema;
  CHECK(lint("function(ctx) {\n  userId: ctx.identity.id,\n  messageId: 'm',\n"
             "  traits: { first: if 'name' in ctx.identity.traits then "
             "ctx.identity.traits.name.first else null },\n}\n",
             options) == Lines{"warning trait-type t.jsonnet:4:58",
                               // the sample identity fills name in: the lookup fails there
                               "error sample-fails t.jsonnet:4:58"});
}

TEST_CASE("template rule trait-unknown: a trait the schema does not have") {
  core::TemplateLintOptions options;
  options.schema = &k_schema;
  CHECK(lint("function(ctx) {\n  userId: ctx.identity.id,\n  messageId: 'm',\n"
             "  traits: { nick: ctx.identity.traits.nickname },\n}\n",
             options) == Lines{"error trait-unknown t.jsonnet:4:19"});
}

TEST_CASE("template rule trait-unguarded: an optional trait read without a guard") {
  const std::string source =
      "function(ctx) {\n  userId: ctx.identity.id,\n  messageId: 'm',\n"
      "  traits: { name: ctx.identity.traits.email, phone: ctx.identity.traits.phone },\n}\n";
  // Without a schema, anything but email looks optional: a warning (and the built-in sample
  // identity, which has no phone, fails there).
  CHECK(lint(source) ==
        Lines{"warning trait-unguarded t.jsonnet:4:53", "error sample-fails t.jsonnet:4:53"});
  // With one that does not require it: an error.
  core::TemplateLintOptions options;
  options.schema = &k_schema;
  CHECK(lint(source, options) == Lines{"error trait-unguarded t.jsonnet:4:53"});
  CHECK(first(source, "trait-unguarded", options).hint ==
        "read it defensively: use std.get(ctx.identity.traits, 'phone', null), or test 'phone' "
        "in ctx.identity.traits first");
  // Guarded, by std.objectHas, `in` or std.get: clean.
  for (const char* guarded :
       {"if std.objectHas(ctx.identity.traits, 'phone') then ctx.identity.traits.phone",
        "if std.objectHasEx(ctx.identity.traits, 'phone', true) then ctx.identity.traits.phone",
        "if 'phone' in ctx.identity.traits then ctx.identity.traits.phone",
        "std.get(ctx.identity.traits, 'phone', null)"}) {
    CAPTURE(guarded);
    CHECK(lint("function(ctx) {\n  userId: ctx.identity.id,\n  messageId: 'm',\n  traits: { "
               "phone: " +
                   std::string(guarded) + " },\n}\n",
               options)
              .empty());
  }
}

TEST_CASE("template rule sample-fails: the sample identity makes the template fail") {
  CHECK(lint("function(ctx) {\n  userId: std.parseInt('x' + ctx.identity.id),\n  messageId: "
             "'m',\n}\n") == Lines{"error sample-fails t.jsonnet:2:11"});
}

TEST_CASE("template rule sample-fails: a user without the optional traits makes it fail") {
  const std::string get_then_lookup =
      "function(ctx) {\n  userId: ctx.identity.id,\n  messageId: 'm',\n  traits: { n: "
      "std.get(ctx.identity.traits, 'consent', null).newsletter },\n}\n";
  CHECK(lint(get_then_lookup) == Lines{"warning sample-fails t.jsonnet:4:16"});
  core::TemplateLintOptions options;
  options.schema = &k_schema;
  CHECK(lint(get_then_lookup, options) == Lines{"error sample-fails t.jsonnet:4:16"});
  CHECK(lint("function(ctx) {\n  userId: ctx.identity.id,\n  messageId: 'm',\n  traits: { n: "
             "std.get(std.get(ctx.identity.traits, 'consent', {}), 'newsletter', null) },\n}\n",
             options)
            .empty());
}

TEST_CASE("template rule lint-disable: a comment turning off a rule lint does not have") {
  const std::string source =
      "function(ctx) {\n  userId: ctx.identity.id,  // ory-segment: disable=message-ld\n}\n";
  CHECK(lint(source) ==
        Lines{"warning message-id t.jsonnet", "warning lint-disable t.jsonnet:2:32"});
  CHECK(first(source, "lint-disable").hint.rfind("did you mean 'message-id'?", 0) == 0);
  // The rule it meant, turned off for the whole template by a comment before the code.
  CHECK(lint("# ory-segment: disable=message-id\nfunction(ctx) {\n  userId: ctx.identity.id,\n}\n")
            .empty());
}

TEST_CASE("template rule segment-message: what it sends breaks Segment's rules for the call") {
  core::TemplateLintOptions options;
  options.call = core::SegmentCall::track;
  CHECK(lint("function(ctx) {\n  userId: ctx.identity.id,\n  messageId: 'm',\n}\n", options) ==
        Lines{"error segment-message t.jsonnet"});
  CHECK(lint("function(ctx) {\n  userId: ctx.identity.id,\n  messageId: 'm',\n"
             "  event: 'Signed Up',\n}\n",
             options)
            .empty());
}

TEST_CASE("template rule message-id: no messageId") {
  CHECK(lint("function(ctx) {\n  userId: ctx.identity.id,\n}\n") ==
        Lines{"warning message-id t.jsonnet"});
}

TEST_CASE("template rule segment-call-mismatch: a field of another call") {
  CHECK(lint("function(ctx) {\n  userId: ctx.identity.id,\n  messageId: 'm',\n"
             "  event: 'Signed Up',\n}\n") == Lines{"warning segment-call-mismatch t.jsonnet"});
}

TEST_CASE("template rules: each template rule of the catalogue has a test case here") {
  // The catalogue lists the template rules first, up to the first config rule.
  std::set<std::string> catalogue;
  for (const auto& rule : core::lint_rules()) {
    if (std::string(rule.id) == "config-shape") break;
    catalogue.insert(rule.id);
  }
  // The rule ids the test cases above test: a template rule added without one fails here.
  const std::set<std::string> tested = {
      "template-load",     "template-call",         "ctx-ext-var",          "metadata-unguarded",
      "ctx-field-at-hook", "header-unguarded",      "header-not-forwarded", "trait-type",
      "trait-unknown",     "trait-unguarded",       "sample-fails",         "segment-message",
      "message-id",        "segment-call-mismatch", "lint-disable"};
  CHECK(catalogue == tested);
}
