#include <catch2/catch.hpp>

#include "engine/ctx_usage.hpp"

namespace {

// The usage tree as text: "identity{id,traits{email}}"; "*" for whole, "" for nothing read.
std::string describe(const core::CtxUsage& u) {
  if (u.whole) return "*";
  std::string out;
  for (const auto& [name, sub] : u.fields) {
    if (!out.empty()) out += ",";
    const std::string inner = describe(sub);
    out += name + (inner == "*" ? "" : "{" + inner + "}");
  }
  return out;
}

std::string usage_of(const std::string& source) { return describe(core::ctx_usage(source)); }

}  // namespace

TEST_CASE("ctx_usage: the fields a template reads, by name") {
  CHECK(usage_of("function(ctx) {\n"
                 "  userId: ctx.identity.id,\n"
                 "  traits: {\n"
                 "    email: ctx.identity.traits.email,\n"
                 "    name: ctx.identity.traits.name,\n"
                 "    newsletterConsent: ctx.identity.traits.consent.newsletter,\n"
                 "  },\n"
                 "}\n") == "identity{id,traits{consent{newsletter},email,name}}");
  CHECK(usage_of("function(ctx) ctx['identity'][\"traits\"] . /* c */ email") ==
        "identity{traits{email}}");
  CHECK(usage_of("function(ctx) ctx.identity.verifiable_addresses[0].value") ==
        "identity{verifiable_addresses}");
  CHECK(usage_of("function(ctx) std.get(ctx.identity.traits, 'email', null)") ==
        "identity{traits}");
  CHECK(usage_of("function(ctx) [ctx.identity.id, ctx.identity]") == "identity");
  CHECK(usage_of("function(ctx) [ctx.identity, ctx.identity.id]") == "identity");
  CHECK(usage_of("function(ctx, x=ctx.identity.id) x") == "identity{id}");
  CHECK(usage_of("function(ctx) { a: ctx.flow.id, b: ctx.request_headers['User-Agent'] }") ==
        "flow{id},request_headers{User-Agent}");
}

TEST_CASE("ctx_usage: names that are not the context do not count") {
  // Parameters, binders, argument names, field names and strings and comments.
  CHECK(usage_of("function(ctx) { ctx: 1, x: { ctx+: 2 }, 'y': self.ctx }") == "");
  CHECK(usage_of("local f(a, ctx) = a; function(ctx) f(1, ctx=2)") == "");
  CHECK(usage_of("local ctx = 1, g(ctx) = 2; function(ctx) { a: [1 for ctx in [2]] }") == "");
  CHECK(usage_of("function(ctx) // ctx\n # ctx\n /* ctx */ { a: 'ctx', b: \"ctx\", "
                 "c: @'ctx', d: @\"c\"\"tx\", e: ctx.identity.id }") == "identity{id}");
  // A text block ends at the first line with less indentation; `|||` inside it is text.
  CHECK(usage_of("function(ctx) { a: |||\n"
                 "    ctx\n"
                 "\n"
                 "      ||| ctx 'ctx\n"
                 "  |||, b: ctx.identity.id }") == "identity{id}");
}

TEST_CASE("ctx_usage: anything it cannot follow counts the whole context") {
  CHECK(usage_of("function(ctx) ctx") == "*");
  CHECK(usage_of("function(ctx) std.toString(ctx)") == "*");
  CHECK(usage_of("function(ctx) local c = ctx; c.identity.id") == "*");
  CHECK(usage_of("local f(c) = c.identity.id; function(ctx) f(ctx)") == "*");
  CHECK(usage_of("function(ctx) ctx['iden' + 'tity']") == "*");
  CHECK(usage_of("function(ctx) ctx.identity['tr\\u0061its']") == "identity");
  CHECK(usage_of("function(ctx) ctx.identity[|||\n  traits\n|||]") == "identity");
  // A method (its parameter looks like an argument) and a loop variable: assumed read.
  CHECK(usage_of("function(ctx) { m(ctx): 1 }") == "*");
  CHECK(usage_of("function(ctx) [ctx for ctx in [1]]") == "*");
  // What does not lex or balance.
  CHECK(usage_of("function(ctx) 'unterminated") == "*");
  CHECK(usage_of("function(ctx) /* unterminated ctx.identity.id") == "*");
  CHECK(usage_of("function(ctx) ctx.identity.id + (1") == "*");
  CHECK(usage_of("function(ctx) ctx.identity.id + ]") == "*");
  CHECK(usage_of("function(ctx) \xc3\xa9 + ctx.identity.id") == "*");
  CHECK(usage_of("function(ctx) |||\nno indent\n|||") == "*");
  CHECK(usage_of("function(ctx) |||\n  unterminated ctx") == "*");
}

TEST_CASE("ctx_usage: prune keeps what is read, whole where it is read whole") {
  const core::Json ctx = core::Json::parse(R"({
    "flow": {"id": "f", "type": "browser", "ui": {"nodes": [1, 2, 3]}},
    "identity": {"id": "i", "traits": {"email": "e", "name": {"first": "A"}},
                 "verifiable_addresses": [{"value": "e"}], "metadata_public": null},
    "request_url": "https://example.com"
  })");
  const auto usage = core::ctx_usage(
      "function(ctx) [ctx.identity.traits.name, ctx.identity.traits.missing, "
      "ctx.identity.metadata_public.plan, ctx.identity.id.x, ctx.flow.type]");
  CHECK(core::prune(ctx, usage).dump() ==
        R"({"flow":{"type":"browser"},"identity":{"id":"i","metadata_public":null,)"
        R"("traits":{"name":{"first":"A"}}}})");
  CHECK(core::prune(ctx, core::ctx_usage("function(ctx) ctx")) == ctx);
  CHECK(core::prune(ctx, core::ctx_usage("function(ctx) 1")).dump() == "{}");
}

TEST_CASE("ctx_usage: with_fast_cancel rewrites literal cancels in place, and nothing else") {
  const std::string source =
      "function(ctx) if ctx.identity.traits.x then error \"cancel: x\" else\n"
      "  [error'cancel', error 'cancel' + 'y', error @'cancel', error\n'cancel', error 'stop']\n";
  const auto fast = core::with_fast_cancel(source, "std.__osc");
  REQUIRE(fast);
  CHECK(
      fast->source ==
      "function(ctx) if ctx.identity.traits.x then std.__osc(0)      else\n"
      "  [std.__osc(1) , error 'cancel' + 'y', std.__osc(2)   , error\n'cancel', error 'stop']\n");
  CHECK(fast->source.size() == source.size());
  REQUIRE(fast->sites.size() == 3);
  CHECK(source.substr(fast->sites[0].offset, 5) == "error");
  CHECK(fast->sites[0].message == "cancel: x");
  CHECK(fast->sites[1].message == "cancel");
  CHECK(fast->sites[2].message == "cancel");
  // Not provably the library's std, or the name taken, or nothing to do.
  CHECK_FALSE(core::with_fast_cancel("local std = {}; error 'cancel'", "std.__osc"));
  CHECK_FALSE(core::with_fast_cancel("function(ctx, std=1) error 'cancel'", "std.__osc"));
  CHECK_FALSE(core::with_fast_cancel("local s = std; error 'cancel'", "std.__osc"));
  CHECK_FALSE(core::with_fast_cancel("local __osc = 1; error 'cancel'", "std.__osc"));
  CHECK_FALSE(core::with_fast_cancel("function(ctx) error 'no'", "std.__osc"));
  // Not a cancel in Kratos: the message must start with it.
  CHECK_FALSE(core::with_fast_cancel("function(ctx) error 'please cancel'", "std.__osc"));
  CHECK_FALSE(core::with_fast_cancel("function(ctx) error 'cancel", "std.__osc"));
}

TEST_CASE("ctx_usage: single_site_lookups are the fields looked up at exactly one place") {
  const std::string source =
      "function(ctx) {\n"
      "  id: ctx.identity.id, a: ctx.identity.traits.name.first,\n"
      "  b: ctx['identity'].traits.email, c: std.get(ctx.identity.metadata_public, 'p', 1),\n"
      "  d: ctx.flow.id, e: ctx.flow.id }\n";
  std::vector<std::string> found;
  for (const auto& l : core::single_site_lookups(source)) {
    std::string path;
    for (const auto& p : l.path) path += (path.empty() ? "" : ".") + p;
    found.push_back(path + " " + source.substr(l.begin, l.end - l.begin));
  }
  // identity and identity.traits have several sites; metadata_public is read whole (so a
  // field under it is observed without a lookup); flow.id is looked up twice.
  CHECK(found == std::vector<std::string>{
                     "identity.id ctx.identity.id",
                     "identity.traits.name ctx.identity.traits.name",
                     "identity.traits.name.first ctx.identity.traits.name.first",
                     "identity.traits.email ctx['identity'].traits.email",
                     "identity.metadata_public ctx.identity.metadata_public",
                 });
  // ctx read whole, or a source that does not lex: nothing.
  CHECK(core::single_site_lookups("function(ctx) { all: ctx, n: ctx.identity.id }").empty());
  CHECK(core::single_site_lookups("function(ctx) ctx.identity.id + '").empty());
}
