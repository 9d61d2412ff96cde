#pragma once

#include <functional>

#include "cli/exit_status.hpp"

namespace CLI {
class App;
}

namespace cli {

// Each verb adds its options to its subcommand and returns what runs it once parsed.
using VerbRunner = std::function<ExitStatus()>;

VerbRunner setup_encode(CLI::App& cmd);
VerbRunner setup_decode(CLI::App& cmd);
VerbRunner setup_build_action(CLI::App& cmd);
VerbRunner setup_patch(CLI::App& cmd);
VerbRunner setup_test_identify(CLI::App& cmd);
VerbRunner setup_listen(CLI::App& cmd);
VerbRunner setup_backfill(CLI::App& cmd);
VerbRunner setup_lint(CLI::App& cmd);
VerbRunner setup_init(CLI::App& cmd);

}  // namespace cli
