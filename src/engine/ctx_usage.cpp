#include "engine/ctx_usage.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "engine/jsonnet_lexer.hpp"
#include "engine/kratos_sandbox.hpp"

namespace core {
namespace {

using Kind = TokenKind;
using Token = JsonnetToken;

bool is(const Token& t, Kind k, std::string_view text) { return t.kind == k && t.text == text; }
bool is_field_colon(const Token& t) {
  return t.kind == Kind::op && (t.text == ":" || t.text == "::" || t.text == ":::" ||
                                t.text == "+:" || t.text == "+::" || t.text == "+:::");
}

// Where each bracket closes, and which `(` open parameter lists.
struct Brackets {
  std::vector<std::size_t> enclosing;  // per token: the index of the innermost open bracket
  std::vector<bool> params;            // per token: a `(` that opens a parameter list
};

std::optional<Brackets> match_brackets(const std::vector<Token>& t) {
  const std::size_t none = t.size();
  Brackets b{std::vector<std::size_t>(t.size(), none), std::vector<bool>(t.size(), false)};
  std::vector<std::size_t> open;
  for (std::size_t i = 0; i < t.size(); ++i) {
    b.enclosing[i] = open.empty() ? none : open.back();
    if (t[i].kind != Kind::symbol) continue;
    const char c = t[i].text[0];
    if (c == '(' || c == '[' || c == '{') {
      open.push_back(i);
    } else if (c == ')' || c == ']' || c == '}') {
      if (open.empty()) return std::nullopt;
      const std::size_t o = open.back();
      open.pop_back();
      const char want = c == ')' ? '(' : c == ']' ? '[' : '{';
      if (t[o].text[0] != want) return std::nullopt;
      if (want == '(' && o > 0) {
        // `function (` always; `NAME (` when `) =` follows: a local function's parameters.
        const bool after_function = is(t[o - 1], Kind::ident, "function");
        const bool local_function =
            t[o - 1].kind == Kind::ident && i + 1 < t.size() && is(t[i + 1], Kind::op, "=");
        b.params[o] = after_function || local_function;
      }
    }
  }
  if (!open.empty()) return std::nullopt;
  return b;
}

// True when the `ctx` at `i` cannot refer to the context's value.
bool is_not_a_reference(const std::vector<Token>& t, const Brackets& b, std::size_t i) {
  const Token* prev = i > 0 ? &t[i - 1] : nullptr;
  const Token* next = i + 1 < t.size() ? &t[i + 1] : nullptr;
  if (prev && is(*prev, Kind::symbol, ".")) return true;   // x.ctx: a field name
  if (next && is(*next, Kind::op, "=")) return true;       // a binder or argument name
  if (prev && is(*prev, Kind::ident, "for")) return true;  // for ctx in ...
  const std::size_t open = b.enclosing[i];
  if (open >= t.size() || !prev) return false;
  const bool first_in_list = prev == &t[open] || is(*prev, Kind::symbol, ",");
  if (!first_in_list) return false;
  if (t[open].text == "(" && b.params[open] && next &&
      (is(*next, Kind::symbol, ",") || is(*next, Kind::symbol, ")"))) {
    return true;  // a parameter
  }
  if (t[open].text == "{" && next && is_field_colon(*next)) return true;  // { ctx: ... }
  return false;
}

}  // namespace

std::optional<std::vector<CtxChain>> ctx_chains(std::string_view source) {
  const auto lexed = lex_jsonnet(source);
  const auto tokens = lexed.complete ? std::optional(lexed.tokens) : std::nullopt;
  const auto brackets = tokens ? match_brackets(*tokens) : std::nullopt;
  if (!tokens || !brackets) return std::nullopt;
  const auto offset = [&](std::string_view text) {
    return static_cast<std::size_t>(text.data() - source.data());
  };
  const auto& t = *tokens;
  std::vector<CtxChain> out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!is(t[i], Kind::ident, "ctx") || is_not_a_reference(t, *brackets, i)) continue;
    CtxChain chain{offset(t[i].text), {}};
    for (std::size_t j = i + 1;;) {
      if (j + 1 < t.size() && is(t[j], Kind::symbol, ".") && t[j + 1].kind == Kind::ident) {
        chain.steps.emplace_back(std::string(t[j + 1].text),
                                 offset(t[j + 1].text) + t[j + 1].text.size());
        j += 2;
      } else if (j + 2 < t.size() && is(t[j], Kind::symbol, "[") && t[j + 1].kind == Kind::string &&
                 t[j + 1].plain && is(t[j + 2], Kind::symbol, "]")) {
        chain.steps.emplace_back(std::string(t[j + 1].text), offset(t[j + 2].text) + 1);
        j += 3;
      } else {
        break;
      }
    }
    out.push_back(std::move(chain));
  }
  return out;
}

namespace {

CtxUsage usage_of(const std::vector<CtxChain>& chains) {
  CtxUsage usage;
  for (const CtxChain& chain : chains) {
    CtxUsage* node = &usage;
    for (auto step = chain.steps.begin(); !node->whole && step != chain.steps.end(); ++step) {
      node = &node->fields[step->first];
    }
    node->whole = true;
    node->fields.clear();
  }
  return usage;
}

}  // namespace

CtxUsage ctx_usage(std::string_view source) {
  const auto chains = ctx_chains(source);
  if (!chains) {
    CtxUsage usage;
    usage.whole = true;
    return usage;
  }
  return usage_of(*chains);
}

std::vector<CtxLookup> single_site_lookups(std::string_view source) {
  const auto chains = ctx_chains(source);
  if (!chains) return {};
  const CtxUsage usage = usage_of(*chains);
  struct Seen {
    int sites = 0;
    CtxLookup lookup;
  };
  std::map<std::vector<std::string>, Seen> seen;
  for (const CtxChain& chain : *chains) {
    const CtxUsage* node = &usage;
    std::vector<std::string> path;
    for (const auto& [name, end] : chain.steps) {
      // Past a value read whole, a missing field can be observed without a lookup.
      if (node->whole) break;
      node = &node->fields.at(name);
      path.push_back(name);
      Seen& s = seen[path];
      ++s.sites;
      s.lookup = CtxLookup{path, chain.begin, end};
    }
  }
  std::vector<CtxLookup> out;
  for (auto& [path, s] : seen) {
    if (s.sites == 1) out.push_back(std::move(s.lookup));
  }
  std::sort(out.begin(), out.end(), [](const CtxLookup& a, const CtxLookup& b) {
    return a.begin < b.begin || (a.begin == b.begin && a.end < b.end);
  });
  return out;
}

std::optional<FastCancel> with_fast_cancel(std::string_view source, std::string_view function) {
  const auto lexed = lex_jsonnet(source);
  const auto tokens = lexed.complete ? std::optional(lexed.tokens) : std::nullopt;
  const std::string_view name = function.substr(function.find('.') + 1);
  if (!tokens || !match_brackets(*tokens) || source.find(name) != std::string_view::npos) {
    return std::nullopt;
  }
  const auto& t = *tokens;
  // `std` must be the library everywhere: only ever `std.` and never a field name.
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!is(t[i], Kind::ident, "std")) continue;
    const bool after_dot = i > 0 && is(t[i - 1], Kind::symbol, ".");
    const bool before_dot = i + 1 < t.size() && is(t[i + 1], Kind::symbol, ".");
    if (after_dot || !before_dot) return std::nullopt;
  }
  const auto offset = [&](std::string_view text) {
    return static_cast<std::size_t>(text.data() - source.data());
  };
  FastCancel out{std::string(source), {}};
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    const Token& literal = t[i + 1];
    if (!is(t[i], Kind::ident, "error") || literal.kind != Kind::string || !literal.plain) continue;
    const std::size_t begin = offset(t[i].text);
    const std::size_t end = offset(literal.text) + literal.text.size() + 1;
    const std::string_view span = source.substr(begin, end - begin);
    const std::string call = std::string(function) + "(" + std::to_string(out.sites.size()) + ")";
    if (!is_cancel(std::string(literal.text)) || span.find('\n') != std::string_view::npos ||
        span.size() < call.size()) {
      continue;
    }
    // The literal must be the whole argument: what follows ends the expression.
    const bool last = i + 2 >= t.size();
    const Token* next = last ? nullptr : &t[i + 2];
    const bool ends = last ||
                      (next->kind == Kind::symbol && next->text != "." && next->text != "[" &&
                       next->text != "(" && next->text != "{") ||
                      is(*next, Kind::ident, "else") || is(*next, Kind::ident, "then") ||
                      is(*next, Kind::ident, "for") || is(*next, Kind::ident, "if");
    if (!ends) continue;
    out.source.replace(begin, span.size(), call + std::string(span.size() - call.size(), ' '));
    out.sites.push_back({begin, std::string(literal.text)});
  }
  if (out.sites.empty()) return std::nullopt;
  return out;
}

Json prune(const Json& value, const CtxUsage& usage) {
  if (usage.whole || !value.is_object()) return value;
  Json out = Json::object();
  for (const auto& [name, sub] : usage.fields) {
    const auto it = value.find(name);
    if (it != value.end()) out[name] = prune(*it, sub);
  }
  return out;
}

}  // namespace core
