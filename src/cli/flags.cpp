#include "cli/flags.hpp"

#include <CLI/CLI.hpp>

namespace cli {

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
          field};
}

}  // namespace cli
