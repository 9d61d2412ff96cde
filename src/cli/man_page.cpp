// ory-segment(1): the man page, from the verb table and each verb's options and help.
#include <CLI/CLI.hpp>
#include <sstream>

#include "cli/help.hpp"
#include "ory_segment_build_info.hpp"
#include "util/text.hpp"

namespace cli {
namespace {

constexpr std::size_t k_example_columns = 72;  // an example line, indented, within 80

// Text set in roff: backslashes and hyphens escaped, a leading '.' or '\'' made literal.
std::string roff(const std::string& text) {
  const std::string mapped = util::replace_chars(text, {{'\\', "\\e"}, {'-', "\\-"}});
  std::string out;
  bool line_start = true;
  for (const char c : mapped) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    out += c;
    line_start = c == '\n';
  }
  return out;
}

// An example line longer than k_example_columns, broken at spaces into shell continuation
// lines (" \" at the end, the rest indented by 4 more).
std::string wrap_example(const std::string& line) {
  if (line.size() <= k_example_columns) return line + "\n";
  const std::size_t indent = line.find_first_not_of(' ');
  std::string out, current;
  std::istringstream words(line);
  for (std::string word; words >> word;) {
    const std::string lead =
        current.empty() ? std::string(out.empty() ? indent : indent + 4, ' ') : current + " ";
    if (!current.empty() && lead.size() + word.size() + 2 > k_example_columns) {
      out += current + " \\\n";
      current = std::string(indent + 4, ' ') + word;
    } else {
      current = lead + word;
    }
  }
  return out + current + "\n";
}

// A footer's paragraphs: prose filled by man, indented blocks (examples, lists of values)
// as they are, wrapped.
std::string footer(const std::string& text) {
  std::string out;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find("\n\n", start);
    if (end == std::string::npos) end = text.size();
    const std::string paragraph = text.substr(start, end - start);
    start = end + 2;
    const std::size_t first_break = paragraph.find('\n');
    const bool block = first_break != std::string::npos &&
                       util::starts_with(paragraph.substr(first_break + 1), "  ");
    if (!block) {
      out += ".PP\n" + roff(paragraph) + "\n";
      continue;
    }
    // "Examples:" (or another heading line), then the indented lines.
    out += ".PP\n" + roff(paragraph.substr(0, first_break)) + "\n.nf\n";
    std::istringstream lines(paragraph.substr(first_break + 1));
    for (std::string line; std::getline(lines, line);) out += roff(wrap_example(line));
    out += ".fi\n";
  }
  return out;
}

void verb_section(const CLI::App& verb, std::ostringstream& out) {
  out << ".SS " << verb.get_name() << "\n"
      << roff(verb.get_description()) << "\n.PP\n.B ory-segment " << verb.get_name()
      << "\n[\\fIOPTIONS\\fR]";
  for (const auto& o : verb_options(verb)) {
    if (o.positional) out << "\n[\\fI" << roff(o.names.front()) << "\\fR]";
  }
  out << "\n" << footer(verb.get_footer()) << ".PP\nOPTIONS\n";
  for (const auto& o : verb_options(verb)) {
    out << ".TP\n";
    for (std::size_t i = 0; i < o.names.size(); ++i) {
      out << (i ? ", " : "") << "\\fB" << roff(o.names[i]) << "\\fR";
    }
    if (!o.value.empty() && !o.positional) out << " \\fI" << roff(o.value) << "\\fR";
    out << "\n" << roff(o.help) << "\n";
  }
}

constexpr const char* k_environment[][2] = {
    {"SEGMENT_WRITE_KEY", "the Segment write key, when no --write-key-file is given"},
    {"ORY_PROJECT_API_KEY",
     "backfill --from-admin-api: the Ory project API key, when no "
     "--api-key-file is given"},
    {"NO_COLOR", "set and not empty: --color auto colours nothing"},
    {"TERM", "dumb: --color auto colours nothing"},
    {"https_proxy, http_proxy, no_proxy",
     "the proxy for requests to hosts other than loopback (named in a note); loopback never "
     "goes through one"},
    {"TMPDIR", "where backfill's evaluation helper keeps its socket"},
};

constexpr const char* k_files[][2] = {
    {"STATE, STATE.lock",
     "backfill --state: where a run stands, for an exact resume; the lock "
     "keeps a second run off it"},
    {"FAILED",
     "backfill --failed (default STATE.failed.jsonl): each record that was not sent, "
     "with why, for --retry-failed"},
    {"FILE.bak, FILE.bak.1, ...", "patch --apply and init -o: the file as it was before"},
};

}  // namespace

std::string man_page(const CLI::App& app, const std::string& exit_statuses) {
  std::ostringstream out;
  out << ".TH ORY-SEGMENT 1 \"" << ORY_SEGMENT_BUILD_DATE << "\" \"ory-segment "
      << ORY_SEGMENT_VERSION << "\" \"User Commands\"\n.nh\n.ad l\n"
      << ".SH NAME\n"
      << "ory-segment \\- wire Ory identities into Segment through Ory Actions, verified\n"
      << ".SH SYNOPSIS\n"
      << ".B ory-segment\n.I VERB\n[\\fIOPTIONS\\fR]\n.br\n"
      << ".B ory-segment help\n[\\fIVERB\\fR]\n.br\n"
      << ".B ory-segment \\-\\-version\n"
      << ".SH DESCRIPTION\n"
      << "Turns Ory's \"Segment integration with Ory Actions\" recipe into verified commands: "
         "encode a Jsonnet transform, build the web_hook action, install it where Kratos runs "
         "it, run the transform as Kratos would and check the result as Segment would, send "
         "existing identities, and lint templates and configs.\n"
      << "Every verb takes \\fB\\-q\\fR (no notes, no tables), \\fB\\-\\-color\\fR and "
         "\\fB\\-\\-help\\fR.\n"
      << ".SH VERBS\n";
  for (const CLI::App* verb : visible_verbs(app)) verb_section(*verb, out);
  out << ".SH \"EXIT STATUS\"\n";
  std::istringstream lines(exit_statuses);
  for (std::string line; std::getline(lines, line);) {
    if (!util::starts_with(line, "  ")) continue;
    const std::string entry(util::trim(line));
    const std::size_t gap = entry.find(' ');
    out << ".TP\n.B " << entry.substr(0, gap) << "\n"
        << roff(std::string(util::trim(entry.substr(gap)))) << "\n";
  }
  out << ".SH ENVIRONMENT\n";
  for (const auto& [name, what] : k_environment) out << ".TP\n.B " << name << "\n" << what << "\n";
  out << ".SH FILES\n";
  for (const auto& [name, what] : k_files) {
    out << ".TP\n.I " << roff(name) << "\n" << roff(what) << "\n";
  }
  out << ".SH EXAMPLES\n.nf\n"
      << roff(wrap_example("ory-segment build-action --jsonnet segment.jsonnet --write-key-file "
                           "key.txt --ignore-response -o webhook-action.json") +
              wrap_example("ory-segment patch --action webhook-action.json --config kratos.yml "
                           "--diff") +
              wrap_example("ory-segment lint --config kratos.yml --schema identity.schema.json") +
              wrap_example("ory-segment test-identify --action webhook-action.json --identity "
                           "identity.json --dry-run"))
      << ".fi\n"
      << ".SH VERSION\n"
      << roff(util::replace_chars(version_text(), {{'\n', "\n.br\n"}})) << "\n"
      << ".SH \"SEE ALSO\"\n"
      << ".BR jq (1),\n.BR patch (1);\n"
         "the Ory CLI (ory patch identity\\-config, ory list identities); "
         "/usr/share/doc/ory\\-segment/ (README.md and docs/: one page per verb)\n";
  return out.str();
}

}  // namespace cli
