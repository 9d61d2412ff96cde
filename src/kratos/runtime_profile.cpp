#include "kratos/runtime_profile.hpp"

#include <algorithm>
#include <initializer_list>

namespace core {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// The hooks every Kratos's config schema allows, and those only some allow.
std::vector<std::string> schema_hooks(std::initializer_list<const char*> more) {
  std::vector<std::string> out = {"session", "revoke_active_sessions", "web_hook"};
  for (const char* name : {"require_verified_address", "show_verification_ui", "verification"}) {
    out.emplace_back(name);
  }
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

constexpr std::size_t k_kib = 1024;

// One row per Kratos; the sources are cited in docs/fidelity.md, "The Kratos profiles".
std::vector<KratosProfile> make_profiles() {
  return {
      // Kratos master, as Ory Network runs it. Output: jsonnet_pool.go:39 `jsonnetOutputLimit
      // = 256 * KiB`, :167 scanner.Buffer(..., limit). Hooks: embedx/config.schema.json
      // :114, :124; Ory Network injects b2b_sso and organization (registry_default_hooks.go:64).
      {"network",
       "master",
       "b86338da04a040247a07f46100a86dcfb3875909",
       "2026-07-29",
       "Ory Network",
       256 * k_kib - 1,
       schema_hooks({"verify_new_address", "notify_previous_addresses", "b2b_sso", "organization"}),
       {"b2b_sso", "organization"},
       true},
      // The release, self-hosted. Output: jsonnet_pool.go:160-161, bufio.NewScanner with its
      // default 64 KiB buffer. No address hooks in its schema; nothing injected; no saml.
      {"v26.2.0",
       "v26.2.0",
       "9d7085948039ffb8960160d4979f71527b5cf4d5",
       "2026-03-20",
       "self-hosted",
       64 * k_kib - 1,
       schema_hooks({"b2b_sso", "organization"}),
       {},
       false},
  };
}

}  // namespace

bool KratosProfile::knows_hook(const std::string& hook) const {
  return contains(schema_hooks, hook);
}

bool KratosProfile::injects(const std::string& hook) const {
  return contains(injected_hooks, hook);
}

std::string KratosProfile::describe() const {
  return name + " (Kratos " + kratos + " at " + commit.substr(0, 9) + ", " + date + "; " + runs_as +
         ")";
}

const std::vector<KratosProfile>& kratos_profiles() {
  static const std::vector<KratosProfile> k = make_profiles();
  return k;
}

const KratosProfile& default_kratos_profile() { return kratos_profiles().front(); }

const KratosProfile* find_kratos_profile(const std::string& name) {
  for (const auto& p : kratos_profiles()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::vector<std::string> kratos_profile_names() {
  std::vector<std::string> out;
  for (const auto& p : kratos_profiles()) out.push_back(p.name);
  return out;
}

}  // namespace core
