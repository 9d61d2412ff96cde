#include "backfill/context_factory.hpp"

#include "kratos/kratos_context.hpp"

namespace core {
namespace {

// The node of `usage` at `path`: a whole node stands for everything below it.
const CtxUsage* usage_at(const CtxUsage& usage, const std::vector<std::string>& path) {
  const CtxUsage* node = &usage;
  for (const auto& name : path) {
    if (node->whole) return node;
    const auto it = node->fields.find(name);
    if (it == node->fields.end()) return nullptr;
    node = &it->second;
  }
  return node;
}

}  // namespace

std::optional<ContextFactory> ContextFactory::for_hook(ContextOptions options, CtxUsage usage,
                                                       std::string* err) {
  const auto paths = identity_paths(options.hook);
  if (paths.empty() || paths.front() != std::vector<std::string>{"identity"}) {
    *err = "Kratos passes no identity there; backfill needs an after-hook";
    return std::nullopt;
  }
  options.identity = Json{{"id", ""}};  // what surrounds the identity (a session) needs one
  Json base = build_context(options, nullptr);
  for (const auto& path : paths) {
    Json* holder = &base;
    for (std::size_t k = 0; k + 1 < path.size(); ++k) holder = &(*holder)[path[k]];
    holder->erase(path.back());
  }
  return ContextFactory(base, paths, std::move(usage));
}

ContextFactory::ContextFactory(const Json& base_ctx,
                               std::vector<std::vector<std::string>> identity_paths, CtxUsage usage)
    : m_usage(std::move(usage)),
      m_full_base(base_ctx),
      m_full_base_size(base_ctx.dump().size()),
      m_base(prune(base_ctx, m_usage)) {
  m_all_paths = identity_paths;
  for (auto& path : identity_paths) {
    const CtxUsage* u = usage_at(m_usage, path);
    if (u) m_slots.push_back({std::move(path), *u});
  }
}

Json ContextFactory::ctx(const Json& identity) const {
  if (m_slots.empty()) return m_base;
  Json out = m_base;
  for (const auto& slot : m_slots) {
    Json* at = &out;
    for (std::size_t k = 0; k + 1 < slot.path.size(); ++k) {
      at = &(*at)[slot.path[k]];
      if (!at->is_object()) *at = Json::object();
    }
    Json value = prune(identity, slot.usage);
    // Kratos's encoding (whatever the template asks for), then only what it reads of the
    // fields that encoding adds (null metadata_public, organization_id).
    encode_identity_fields(&value);
    if (!slot.usage.whole && value.is_object()) {
      for (auto it = value.begin(); it != value.end();) {
        it = slot.usage.fields.count(it.key()) ? std::next(it) : value.erase(it);
      }
    }
    (*at)[slot.path.back()] = std::move(value);
  }
  return out;
}

Json ContextFactory::full_ctx(const Json& identity) const {
  Json out = m_full_base;
  Json encoded = identity;
  encode_identity_fields(&encoded);
  for (const auto& path : m_all_paths) {
    Json* at = &out;
    for (std::size_t k = 0; k + 1 < path.size(); ++k) at = &(*at)[path[k]];
    (*at)[path.back()] = encoded;
  }
  return out;
}

std::size_t ContextFactory::full_ctx_size_bound(std::size_t identity_text_size) const {
  // Each place holds the identity (its text, less white space and credentials, plus the
  // fields Kratos always writes) after its key.
  constexpr std::size_t k_always_written = 64;  // "metadata_public":null,"organization_id":null
  std::size_t bound = m_full_base_size;
  for (const auto& path : m_all_paths) {
    bound += path.back().size() + 4 + identity_text_size + identity_text_size / 8 +
             k_always_written;  // an eighth more: a number may print longer (1e2: 100.0)
  }
  return bound;
}

}  // namespace core
