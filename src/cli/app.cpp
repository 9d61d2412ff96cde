#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "cli/diagnostics.hpp"
#include "cli/verbs.hpp"
#include "core/transform_pool.hpp"
#include "core/transform_worker.hpp"

namespace cli {
namespace {

struct Verb {
  const char* name;
  const char* summary;
  VerbRunner (*setup)(CLI::App& cmd);
  bool hidden = false;  // internal: not listed in --help
};

// The helper process backfill evaluates templates in (core::TransformPool starts it).
VerbRunner setup_transform_worker(CLI::App& /*cmd*/) {
  return [] {
    return core::serve_transform_worker(0, 1) == 0 ? ExitStatus::ok : ExitStatus::check_failed;
  };
}

// Every verb the tool has.
const Verb k_verbs[] = {
    {"encode", "Jsonnet template -> one-line base64:// body, checked as Kratos loads it",
     setup_encode},
    {"decode", "base64:// body, action or identity config -> the Jsonnet templates inside",
     setup_decode},
    {"build-action", "the web_hook action that calls Segment (the docs' webhook-action.json)",
     setup_build_action},
    {"patch", "the JSON-Patch that installs the action in an identity config, where it fires",
     setup_patch},
    {"test-identify", "run the transform as Kratos would and send the result to Segment, checked",
     setup_test_identify},
    {"listen", "a local Segment endpoint that checks what it receives and shows each event",
     setup_listen},
    {"backfill", "send existing identities through the transform to Segment, resumable",
     setup_backfill},
    {"init", "a commented template from an identity schema, that lint and test-identify pass",
     setup_init},
    {"lint", "the template and config mistakes that fail the hook or lose the event", setup_lint},
    {core::k_transform_worker_verb, "internal: evaluates templates for backfill",
     setup_transform_worker, true},
};

const char* const k_exit_statuses = R"(Exit statuses:
  0    ok
  1    what was checked is wrong (validation failure, remote rejected, lint findings)
  2    usage error or bad input
  3    a remote endpoint could not be reached
  130  interrupted)";

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"ory-segment: wire Ory identities into Segment through Ory Actions, verified.",
               "ory-segment"};
  app.set_version_flag("--version", std::string("ory-segment ") + ORY_SEGMENT_VERSION);
  app.require_subcommand(1, 1);
  app.footer(std::string("Run 'ory-segment VERB --help' for a verb's options and examples.\n\n") +
             k_exit_statuses);
  std::vector<std::pair<CLI::App*, VerbRunner>> runners;
  for (const Verb& verb : k_verbs) {
    CLI::App* cmd = app.add_subcommand(verb.name, verb.summary);
    if (verb.hidden) cmd->group("");
    runners.emplace_back(cmd, verb.setup(*cmd));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11's messages start upper-case; ours never do.
    std::string message = e.what();
    if (!message.empty())
      message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
    error(message + "; see 'ory-segment --help'");
    return static_cast<int>(ExitStatus::bad_input);
  }
  try {
    for (auto& [cmd, runner] : runners) {
      if (!cmd->parsed()) continue;
      const ExitStatus status = runner();
      // What went to standard output must have arrived (a full disk, a closed pipe). A verb
      // that failed has said why already.
      errno = 0;
      std::cout.flush();
      const bool lost = !std::cout || std::fflush(stdout) != 0 || std::ferror(stdout);
      const int e = errno;
      if (lost && status == ExitStatus::ok) {
        error(std::string("cannot write to standard output") +
              (e != 0 ? std::string(": ") + std::strerror(e) : std::string()));
        return static_cast<int>(ExitStatus::bad_input);
      }
      return static_cast<int>(status);
    }
  } catch (const Error& e) {
    error(e.what());
    return static_cast<int>(e.status());
  } catch (const std::bad_alloc&) {
    error("out of memory");
    return static_cast<int>(ExitStatus::bad_input);
  } catch (const std::exception& e) {
    error(std::string("internal error: ") + e.what());
    return static_cast<int>(ExitStatus::check_failed);
  }
  return static_cast<int>(ExitStatus::bad_input);
}

}  // namespace cli
