#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/ctx_usage.hpp"
#include "kratos/kratos_context.hpp"

namespace core {

using Json = nlohmann::ordered_json;

// The ctx for one identity after another, pruned to what the template reads: built once
// from a ctx without identity, the identity then goes in at each of `identity_paths`
// (ctx.identity, and ctx.session.identity or ctx.flow.identity where the hook point has
// them), pruned the same way.
class ContextFactory {
 public:
  ContextFactory(const Json& base_ctx, std::vector<std::vector<std::string>> identity_paths,
                 CtxUsage usage);

  // The factory for `options.hook`: the ctx build_context makes from `options`, each
  // identity put wherever Kratos puts it there (`options.identity` is not used). nullopt,
  // with `err` set, where Kratos passes no ctx.identity (before-hooks).
  static std::optional<ContextFactory> for_hook(ContextOptions options, CtxUsage usage,
                                                std::string* err);

  // `identity` as it goes into ctx (credentials and metadata_admin already removed when
  // the template reads it whole).
  Json ctx(const Json& identity) const;
  std::string ctx_json(const Json& identity) const { return ctx(identity).dump(); }

  // From now on each identity has a flow of its own, as each sign-up had in Kratos: the
  // flow's id (and the URLs that carry it) is util::uuid_from(seed, the identity's id), so a
  // messageId built from ctx.flow.id differs per identity and per seed, and stays the same
  // for the same identity and seed.
  void vary_flow(std::string seed);
  std::string flow_id(const Json& identity) const;

  // The whole ctx Kratos builds for `identity`, unpruned: what its worker must read.
  Json full_ctx(const Json& identity) const;
  // At least the size of full_ctx(identity).dump() for an identity whose JSON text is
  // `identity_text_size` bytes, or more: a cheap bound that spares building it.
  std::size_t full_ctx_size_bound(std::size_t identity_text_size) const;

 private:
  struct Slot {
    std::vector<std::string> path;
    CtxUsage usage;  // what of the identity is read there
  };
  CtxUsage m_usage;
  std::vector<std::vector<std::string>> m_all_paths;  // where the identity goes
  Json m_full_base;                                   // without the identity
  std::size_t m_full_base_size = 0;
  Json m_base;
  std::vector<Slot> m_slots;
  std::string m_flow_id;  // the base's
  std::string m_flow_seed;
  std::vector<Json::json_pointer> m_flow_places;  // strings in m_base that hold m_flow_id
};

}  // namespace core
