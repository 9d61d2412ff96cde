#pragma once

#include <string>
#include <utility>
#include <vector>

namespace util {

enum class Severity { error, warning, note };

// A finding about user input: a template, a message, an action, a config. The one type
// every library reports such problems in; "this operation failed" is `bool f(..., std::string*
// err)`.
struct Finding {
  Finding() = default;
  Finding(Severity s, std::string where, std::string what, std::string fix = "",
          std::string rule_id = "")
      : severity(s),
        location(std::move(where)),
        message(std::move(what)),
        hint(std::move(fix)),
        rule(std::move(rule_id)) {}

  Severity severity = Severity::error;
  // Where: "FILE:LINE:COL" or "FILE" for a file, a JSON pointer for a document ("" for
  // the whole of it).
  std::string location;
  std::string message;
  std::string hint;  // a suggested fix, when one is known
  std::string rule;  // the lint rule it breaks (lint/lint_rules.hpp), when lint reports it
};

// "LOCATION: MESSAGE", or MESSAGE alone when there is no location.
std::string to_string(const Finding& f);

// "error: LOCATION: MESSAGE" / "warning: ...", for reports that mix severities.
std::string to_line(const Finding& f);

const char* severity_name(Severity s);

bool has_errors(const std::vector<Finding>& findings);

}  // namespace util

// The domain libraries (namespace core) name it as their own.
namespace core {
using util::Finding;
using util::has_errors;
using util::Severity;
using util::severity_name;
using util::to_line;
using util::to_string;
}  // namespace core
