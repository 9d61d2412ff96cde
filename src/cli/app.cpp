#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/diagnostics.hpp"
#include "cli/exit_status.hpp"
#include "cli/flags.hpp"
#include "cli/help.hpp"
#include "cli/verbs.hpp"
#include "pool/transform_pool.hpp"
#include "pool/transform_worker.hpp"
#include "util/text.hpp"

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

const std::vector<std::string> k_shells = {"bash", "zsh", "fish"};
const std::vector<std::string> k_color_modes = {"auto", "always", "never"};
const CLI::App* g_app = nullptr;  // for the verbs that describe the others (completion)

struct CompletionOptions {
  std::string shell;
};

VerbRunner setup_completion(CLI::App& cmd) {
  auto opts = std::make_shared<CompletionOptions>();
  set_option_values(cmd.add_option("SHELL", opts->shell, "bash, zsh or fish")->required(),
                    k_shells);
  cmd.footer(
      R"(Prints a completion script for the shell, generated from the verbs and their options.
The package installs them; to load one by hand:

Examples:
  source <(ory-segment completion bash)
  ory-segment completion zsh > "${fpath[1]}/_ory-segment"
  ory-segment completion fish > ~/.config/fish/completions/ory-segment.fish)");
  return [opts] {
    const std::string script = completion_script(*g_app, opts->shell);
    if (script.empty()) {
      throw Error(ExitStatus::bad_input, "completion: unknown shell '" + opts->shell + "'" +
                                             did_you_mean(opts->shell, k_shells) +
                                             " (bash, zsh or fish)");
    }
    std::cout << script;
    return ExitStatus::ok;
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
    {"completion", "a bash, zsh or fish completion script for ory-segment", setup_completion},
    {core::k_transform_worker_verb, "internal: evaluates templates for backfill",
     setup_transform_worker, true},
};

const char* const k_exit_statuses = R"(Exit statuses:
  0    ok
  1    what was checked is wrong (validation failure, remote rejected, lint findings)
  2    usage error or bad input
  3    a remote endpoint could not be reached
  130  interrupted (SIGINT, Ctrl-C)
  143  terminated (SIGTERM))";

// The "Usage: ..." line of a verb's help.
std::string usage_line(const CLI::App& cmd) {
  const std::string help = cmd.help("ory-segment");
  const auto at = help.find("Usage:");
  if (at == std::string::npos) return "";
  return help.substr(at, help.find('\n', at) - at);
}

std::vector<std::string> verb_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* verb : visible_verbs(app)) names.push_back(verb->get_name());
  return names;
}

// A parse error inside `cmd`: an unknown option gets a did-you-mean and the verb's usage.
int verb_parse_error(const CLI::App& cmd, const CLI::ParseError& e) {
  std::string unknown;
  for (const auto& arg : cmd.remaining()) {
    if (!arg.empty() && arg[0] == '-') {
      unknown = arg.substr(0, arg.find('='));
      break;
    }
  }
  if (!unknown.empty()) {
    std::vector<std::string> names;
    for (const auto& o : verb_options(cmd)) {
      if (!o.positional) names.insert(names.end(), o.names.begin(), o.names.end());
    }
    const bool output = unknown == "-o" || unknown == "--output";
    error("unknown option '" + unknown + "' for " + cmd.get_name() +
          (output ? ": it prints to standard output; redirect it (> FILE)"
                  : did_you_mean(unknown, names)));
  } else {
    // CLI11's messages start upper-case; ours never do.
    std::string message = e.what();
    if (!message.empty())
      message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
    error(cmd.get_name() + ": " + message);
  }
  std::cerr << usage_line(cmd) << "\n(see 'ory-segment " << cmd.get_name() << " --help')\n";
  return static_cast<int>(ExitStatus::bad_input);
}

// An option that takes a value followed by another of the verb's options (`--project --format
// ory-cli` with $ORY_PROJECT unset): the option's value is missing, not "--format".
std::optional<int> option_without_value(const CLI::App& app, int argc, char** argv) {
  if (argc < 3) return std::nullopt;
  const CLI::App* verb = nullptr;
  for (const CLI::App* v : visible_verbs(app)) {
    if (v->get_name() == argv[1]) verb = v;
  }
  if (!verb) return std::nullopt;
  std::vector<std::string> names, valued;
  for (const auto& o : verb_options(*verb)) {
    if (o.positional) continue;
    names.insert(names.end(), o.names.begin(), o.names.end());
    if (!o.value.empty()) valued.insert(valued.end(), o.names.begin(), o.names.end());
  }
  const auto in = [](const std::vector<std::string>& list, const std::string& word) {
    return std::find(list.begin(), list.end(), word) != list.end();
  };
  for (int i = 2; i + 1 < argc; ++i) {
    const std::string arg = argv[i], next = argv[i + 1];
    if (arg == "--") break;
    if (!in(valued, arg) || !in(names, next.substr(0, next.find('=')))) continue;
    std::string message = arg;
    message += " needs a value, and is followed by the option " + next;
    error(message + " (an empty variable in the command line?)");
    std::cerr << usage_line(*verb) << "\n(see 'ory-segment " << verb->get_name() << " --help')\n";
    return static_cast<int>(ExitStatus::bad_input);
  }
  return std::nullopt;
}

using Runners = std::vector<std::pair<CLI::App*, VerbRunner>>;

std::string g_color = "auto";  // --color, of whichever verb is parsed

// Every verb of k_verbs, with -q/--quiet where the verb has none of its own.
Runners add_verbs(CLI::App& app) {
  Runners runners;
  for (const Verb& verb : k_verbs) {
    CLI::App* cmd = app.add_subcommand(verb.name, verb.summary);
    if (verb.hidden) cmd->group("");
    runners.emplace_back(cmd, verb.setup(*cmd));
    help_section(*cmd, k_general_section);
    if (!cmd->get_option_no_throw("--quiet")) {
      cmd->add_flag("-q,--quiet",
                    "print no notes and no tables around results (warnings and errors are "
                    "still printed)");
    }
    set_option_values(cmd->add_option("--color", g_color,
                                      "colour errors red and warnings yellow: auto (default: on "
                                      "a terminal, unless NO_COLOR is set), always or never")
                          ->option_text("WHEN"),
                      k_color_modes);
  }
  return runners;
}

// `help [VERB]`, and a verb that does not exist: answered before CLI11 parses anything.
std::optional<int> help_or_unknown_verb(CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return std::nullopt;
  const std::string first = argv[1];
  const auto verbs = verb_names(app);
  if (first == "help") {
    if (argc == 2) {
      std::cout << app.help();
      return 0;
    }
    const std::string verb = argv[2];
    if (std::find(verbs.begin(), verbs.end(), verb) != verbs.end()) {
      std::cout << app.get_subcommand(verb)->help("ory-segment");
      return 0;
    }
    if (verb == "--man") {
      std::cout << man_page(app, k_exit_statuses);
      return 0;
    }
    error("unknown verb '" + verb + "'" + did_you_mean(verb, verbs) +
          " (verbs: " + util::join(verbs, ", ") + ")");
    return static_cast<int>(ExitStatus::bad_input);
  }
  const bool known = std::any_of(std::begin(k_verbs), std::end(k_verbs),
                                 [&](const Verb& v) { return first == v.name; });
  if (known) return std::nullopt;
  error("unknown verb '" + first + "'" + did_you_mean(first, verbs) +
        " (verbs: " + util::join(verbs, ", ") + ")");
  return static_cast<int>(ExitStatus::bad_input);
}

// CLI11's parse; an exit status when it ends the run (help, version, a usage error).
std::optional<int> parse(CLI::App& app, const Runners& runners, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    for (const auto& [cmd, runner] : runners) {
      if (cmd->parsed()) return verb_parse_error(*cmd, e);
    }
    // CLI11's messages start upper-case; ours never do.
    std::string message = e.what();
    if (!message.empty())
      message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
    error(message + "; see 'ory-segment --help'");
    return static_cast<int>(ExitStatus::bad_input);
  }
  return std::nullopt;
}

// `status`, unless it is success and what went to standard output did not arrive (a full
// disk, a closed pipe): the product of a run, --help and --version included, must be there. A
// run that failed has said why already.
int checked_output(int status) {
  errno = 0;
  std::cout.flush();
  const bool lost = !std::cout || std::fflush(stdout) != 0 || std::ferror(stdout);
  const int e = errno;
  if (lost && status == static_cast<int>(ExitStatus::ok)) {
    error(std::string("cannot write to standard output") +
          (e != 0 ? std::string(": ") + std::strerror(e) : std::string()));
    return static_cast<int>(ExitStatus::bad_input);
  }
  return status;
}

// Runs the verb that was parsed.
int run_verb(const Runners& runners) {
  for (const auto& [cmd, runner] : runners) {
    if (cmd->parsed() && cmd->get_option("--quiet")->count() > 0) set_quiet(true);
  }
  if (!set_color(g_color)) {
    error("--color: '" + g_color + "' is not one of " + util::join(k_color_modes, ", "));
    return static_cast<int>(ExitStatus::bad_input);
  }
  for (const auto& [cmd, runner] : runners) {
    if (cmd->parsed()) return checked_output(static_cast<int>(runner()));
  }
  return static_cast<int>(ExitStatus::bad_input);
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"ory-segment: wire Ory identities into Segment through Ory Actions, verified.",
               "ory-segment"};
  app.set_version_flag("--version", version_text());
  app.formatter(help_formatter());
  app.require_subcommand(1, 1);
  app.footer(std::string("Run 'ory-segment VERB --help' (or 'ory-segment help VERB') for a verb's "
                         "options and examples.\n\n") +
             k_exit_statuses);
  g_app = &app;
  const Runners runners = add_verbs(app);
  if (const auto status = help_or_unknown_verb(app, argc, argv)) return checked_output(*status);
  if (const auto status = option_without_value(app, argc, argv)) return checked_output(*status);
  if (const auto status = parse(app, runners, argc, argv)) return checked_output(*status);
  try {
    return run_verb(runners);
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
}

}  // namespace cli
