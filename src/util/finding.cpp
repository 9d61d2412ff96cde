#include "util/finding.hpp"

#include <algorithm>

namespace util {

std::string to_string(const Finding& f) {
  return f.location.empty() ? f.message : f.location + ": " + f.message;
}

std::string to_line(const Finding& f) {
  return std::string(severity_name(f.severity)) + ": " + to_string(f);
}

const char* severity_name(Severity s) {
  return s == Severity::error ? "error" : s == Severity::warning ? "warning" : "note";
}

bool has_errors(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.severity == Severity::error; });
}

}  // namespace util
