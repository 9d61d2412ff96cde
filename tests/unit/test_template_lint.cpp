#include <catch2/catch.hpp>

#include "lint/template_lint.hpp"

namespace {

std::vector<std::string> lines(const std::vector<core::Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) {
    if (f.severity != core::Severity::note) out.push_back(core::to_line(f));
  }
  return out;
}

}  // namespace

TEST_CASE("template_lint: nested traits against the schema, level by level") {
  const core::Json schema = core::Json::parse(R"({
    "properties": {"traits": {
      "type": "object",
      "required": ["email", "name"],
      "additionalProperties": false,
      "properties": {
        "email": {"type": "string"},
        "name": {"type": "object", "required": ["first"],
                 "properties": {"first": {"type": "string"}, "last": {"type": "string"}}},
        "phone": {"type": "string"},
        "extra": {"type": "object"}
      }}}})");
  core::TemplateLintOptions options;
  options.schema = &schema;
  const auto found = lines(core::lint_template(
      "function(ctx) {\n"
      "  userId: ctx.identity.id,\n"
      "  a: ctx.identity.traits.name.first,\n"      // required all the way: fine
      "  b: ctx.identity.traits.name.last,\n"       // optional under a required object
      "  c: ctx.identity.traits.phone,\n"           // optional
      "  d: ctx.identity.traits.nickname,\n"        // not in the schema, which is closed
      "  e: ctx.identity.traits.extra.anything,\n"  // optional, and not described below
      "  f: if 'phone' in ctx.identity.traits then ctx.identity.traits.phone else null,\n"
      "}\n",
      "t.jsonnet", options));
  CHECK(found == std::vector<std::string>{
                     "error: t.jsonnet:4:6: trait 'name.last' is optional in the identity schema "
                     "and read without a guard: the hook fails for every identity without it",
                     "error: t.jsonnet:5:6: trait 'phone' is optional in the identity schema and "
                     "read without a guard: the hook fails for every identity without it",
                     "error: t.jsonnet:6:6: the identity schema has no trait 'nickname': the "
                     "lookup fails the hook",
                     "error: t.jsonnet:7:6: trait 'extra' is optional in the identity schema and "
                     "read without a guard: the hook fails for every identity without it",
                 });
}

TEST_CASE("template_lint: a template that does not load is that one error") {
  const auto found =
      core::lint_template("function(ctx) {\n  a: ,\n}\n", "t.jsonnet", core::TemplateLintOptions{});
  REQUIRE(found.size() == 1);
  CHECK(core::to_line(found[0]) ==
        "error: t.jsonnet:2:6: unexpected: \",\" while parsing terminal");
}

TEST_CASE("template_lint: a guard is code, not a comment or a string that reads like one") {
  const core::Json schema = core::Json::parse(R"({
    "properties": {"traits": {"type": "object", "required": ["email"],
      "properties": {"email": {"type": "string"}, "phone": {"type": "string"}}}}})");
  core::TemplateLintOptions options;
  options.schema = &schema;
  const auto found = lines(core::lint_template(
      "function(ctx) {\n"
      "  userId: ctx.identity.id,\n"
      "  // if std.objectHas(ctx.identity.traits, 'phone') then\n"
      "  a: ctx.identity.traits.phone,\n"
      "  b: \"'phone' in ctx.identity.traits\" + ctx.identity.traits.phone,\n"
      "  c: if std.objectHas(ctx.identity.traits, 'phone') then ctx.identity.traits.phone,\n"
      "  d: std.extVar('ctx') // std.extVar('ctx')\n"
      "}\n",
      "t.jsonnet", options));
  CHECK(found == std::vector<std::string>{
                     "error: t.jsonnet:4:6: trait 'phone' is optional in the identity schema and "
                     "read without a guard: the hook fails for every identity without it",
                     "error: t.jsonnet:5:41: trait 'phone' is optional in the identity schema and "
                     "read without a guard: the hook fails for every identity without it",
                     "error: t.jsonnet:7:6: std.extVar('ctx') fails the hook: Kratos passes ctx as "
                     "the template's top-level argument, not as an external variable",
                 });
}
