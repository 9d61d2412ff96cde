#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace core {

// The Kratos a verb models (--kratos): one row per target, and each way the targets differ
// is a field, read where that behaviour is modelled. Adding a release is adding a row
// (runtime_profile.cpp); docs/fidelity.md cites each field's source at the row's commit.
struct KratosProfile {
  std::string name;     // what --kratos takes: "network", "v26.2.0"
  std::string kratos;   // the Kratos source it follows: "master", "v26.2.0"
  std::string commit;   // that source's commit in ory/kratos (full hash)
  std::string date;     // the commit's date, YYYY-MM-DD
  std::string runs_as;  // who runs it: "Ory Network", "self-hosted"
  // The longest body the evaluation may answer: Kratos reads the jsonnet worker's answer
  // with a bufio.Scanner whose buffer holds the body and its NUL delimiter
  // (oryx/jsonnetsecure/jsonnet_pool.go).
  std::size_t max_output = 0;
  // The hooks Kratos's config schema allows by name (embedx/config.schema.json).
  std::vector<std::string> schema_hooks;
  // Hooks that run although Kratos's own getHooks has no case for them: Ory Network
  // injects b2b_sso and organization; a self-hosted Kratos drops them with a warning
  // (driver/registry_default_hooks.go getHooks, `default:`).
  std::vector<std::string> injected_hooks;
  // Ory Network's saml method (its own flows' after.saml lists).
  bool saml = false;

  bool knows_hook(const std::string& hook) const;
  bool injects(const std::string& hook) const;
  // "network (Kratos master at b86338da0, 2026-07-29; Ory Network)"
  std::string describe() const;
};

// Every profile, the default first.
const std::vector<KratosProfile>& kratos_profiles();
// The default: what Ory Network runs.
const KratosProfile& default_kratos_profile();
// The profile named `name`, or nullptr.
const KratosProfile* find_kratos_profile(const std::string& name);
// The profiles' names, for messages and completions.
std::vector<std::string> kratos_profile_names();

}  // namespace core
