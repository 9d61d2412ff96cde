#include "cli/help.hpp"

#include <CLI/CLI.hpp>
#include <sstream>

#include "cli/flags.hpp"
#include "engine/jsonnet_vm.hpp"
#include "kratos/runtime_profile.hpp"
#include "ory_segment_build_info.hpp"
#include "util/text.hpp"

namespace cli {
namespace {

// What the tool reproduces besides Kratos (its profiles, in kratos/runtime_profile): the
// go-jsonnet Kratos embeds, and Segment's HTTP Tracking API.
constexpr const char* k_emulates = "go-jsonnet v0.21.0, Segment HTTP API";

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// FILE, FILE|-, FILE|-|#/POINTER, DIR or INPUT (not PROFILE, which only ends like one).
bool takes_file(const OptionInfo& o) {
  return util::starts_with(o.value, "FILE") || o.value == "DIR" ||
         o.value.find("INPUT") != std::string::npos;
}

// Text for a single-quoted shell word, and for a zsh _arguments description.
std::string shell_single_quoted(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out;
}

std::string zsh_description(std::string s) {
  s = first_line(s);
  std::string out;
  for (const char c : s) {
    if (c == '[' || c == ']') {
      out += '\\';
      out += c;
    } else if (c == ':') {
      out += "\\:";
    } else {
      out += c;
    }
  }
  return shell_single_quoted(out);
}

// One verb's case in the bash function: its options, those that take a file, those that take
// another value, the fixed values of the option before the cursor, and its operand (files, a
// word list, or none).
void bash_verb(const CLI::App& verb, std::ostringstream& out) {
  std::vector<std::string> flags, file_flags, valued;
  std::string positional, values_case;
  for (const auto& o : verb_options(verb)) {
    if (o.positional) {
      positional = o.values.empty() ? "files" : util::join(o.values, " ");
      continue;
    }
    for (const auto& n : o.names) {
      flags.push_back(n);
      if (takes_file(o)) file_flags.push_back(n);
      if (!o.value.empty() && !takes_file(o)) valued.push_back(n);
    }
    if (!o.values.empty()) {
      values_case += "        " + util::join(o.names, "|") + ") values='" +
                     shell_single_quoted(util::join(o.values, " ")) + "' ;;\n";
    }
  }
  out << "    " << verb.get_name() << ") opts='" << util::join(flags, " ") << "'; files='"
      << util::join(file_flags, " ") << "'; valued='" << util::join(valued, " ")
      << "'; positional='" << shell_single_quoted(positional) << "'\n";
  if (!values_case.empty()) out << "      case \"$prev\" in\n" << values_case << "      esac\n";
  out << "      ;;\n";
}

std::string bash(const CLI::App& app) {
  std::ostringstream out;
  std::vector<std::string> names;
  for (const CLI::App* verb : visible_verbs(app)) names.push_back(verb->get_name());
  out << "# bash completion for ory-segment (ory-segment completion bash)\n"
      << "_ory_segment() {\n"
      << "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
      << "  local verbs='" << util::join(names, " ") << " help'\n"
      << "  if [[ $COMP_CWORD -eq 1 ]]; then\n"
      << "    mapfile -t COMPREPLY < <(compgen -W \"$verbs --help --version\" -- \"$cur\")\n"
      << "    return\n"
      << "  fi\n"
      << "  local opts='' files='' valued='' values='' positional=''\n"
      << "  case \"${COMP_WORDS[1]}\" in\n";
  for (const CLI::App* verb : visible_verbs(app)) bash_verb(*verb, out);
  // One name per line into COMPREPLY (mapfile), never split at spaces or globbed.
  // Files only where an option (or the verb's operand) takes one; an option's fixed values
  // where it has them; nothing for another value (a URL, a number).
  out << R"sh(    help) mapfile -t COMPREPLY < <(compgen -W "$verbs" -- "$cur"); return ;;
  esac
  if [[ " $files " == *" $prev "* ]]; then
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  elif [[ -n "$values" ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$values" -- "$cur")
  elif [[ " $valued " == *" $prev "* ]]; then
    COMPREPLY=()
  elif [[ "$cur" == -* || -z "$positional" ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
  elif [[ "$positional" == files ]]; then
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -W "$positional" -- "$cur")
  fi
}
complete -F _ory_segment ory-segment
)sh";
  return out.str();
}

std::string zsh(const CLI::App& app) {
  std::ostringstream out;
  out << "#compdef ory-segment\n"
      << "# zsh completion for ory-segment (ory-segment completion zsh)\n"
      << "_ory_segment() {\n"
      << "  local -a verbs\n"
      << "  verbs=(\n";
  for (const CLI::App* verb : visible_verbs(app)) {
    out << "    '" << verb->get_name() << ":" << zsh_description(verb->get_description()) << "'\n";
  }
  out << R"sh(    'help:a verb'"'"'s help'
  )
  if (( CURRENT == 2 )); then
    _describe 'verb' verbs
    return
  fi
  case $words[2] in
)sh";
  for (const CLI::App* verb : visible_verbs(app)) {
    out << "    " << verb->get_name() << ")\n      _arguments";
    for (const auto& o : verb_options(*verb)) {
      const std::string choices = "(" + shell_single_quoted(util::join(o.values, " ")) + ")";
      const std::string action = o.value.empty()    ? ""
                                 : takes_file(o)    ? ":file:_files"
                                 : o.values.empty() ? ":" + o.value + ": "
                                                    : ":" + o.value + ":" + choices;
      if (o.positional) {
        out << " \\\n        '*:" << zsh_description(o.names.front()) << ":"
            << (o.values.empty() ? "_files" : choices) << "'";
        continue;
      }
      const std::string desc = "[" + zsh_description(o.help) + "]" + action;
      if (o.names.size() == 1) {
        out << " \\\n        '" << o.names.front() << desc << "'";
      } else {
        out << " \\\n        '(" << util::join(o.names, " ") << ")'{" << util::join(o.names, ",")
            << "}'" << desc << "'";
      }
    }
    out << " ;;\n";
  }
  out << R"sh(    help) _describe 'verb' verbs ;;
  esac
}
_ory_segment "$@"
)sh";
  return out.str();
}

std::string fish(const CLI::App& app) {
  std::ostringstream out;
  out << "# fish completion for ory-segment (ory-segment completion fish)\n"
      << "complete -c ory-segment -f\n";
  std::vector<std::string> names;
  for (const CLI::App* verb : visible_verbs(app)) names.push_back(verb->get_name());
  const std::string all = util::join(names, " ") + " help";
  for (const CLI::App* verb : visible_verbs(app)) {
    out << "complete -c ory-segment -n 'not __fish_seen_subcommand_from " << all << "' -a "
        << verb->get_name() << " -d '" << shell_single_quoted(first_line(verb->get_description()))
        << "'\n";
  }
  out << "complete -c ory-segment -n 'not __fish_seen_subcommand_from " << all
      << "' -a help -d 'a verb'\\''s help'\n";
  for (const CLI::App* verb : visible_verbs(app)) {
    for (const auto& o : verb_options(*verb)) {
      const std::string choices = shell_single_quoted(util::join(o.values, " "));
      if (o.positional) {
        out << "complete -c ory-segment -n '__fish_seen_subcommand_from " << verb->get_name() << "'"
            << (o.values.empty() ? " -F" : " -f -a '" + choices + "'") << "\n";
        continue;
      }
      out << "complete -c ory-segment -n '__fish_seen_subcommand_from " << verb->get_name() << "'";
      for (const auto& n : o.names) {
        out << (n.size() == 2 ? " -s " + n.substr(1) : " -l " + n.substr(2));
      }
      if (!o.value.empty()) {
        out << (takes_file(o)      ? " -r -F"
                : o.values.empty() ? " -r -f"
                                   : " -r -f -a '" + choices + "'");
      }
      out << " -d '" << shell_single_quoted(first_line(o.help)) << "'\n";
    }
  }
  return out.str();
}

class SectionedFormatter : public CLI::Formatter {
 public:
  std::string make_help(const CLI::App* app, std::string name,
                        CLI::AppFormatMode mode) const override {
    std::string out = CLI::Formatter::make_help(app, std::move(name), mode);
    for (std::size_t at; (at = out.find("\n\n\n")) != std::string::npos;) out.erase(at, 1);
    return out;
  }
};

}  // namespace

std::string version_text() {
  std::string out = std::string("ory-segment ") + ORY_SEGMENT_VERSION + "\n";
  out += std::string("commit ") + ORY_SEGMENT_COMMIT + ", built " + ORY_SEGMENT_BUILD_DATE + "\n";
  out += "libjsonnet " + core::libjsonnet_version() + "\n";
  out += std::string("emulates ") + k_emulates + "\n";
  for (const auto& p : core::kratos_profiles()) {
    out += "--kratos " + p.describe();
    if (&p == &core::default_kratos_profile()) out += ", the default";
    out += "\n";
  }
  out.pop_back();
  return out;
}

std::shared_ptr<CLI::FormatterBase> help_formatter() {
  return std::make_shared<SectionedFormatter>();
}

std::vector<OptionInfo> verb_options(const CLI::App& verb) {
  std::vector<OptionInfo> out;
  for (const CLI::Option* o : verb.get_options()) {
    OptionInfo info;
    info.positional = o->get_positional() && !o->nonpositional();
    if (info.positional) {
      info.names.push_back(o->get_name());
    } else {
      for (const auto& s : o->get_snames()) info.names.push_back("-" + s);
      for (const auto& l : o->get_lnames()) info.names.push_back("--" + l);
    }
    info.value = o->get_option_text();
    if (info.value.empty() && o->get_type_size_max() > 0 && o->get_expected_min() > 0) {
      info.value = "VALUE";
    }
    info.help = o->get_description();
    if (const auto* values = option_values(o)) info.values = *values;
    out.push_back(info);
  }
  return out;
}

std::vector<const CLI::App*> visible_verbs(const CLI::App& app) {
  std::vector<const CLI::App*> out;
  for (const CLI::App* verb : app.get_subcommands({})) {
    if (!verb->get_group().empty()) out.push_back(verb);
  }
  return out;
}

std::string completion_script(const CLI::App& app, const std::string& shell) {
  if (shell == "bash") return bash(app);
  if (shell == "zsh") return zsh(app);
  if (shell == "fish") return fish(app);
  return "";
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  const auto guess = util::closest_match(word, candidates);
  return guess ? "; did you mean '" + *guess + "'?" : "";
}

}  // namespace cli
