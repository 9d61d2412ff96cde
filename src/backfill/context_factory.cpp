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
    : m_usage(std::move(usage)), m_base(prune(base_ctx, m_usage)) {
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

}  // namespace core
