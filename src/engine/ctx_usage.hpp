#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core {

using Json = nlohmann::ordered_json;

// Which parts of `ctx` a template can observe, as a tree of field names: a node that is
// `whole` is read as a value (everything under it counts); otherwise only the children
// listed are indexed, by literal name. The root is ctx itself.
struct CtxUsage {
  bool whole = false;
  std::map<std::string, CtxUsage> fields;
};

// One use of `ctx` that can refer to the value, and the literal lookups that follow it
// (`.name`, `["name"]`), each with the offset just past it.
struct CtxChain {
  std::size_t begin = 0;  // of `ctx`
  std::vector<std::pair<std::string, std::size_t>> steps;
};
// Every such use in `source`, in order; nullopt when it does not lex.
std::optional<std::vector<CtxChain>> ctx_chains(std::string_view source);

// A sound over-approximation from the template's tokens: every occurrence of the name
// `ctx` that can refer to the value (not a parameter, a binder, a field name or an
// argument name) is followed through its chain of `.name` and `["name"]` lookups, and the
// value it reaches is read whole. Whatever does not lex the way it should, or any bare
// use of `ctx`, makes the whole context count.
CtxUsage ctx_usage(std::string_view source);

// A field of ctx the template can observe only by looking it up at one place in its source:
// every object on the way is reached only by literal lookups (`.name`, `["name"]`), and one
// chain of them reads `path`. So when the field is absent, the template's first sign of it
// is libjsonnet's `field does not exist: NAME` at [begin, end) (from `ctx` to the end of the
// lookup), at the moment that lookup runs, whatever the rest of the template does.
struct CtxLookup {
  std::vector<std::string> path;  // from ctx, e.g. identity, traits, name
  std::size_t begin = 0, end = 0;
};
// Every such field, in source order; none when the source does not lex.
std::vector<CtxLookup> single_site_lookups(std::string_view source);

// `source` with each `error "cancel..."` (a cancel by Kratos's rule, is_cancel) whose argument is
// one plain string literal replaced, in place and padded to the same length (so every line and
// column stays), by `FUNCTION(I)`, I the site's index: a call that reports the cancel without
// libjsonnet's costly error path. nullopt when there is no such site or the rewrite cannot be
// proven safe (`std` rebound or used other than as `std.`, FUNCTION's name already in the source,
// anything that does not lex). FUNCTION is `std.NAME`.
struct FastCancel {
  struct Site {
    std::size_t offset;   // of `error` in the source
    std::string message;  // the literal: the error's message
  };
  std::string source;
  std::vector<Site> sites;
};
std::optional<FastCancel> with_fast_cancel(std::string_view source, std::string_view function);

// `value` with only the parts `usage` can observe: an object keeps the fields `usage`
// names (recursively); a value read whole, and any non-object, is kept as it is. A
// template gives the same result, error or output, on the pruned ctx as on the full one.
Json prune(const Json& value, const CtxUsage& usage);

}  // namespace core
