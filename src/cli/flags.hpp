#pragma once

#include <string>
#include <variant>
#include <vector>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace cli {

// One option of a verb, bound to a field of the verb's options struct: a verb lists its
// options as a table, in the order --help shows them.
struct Flag {
  const char* name;   // "--rate", "-o,--output", or "INPUT" for a positional
  const char* value;  // what it takes, for --help ("N", "FILE"); "" for a switch
  const char* help;
  std::variant<bool*, int*, long*, double*, std::string*, std::vector<std::string>*> field;
  // The values it takes, when they are a fixed list: what completion offers (the verb checks
  // them with require_one_of on the same list).
  std::vector<std::string> values = {};
};

void add_flags(CLI::App& cmd, const std::vector<Flag>& flags);

// The fixed values of an option (Flag::values, or set_option_values), or nullptr.
const std::vector<std::string>* option_values(const CLI::Option* option);
void set_option_values(const CLI::Option* option, std::vector<std::string> values);

// Starts a titled section of the verb's --help (and of its man page entry): the options added
// after this call are listed under `title`, until the next section. A verb with many options
// groups them by what they are about; the first section, "Options", holds --help and --quiet.
void help_section(CLI::App& cmd, const char* title);
constexpr const char* k_general_section = "Options";

// Flags several verbs share, worded once.
Flag output_file_flag(std::string* field);  // -o,--output FILE: atomically, instead of stdout
Flag insecure_url_flag(bool* field);        // --allow-insecure-url
Flag kratos_flag(std::string* field);       // --kratos PROFILE: the Kratos that runs the hook

}  // namespace cli
