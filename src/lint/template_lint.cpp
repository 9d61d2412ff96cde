#include "lint/template_lint.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <tuple>

#include "engine/ctx_usage.hpp"
#include "engine/jsonnet_lexer.hpp"
#include "engine/transform.hpp"
#include "kratos/identity_schema.hpp"
#include "kratos/kratos_context.hpp"
#include "kratos/schema_reader.hpp"
#include "lint/suppressions.hpp"
#include "lint/template_guards.hpp"
#include "segment/segment_message.hpp"

namespace core {
namespace {

class Linter {
 public:
  Linter(std::string_view source, const std::string& name, const TemplateLintOptions& options)
      : m_source(source), m_tokens(lex_jsonnet(source).tokens), m_name(name), m_options(options) {
    if (options.schema) {
      // $refs followed and allOf merged (a schema the reader refuses is read as it is: the
      // CLI refuses it before this).
      std::vector<std::string> notes;
      std::string err;
      if (!read_identity_schema(*options.schema, &m_schema_read, &notes, &err)) {
        m_schema_read = *options.schema;
      }
      m_schema = &m_schema_read;
    }
  }

  std::vector<Finding> run() {
    ext_var();
    if (const auto chains = ctx_chains(m_source)) {
      for (const CtxChain& chain : *chains) lookups(chain);
    }
    // The check and the sample run in one evaluation.
    const CheckedEvaluation c = evaluate_checked(m_source, m_name, sample_ctx().dump());
    if (c.check.error) {  // nothing else means much then
      Finding f = *c.check.error;
      f.rule = "template-load";
      return {f};
    }
    if (c.check.call_error) {
      Finding f = *c.check.call_error;
      f.severity = Severity::error;
      f.rule = "template-call";
      m_findings.push_back(f);
    }
    for (Finding w : c.check.warnings) {
      w.rule = "template-load";
      m_findings.push_back(w);
    }
    if (!c.check.call_error) output(c.evaluation);
    if (!c.check.call_error && c.evaluation.status == EvalStatus::ok) without_optional_traits();
    return sorted();
  }

 private:
  void add(const char* rule, Severity s, std::size_t offset, std::string message,
           std::string hint) {
    const std::string where = source_location(m_name, m_source, offset);
    for (const auto& f : m_findings) {
      if (f.location == where && f.message == message) return;
    }
    m_findings.push_back(Finding{s, where, std::move(message), std::move(hint), rule});
  }

  void ext_var() {
    const auto& t = m_tokens;
    for (std::size_t i = 0; i + 5 < t.size(); ++i) {
      if (is_token(t[i], TokenKind::ident, "std") && is_token(t[i + 1], TokenKind::symbol, ".") &&
          is_token(t[i + 2], TokenKind::ident, "extVar") &&
          is_token(t[i + 3], TokenKind::symbol, "(") && t[i + 4].kind == TokenKind::string &&
          t[i + 4].plain && t[i + 4].text == "ctx" && is_token(t[i + 5], TokenKind::symbol, ")")) {
        add("ctx-ext-var", Severity::error, t[i].begin,
            "std.extVar('ctx') fails the hook: Kratos passes ctx as the template's top-level "
            "argument, not as an external variable",
            "write the template as function(ctx) { ... } and read ctx there");
      }
    }
  }

  // The text of the chain up to (not including) step `i`: the object a field is read from.
  std::string object_text(const CtxChain& chain, std::size_t i) const {
    const std::size_t end = i == 0 ? chain.begin + 3 : chain.steps[i - 1].second;
    return std::string(m_source.substr(chain.begin, end - chain.begin));
  }

  // The fix for a lookup of step `i` that may be missing: std.get, and for every lookup after
  // it too (a default of {} for each level read further), so the fix does not fail one level
  // down: std.get(std.get(ctx.identity.traits, 'consent', {}), 'newsletter', null).
  std::string defensive_hint(const CtxChain& chain, std::size_t i) const {
    const std::string object = object_text(chain, i);
    const std::string& field = chain.steps[i].first;
    if (i + 1 == chain.steps.size()) return std_get_hint(object, field, "read it defensively");
    std::string expr = object;
    for (std::size_t k = i; k < chain.steps.size(); ++k) {
      std::string wrapped = "std.get(";
      wrapped += expr;
      wrapped += ", '" + chain.steps[k].first + "', ";
      wrapped += k + 1 == chain.steps.size() ? "null)" : "{})";
      expr = std::move(wrapped);
    }
    return "read every level defensively: " + expr + ", or test '" + field + "' in " + object +
           " first";
  }

  void lookups(const CtxChain& chain) {
    if (chain.steps.empty()) return;
    const auto& steps = chain.steps;
    hook_field(chain);
    if (steps[0].first == "request_headers" && steps.size() > 1) header(chain);
    // identity.traits.X, session.identity.traits.X, ...; and identity.metadata_public.Y
    for (std::size_t i = 0; i + 1 < steps.size(); ++i) {
      if (steps[i].first != "identity") continue;
      if (steps[i + 1].first == "traits" && i + 2 < steps.size()) trait(chain, i + 2);
      if (steps[i + 1].first == "metadata_public" && i + 2 < steps.size()) {
        const std::string object = object_text(chain, i + 2);
        const std::string field = steps[i + 2].first;
        if (!guarded(m_source, m_tokens, chain.begin, without_blanks(object), field)) {
          add("metadata-unguarded", Severity::warning, chain.begin,
              "metadata_public." + field + " is read without a guard: identities without it (or " +
                  "with no metadata_public at all, where it is null) fail the hook",
              defensive_hint(chain, i + 2));
        }
      }
      break;
    }
  }

  // A lookup on a ctx field that does not exist at a hook point the template runs at: a
  // top-level one (ctx.session at registration.after), or a field of ctx.flow that Kratos
  // sets only at some points (ctx.flow.active) read without a guard.
  void hook_field(const CtxChain& chain) {
    if (m_options.hooks.empty()) return;
    if (m_hook_ctxs.empty()) {
      for (const HookPoint& hook : m_options.hooks) {
        ContextOptions opts;
        opts.hook = hook;
        opts.identity = builtin_sample_identity();
        std::vector<std::string> dropped;
        m_hook_ctxs.push_back(build_context(opts, &dropped));
      }
    }
    std::string field = chain.steps[0].first;
    if (field == "request_headers") return;
    const bool in_flow = field == "flow" && chain.steps.size() > 1 &&
                         chain.steps[1].first != "transient_payload" &&
                         !guarded(m_source, m_tokens, chain.begin,
                                  without_blanks(object_text(chain, 1)), chain.steps[1].first);
    std::string where;
    for (std::size_t i = 0; i < m_hook_ctxs.size(); ++i) {
      const Json& ctx = m_hook_ctxs[i];
      const bool missing = !ctx.contains(field) || (in_flow && ctx[field].is_object() &&
                                                    !ctx[field].contains(chain.steps[1].first));
      if (missing) where += (where.empty() ? "" : ", ") + m_options.hooks[i].name();
    }
    if (where.empty()) return;
    std::string hint =
        "read only what Kratos passes at this hook point (test-identify --print-context shows it)";
    if (in_flow) {
      hint += ", or read it with std.get(ctx.flow, '" + chain.steps[1].first + "')";
      field += "." + chain.steps[1].first;
    }
    add("ctx-field-at-hook", Severity::error, chain.begin,
        "ctx." + field + " does not exist at " + where + ": the lookup fails the hook there", hint);
  }

  void header(const CtxChain& chain) {
    const std::string& field = chain.steps[1].first;
    const std::string canonical = canonical_header_name(field);
    const std::string object = object_text(chain, 1);
    if (guarded(m_source, m_tokens, chain.begin, without_blanks(object), field)) return;
    if (is_allowlisted_header(canonical, m_options.header_allowlist)) {
      m_sample_headers.emplace_back(canonical, "sample");
      add("header-unguarded", Severity::warning, chain.begin,
          "the request header " + canonical +
              " is read without a guard: it is there only when the client sends it, and the "
              "hook fails for every request without it",
          "read it with std.get(" + object + ", '" + field + "', null)");
      return;
    }
    add("header-not-forwarded", Severity::error, chain.begin,
        "Kratos does not pass the request header " + canonical +
            " to templates (it is not on clients.web_hook.header_allowlist): the lookup fails "
            "the hook",
        "add it to clients.web_hook.header_allowlist, or read it with std.get(" + object + ", '" +
            chain.steps[1].first + "', null)");
  }

  // A field lookup below a trait the schema types as a string, number or list.
  void trait_type(const CtxChain& chain, std::size_t first) {
    std::vector<std::string> path;
    for (std::size_t i = first; i < chain.steps.size(); ++i) path.push_back(chain.steps[i].first);
    const TraitInSchema t = trait_in_schema(*m_schema, path, false);
    if (t.scalar_type.empty()) return;
    std::string typed;
    for (std::size_t k = 0; k < t.scalar_depth; ++k) typed += (k ? "." : "") + path[k];
    add("trait-type", Severity::warning, chain.begin,
        "the identity schema makes trait '" + typed + "' a " + t.scalar_type + ": the lookup of '" +
            path[t.scalar_depth] + "' on it fails whenever it is there",
        "read '" + typed + "' itself, or change its type in the schema");
  }

  // The trait path starting at step `first` (after `traits`).
  void trait(const CtxChain& chain, std::size_t first) {
    if (m_schema) trait_type(chain, first);
    std::vector<std::string> path;
    for (std::size_t i = first; i < chain.steps.size(); ++i) {
      path.push_back(chain.steps[i].first);
      const std::string object = object_text(chain, i);
      const std::string& field = chain.steps[i].first;
      const bool is_guarded =
          guarded(m_source, m_tokens, chain.begin, without_blanks(object), field);
      std::string dotted;
      for (const auto& p : path) dotted += (dotted.empty() ? "" : ".") + p;
      if (m_schema) {
        const TraitInSchema t = trait_in_schema(*m_schema, path);
        if (!t.known) return;  // the schema does not describe it: nothing to say
        if (!t.exists) {
          add("trait-unknown", Severity::error, chain.begin,
              "the identity schema has no trait '" + dotted + "': the lookup fails the hook",
              "check the name against the schema's traits");
          return;
        }
        if (t.required) continue;
      } else if (i == first && field == "email") {
        return;  // the identifier trait: there in practice
      }
      if (!is_guarded) {
        // With a schema: it says the trait is optional. Without: it looks optional.
        add("trait-unguarded", m_schema ? Severity::error : Severity::warning, chain.begin,
            "trait '" + dotted +
                (m_schema
                     ? "' is optional in the identity schema and read without a guard: the hook "
                       "fails for every identity without it"
                     : "' is read without a guard: the hook fails for every identity without it "
                       "(an optional trait left empty at sign-up); pass --schema to know"),
            defensive_hint(chain, i));
      }
      return;
    }
  }

  // The ctx for a sample identity (the schema's, every trait filled in, or the built-in one)
  // at the hook point, with the allowlisted headers the template reads.
  Json sample_ctx(SampleShape shape = SampleShape::full) const {
    Json identity = builtin_sample_identity(shape);
    if (m_schema) {
      std::string err;
      Json sampled;
      if (sample_identity(*m_schema, shape, &sampled, &err)) {
        identity = sampled;
      }
    }
    ContextOptions opts;
    if (!m_options.hooks.empty()) opts.hook = m_options.hooks.front();
    opts.identity = identity;
    opts.header_allowlist = m_options.header_allowlist;
    opts.extra_headers = m_sample_headers;  // the allowlisted ones it reads: warned about above
    std::vector<std::string> dropped;
    return build_context(opts, &dropped);
  }

  // A user who left every optional trait empty: the hook must not fail for them either
  // (`std.get(traits, 'consent', null).newsletter` fails only for them). A failure where an
  // unguarded read is reported already is that finding's.
  void without_optional_traits() {
    const Evaluation e =
        evaluate_checked(m_source, m_name, sample_ctx(SampleShape::minimal).dump()).evaluation;
    if (e.status == EvalStatus::ok || e.status == EvalStatus::cancelled) return;
    for (const auto& known : m_findings) {
      if (known.location == e.error.location) return;
    }
    Finding f = e.error;
    f.severity = m_schema ? Severity::error : Severity::warning;
    f.rule = "sample-fails";
    if (f.hint.empty()) {
      f.hint =
          "an optional trait is missing for them, and what reads it gets null or fails: give "
          "each level read further a default, std.get(std.get(OBJ, 'f', {}), 'g', null)";
    }
    f.message = std::string("for a sample identity with only the required traits (") +
                (m_schema ? "the schema's" : "email; pass --schema for yours") + "): " + f.message;
    m_findings.push_back(f);
  }

  // What the template sends for the sample identity, by Segment's rules.
  void output(const Evaluation& e) {
    if (e.status == EvalStatus::cancelled) return;
    if (e.status != EvalStatus::ok) {
      for (const auto& known : m_findings) {
        if (known.severity == Severity::error && known.location == e.error.location) return;
      }
      Finding f = e.error;
      f.severity = Severity::error;
      f.rule = "sample-fails";
      f.message = "for a sample identity with every trait filled in: " + f.message;
      m_findings.push_back(f);
      return;
    }
    const Json message = Json::parse(e.body, nullptr, false);
    if (!m_options.check_message) return;
    for (Finding f : validate_message(message, m_options.call, e.body.size())) {
      f.message = std::string("what it sends for a sample identity") +
                  (f.location.empty() ? "" : " at " + f.location) + ": " + f.message;
      f.location = m_name;
      f.rule = "segment-message";
      m_findings.push_back(f);
    }
    call_mismatch(message);
    if (message.is_object() && !message.contains("messageId")) {
      m_findings.push_back(Finding{
          Severity::warning, m_name,
          "no messageId: Kratos retries a web hook that fails, and Segment drops a repeated "
          "message only by its messageId",
          "derive one from the flow, e.g. messageId: 'ory-' + ctx.flow.id", "message-id"});
    }
  }

  // Fields of another call than the one the URL makes: Segment ignores them.
  void call_mismatch(const Json& message) {
    if (!message.is_object()) return;
    struct Field {
      const char* name;
      SegmentCall call;
    };
    static const Field k_fields[] = {{"event", SegmentCall::track},
                                     {"traits", SegmentCall::identify},
                                     {"groupId", SegmentCall::group},
                                     {"previousId", SegmentCall::alias}};
    const SegmentCall call = m_options.call;
    for (const Field& field : k_fields) {
      if (!message.contains(field.name) || call == field.call) continue;
      // group takes traits too; page and screen take a name, not an event.
      if (std::string(field.name) == "traits" && call == SegmentCall::group) continue;
      m_findings.push_back(Finding{Severity::warning, m_name,
                                   std::string("it sends ") + field.name +
                                       ", a field of Segment's " + to_string(field.call) +
                                       " call, to " + to_string(call) + ": Segment ignores it",
                                   "send it to /v1/" + to_string(field.call) + " (--call " +
                                       to_string(field.call) + "), or drop the field",
                                   "segment-call-mismatch"});
    }
  }

  std::vector<Finding> sorted() {
    // FILE:LINE:COL by line and column; locations without them last, in order of finding.
    const auto key = [this](const Finding& f) {
      const std::string prefix = m_name + ":";
      long line = 1L << 30, col = 0;
      if (f.location.rfind(prefix, 0) == 0) {
        std::sscanf(f.location.c_str() + prefix.size(), "%ld:%ld", &line, &col);
      }
      return std::make_tuple(line, col);
    };
    std::stable_sort(m_findings.begin(), m_findings.end(),
                     [&](const Finding& a, const Finding& b) { return key(a) < key(b); });
    return m_findings;
  }

  std::string_view m_source;
  std::vector<JsonnetToken> m_tokens;  // as far as the template lexes
  const std::string& m_name;
  const TemplateLintOptions& m_options;
  Json m_schema_read;              // the schema as read_identity_schema reads it
  const Json* m_schema = nullptr;  // it, when lint has one
  std::vector<Json> m_hook_ctxs;
  std::vector<std::pair<std::string, std::string>> m_sample_headers;
  std::vector<Finding> m_findings;
};

}  // namespace

std::vector<Finding> lint_template(std::string_view source, const std::string& name,
                                   const TemplateLintOptions& options) {
  return apply_inline_disables(source, name, Linter(source, name, options).run());
}

}  // namespace core
