#pragma once
// lint's SARIF 2.1.0 output, for GitHub code scanning.

#include <string>
#include <vector>

#include "lint/config_lint.hpp"
#include "lint/lint_rules.hpp"

namespace cli {

// A file lint read: findings name it, SARIF points into it.
struct LintInput {
  std::string name;       // as findings name it (io::display_name)
  std::string path;       // as given
  std::string text;       // its bytes, for locating JSON pointers (documents only)
  bool document = false;  // a config or an action: findings in it are JSON pointers
};

// The SARIF log of `findings` in `inputs`: each placed at its line and column (a document's
// JSON pointer located in its text, each text parsed once), with a fingerprint that stays
// the same across runs.
core::Json sarif_log(const std::vector<LintInput>& inputs,
                     const std::vector<core::Finding>& findings);

}  // namespace cli
