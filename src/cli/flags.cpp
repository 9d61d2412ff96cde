#include "cli/flags.hpp"

#include <CLI/CLI.hpp>

#include "kratos/runtime_profile.hpp"

#include <map>

namespace cli {
namespace {

std::map<const CLI::Option*, std::vector<std::string>>& values_registry() {
  static std::map<const CLI::Option*, std::vector<std::string>> registry;
  return registry;
}

}  // namespace

const std::vector<std::string>* option_values(const CLI::Option* option) {
  const auto it = values_registry().find(option);
  return it == values_registry().end() ? nullptr : &it->second;
}

void set_option_values(const CLI::Option* option, std::vector<std::string> values) {
  values_registry()[option] = std::move(values);
}

void add_flags(CLI::App& cmd, const std::vector<Flag>& flags) {
  for (const Flag& f : flags) {
    if (auto* const* on = std::get_if<bool*>(&f.field)) {
      cmd.add_flag(f.name, **on, f.help);
      continue;
    }
    CLI::Option* option = std::visit(
        [&](auto* field) -> CLI::Option* {
          if constexpr (std::is_same_v<decltype(field), bool*>) {
            return nullptr;  // handled above
          } else {
            return cmd.add_option(f.name, *field, f.help);
          }
        },
        f.field);
    option->option_text(f.value);
    if (!f.values.empty()) set_option_values(option, f.values);
  }
}

void help_section(CLI::App& cmd, const char* title) { cmd.option_defaults()->group(title); }

Flag output_file_flag(std::string* field) {
  return {"-o,--output", "FILE", "write to FILE (atomically) instead of stdout", field};
}

Flag insecure_url_flag(bool* field) {
  return {"--allow-insecure-url", "",
          "allow plain http:// to a host that is not loopback (the write key travels in clear)",
          field};
}

Flag kratos_flag(std::string* field) {
  return {"--kratos", "PROFILE",
          "the Kratos that runs the hook: network (default; Ory Network, Kratos master) or "
          "v26.2.0 (the self-hosted release); --version names their commits",
          field, core::kratos_profile_names()};
}

}  // namespace cli
