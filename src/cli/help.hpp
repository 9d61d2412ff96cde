#pragma once

#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
class FormatterBase;
}  // namespace CLI

namespace cli {

// What --version prints: version, commit, build date, libjsonnet's version, and what the
// tool emulates.
std::string version_text();

// CLI11's help layout, with one blank line between a verb's option sections (CLI11 2.1 puts
// two). Set on the top-level app before the verbs are added: they inherit it.
std::shared_ptr<CLI::FormatterBase> help_formatter();

// One option of a verb, as its --help shows it.
struct OptionInfo {
  std::vector<std::string> names;  // "-o", "--output"; a positional: its name alone
  std::string value;               // "FILE"; "" for a switch
  std::string help;
  bool positional = false;
  std::vector<std::string> values;  // the fixed values it takes, when it has such a list
};

// The options of a verb (its subcommand), --help included.
std::vector<OptionInfo> verb_options(const CLI::App& verb);

// The visible verbs of `app`, in table order.
std::vector<const CLI::App*> visible_verbs(const CLI::App& app);

// A completion script for `shell` (bash, zsh or fish), from the verbs and their options, or
// "" when the shell is not one of those.
std::string completion_script(const CLI::App& app, const std::string& shell);

// ory-segment(1) in roff: NAME, SYNOPSIS, DESCRIPTION, one subsection per verb (its synopsis,
// what it does, its OPTIONS, examples), EXIT STATUS (from `exit_statuses`, the lines
// "  N    meaning" of the top-level help), ENVIRONMENT, FILES, EXAMPLES, SEE ALSO; from the
// same source as --help, filled by man to its width (examples wrapped within 72 columns).
std::string man_page(const CLI::App& app, const std::string& exit_statuses);

// The closest of `candidates` to `word`, as "; did you mean 'X'?", or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace cli
