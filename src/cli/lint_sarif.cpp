// lint's SARIF 2.1.0 output (cli/lint_sarif.hpp).
#include "cli/lint_sarif.hpp"

#include <cctype>
#include <cstdio>
#include <map>
#include <memory>
#include <regex>

#include "io/document.hpp"
#include "util/hash.hpp"

namespace cli {
namespace {

// A URI for a path, as GitHub code scanning takes them: a relative reference, or a file://
// URI for an absolute path; unreserved characters and '/' kept, the rest %-encoded.
std::string uri_for(const std::string& path) {
  std::string out = !path.empty() && path[0] == '/' ? "file://" : "";
  for (const unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

struct SarifPlace {
  const LintInput* input = nullptr;
  std::string pointer;            // into a document
  std::size_t line = 0, col = 0;  // in a template (the file, or a body's text)
  bool in_body = false;           // line and col are in an embedded template
};

SarifPlace place_of(const core::Finding& f, const std::vector<LintInput>& inputs) {
  static const std::regex k_line_col(R"(:([0-9]+):([0-9]+)$)");
  SarifPlace place;
  std::string rest = f.location;
  std::smatch m;
  if (std::regex_search(rest, m, k_line_col)) {
    place.line = std::stoul(m[1]);
    place.col = std::stoul(m[2]);
    rest = rest.substr(0, static_cast<std::size_t>(m.position(0)));
  }
  for (const LintInput& input : inputs) {
    if (rest == input.name) {
      place.input = &input;
    } else if (rest == input.name + " (body)") {
      place = {&input, "/config/body", place.line, place.col, true};
    } else if (rest.rfind(input.name + "#", 0) == 0) {
      place.input = &input;
      place.pointer = rest.substr(input.name.size() + 1);
      place.in_body = place.line > 0;
    } else {
      continue;
    }
    break;
  }
  return place;
}

}  // namespace

core::Json sarif_log(const std::vector<LintInput>& inputs,
                     const std::vector<core::Finding>& findings) {
  const auto& rules = core::lint_rules();
  core::Json rule_docs = core::Json::array();
  for (const auto& rule : rules) {
    const char* level = rule.level == core::Severity::error     ? "error"
                        : rule.level == core::Severity::warning ? "warning"
                                                                : "note";
    rule_docs.push_back({{"id", rule.id},
                         {"shortDescription", {{"text", rule.summary}}},
                         {"fullDescription", {{"text", rule.help}}},
                         {"help", {{"text", rule.help}}},
                         {"defaultConfiguration", {{"level", level}}}});
  }
  core::Json results = core::Json::array();
  std::map<const LintInput*, std::unique_ptr<io::PositionIndex>> indexes;  // one parse each
  const auto index_of = [&indexes](const LintInput* input) -> const io::PositionIndex& {
    auto& slot = indexes[input];
    if (!slot) slot = std::make_unique<io::PositionIndex>(input->text);
    return *slot;
  };
  for (const auto& f : findings) {
    const std::string rule_id = f.rule.empty() ? "template-load" : f.rule;
    std::size_t index = 0;
    while (index < rules.size() && rule_id != rules[index].id) ++index;
    const SarifPlace place = place_of(f, inputs);
    std::string text = f.message;
    if (place.in_body) {
      text += " (template line " + std::to_string(place.line) + ", column " +
              std::to_string(place.col) + ")";
    }
    if (!f.hint.empty()) text += ". Fix: " + f.hint;
    core::Json region = {{"startLine", 1}};
    if (place.input && !place.in_body && place.line > 0) {
      region = {{"startLine", place.line}, {"startColumn", place.col}};
    } else if (place.input && place.input->document) {
      if (const auto pos = index_of(place.input).at(place.pointer)) {
        region = {{"startLine", pos->line}, {"startColumn", pos->column}};
      }
    }
    const std::string path = place.input ? place.input->path : f.location;
    core::Json location = {{"physicalLocation",
                            {{"artifactLocation", {{"uri", uri_for(path == "-" ? "stdin" : path)}}},
                             {"region", region}}}};
    if (!place.pointer.empty()) {
      location["logicalLocations"] = core::Json::array({{{"fullyQualifiedName", place.pointer}}});
    }
    core::Json result = {{"ruleId", rule_id},
                         {"level", core::severity_name(f.severity)},
                         {"message", {{"text", text}}},
                         {"locations", core::Json::array({location})}};
    if (index < rules.size()) result["ruleIndex"] = index;
    // What identifies the finding across runs: its rule, place and message.
    char fingerprint[17];
    std::snprintf(fingerprint, sizeof fingerprint, "%016llx",
                  static_cast<unsigned long long>(
                      util::fnv1a64(rule_id + "\n" + f.location + "\n" + f.message)));
    result["partialFingerprints"] = {{"orySegmentFinding/v1", fingerprint}};
    results.push_back(result);
  }
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs", core::Json::array({{{"tool",
                                        {{"driver",
                                          {{"name", "ory-segment"},
                                           {"version", ORY_SEGMENT_VERSION},
                                           {"rules", rule_docs}}}}},
                                       {"results", results}}})}};
}

}  // namespace cli
