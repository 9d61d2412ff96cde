#include "backfill/context_factory.hpp"

#include "kratos/kratos_context.hpp"
#include "util/hash.hpp"

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

// Where `value` holds a string containing `needle`, as pointers below `at`.
void find_strings(const Json& value, const std::string& needle, const Json::json_pointer& at,
                  std::vector<Json::json_pointer>* out) {
  if (value.is_string()) {
    if (value.get_ref<const std::string&>().find(needle) != std::string::npos) out->push_back(at);
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.items()) find_strings(item, needle, at / key, out);
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) find_strings(value[i], needle, at / i, out);
  }
}

void replace_all(std::string* text, const std::string& from, const std::string& to) {
  for (auto at = text->find(from); at != std::string::npos; at = text->find(from, at + to.size())) {
    text->replace(at, from.size(), to);
  }
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
  if (const auto flow = base_ctx.find("flow"); flow != base_ctx.end() && flow->is_object()) {
    m_flow_id = flow->value("id", std::string());
  }
  for (auto& path : identity_paths) {
    const CtxUsage* u = usage_at(m_usage, path);
    if (u) m_slots.push_back({std::move(path), *u});
  }
}

void ContextFactory::vary_flow(std::string seed) {
  m_flow_seed = std::move(seed);
  m_flow_places.clear();
  if (!m_flow_id.empty()) find_strings(m_base, m_flow_id, Json::json_pointer(), &m_flow_places);
}

std::string ContextFactory::flow_id(const Json& identity) const {
  if (m_flow_seed.empty()) return m_flow_id;
  const auto id = identity.find("id");
  return util::uuid_from(m_flow_seed + "\n" +
                         (id != identity.end() && id->is_string() ? id->get<std::string>() : ""));
}

Json ContextFactory::ctx(const Json& identity) const {
  Json out = m_base;
  if (!m_flow_places.empty()) {
    const std::string flow = flow_id(identity);
    for (const auto& place : m_flow_places) {
      replace_all(&out[place].get_ref<std::string&>(), m_flow_id, flow);
    }
  }
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
