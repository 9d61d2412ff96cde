#include "pool/worker_driver.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/go_std.hpp"
#include "engine/transform.hpp"

namespace core {
namespace {

// The rest of the chain below lookups[i], as a Jsonnet object with null at its end
// (`{"newsletter": null}`); empty when nothing below it is looked up.
std::string tail_below(const std::vector<CtxLookup>& lookups, std::size_t i) {
  const auto& path = lookups[i].path;
  const std::vector<std::string>* deepest = &path;
  for (const auto& l : lookups) {
    if (l.path.size() > deepest->size() && std::equal(path.begin(), path.end(), l.path.begin())) {
      deepest = &l.path;
    }
  }
  std::string out;
  for (std::size_t d = path.size(); d < deepest->size(); ++d) {
    out += "{" + nlohmann::json((*deepest)[d]).dump() + ": ";
  }
  if (out.empty()) return out;
  return out + "null" + std::string(deepest->size() - path.size(), '}');
}

}  // namespace

// What the helper evaluates once: load and force the template, then hand over to
// ory_segment_next, which in the helper serves requests and in each forked child returns
// how many contexts that child evaluates. The child fetches each context as it reaches it
// (ory_segment_item), and hands each result to ory_segment_emit as soon as it has it, so a
// failure loses nothing before it and costs nothing after it. ory_segment_done writes the
// results and exits: libjsonnet's teardown of everything it loaded (tens of milliseconds
// of copy-on-write) is skipped. `'' + [v]` is libjsonnet's own manifester on one line: the
// value Kratos's manifest prints, re-indented by the pool.
//
// `lookups` (single_site_lookups), numbered from `first_site`: a context that lacks one of
// those fields gets it, with a body that records libjsonnet's `field does not exist` for
// that site (ory_segment_absent) and gives null. The template observes the field only by
// that lookup, so the record is made exactly when libjsonnet would have thrown, and the
// child goes on to the next context instead of unwinding.
//
// An absent object the chain goes on to look into (`consent` of
// `ctx.identity.traits.consent.newsletter`) gives, once recorded, an object holding the rest
// of that chain with null at its end: no lookup after the record throws, so such an
// identity costs no new child either. The field is looked up at one place only, so what lies
// under it is read by that one chain, whose other steps are the lookups below it.
std::string helper_code(const std::vector<CtxLookup>& lookups, std::size_t first_site) {
  // The template reaches std through go_std's import, which libjsonnet evaluates once and
  // caches: forced here, it is loaded before the children are forked, not in each of them.
  std::string code = "local t = " + template_import_expression() + ", go_std = import '" +
                     go_std_import_key() +
                     "';\n"
                     "local n = if std.type(go_std) == '' || std.type(t) == '' then null\n"
                     "          else std.native('ory_segment_next')();\n"
                     "if n == null then null else\n"
                     "local item = std.native('ory_segment_item'), emit = "
                     "std.native('ory_segment_emit');\n"
                     "local call(c) = if std.type(t) == 'function' then t(ctx=c) else t;\n";
  if (lookups.empty()) {
    code += "local context(k) = std.parseJson(item(k));\n";
  } else {
    code +=
        "local absent = std.native('ory_segment_absent'), "
        "absent_ids = std.native('ory_segment_absent_ids'), "
        "has_absent = std.native('ory_segment_has_absent');\n"
        // Records, then gives the rest of the chain (forced here, not when it is read).
        "local absent_under(n, rest) = assert std.primitiveEquals(absent(n), null); rest;\n"
        "local patches = [\n";
    for (std::size_t i = 0; i < lookups.size(); ++i) {
      const auto& path = lookups[i].path;
      // {"identity"+: {"traits"+: {"name": absent(N)}}}
      code += "  ";
      for (std::size_t d = 0; d < path.size(); ++d) {
        code += "{" + nlohmann::json(path[d]).dump();
        code += d + 1 == path.size() ? ": " : "+: ";
      }
      const std::string site = std::to_string(first_site + i), rest = tail_below(lookups, i);
      if (rest.empty()) {
        code.append("absent(").append(site).append(")");
      } else {
        code.append("absent_under(").append(site).append(", ").append(rest).append(")");
      }
      code += std::string(path.size(), '}');
      code += ",\n";
    }
    code +=
        "];\n"
        // No comparison (`==` is std.equals, in Jsonnet): most contexts lack nothing.
        "local context(k) = local c = std.parseJson(item(k));\n"
        "  if !has_absent(k) then c else std.foldl(function(o, i) o + patches[i], absent_ids(k), "
        "c);\n";
  }
  code +=
      // One context after another (foldl's tail call forces each step in order).
      "local step(done, k) = emit('' + [call(context(k))]);\n"
      "std.native('ory_segment_done')(std.foldl(step, std.range(0, n - 1), true))\n";
  return code;
}

}  // namespace core
