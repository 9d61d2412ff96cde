#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core {

// A finding about a template, located in the user's file.
struct Diagnostic {
  std::string location;  // "NAME:LINE:COL", or just "NAME" when there is no position
  std::string message;
};

// "LOCATION: MESSAGE".
std::string to_string(const Diagnostic& d);

// Every `import`, `importstr` and `importbin` in `source` (outside strings and
// comments), which Kratos's sandbox refuses.
std::vector<Diagnostic> find_imports(std::string_view source, const std::string& name);

struct TemplateCheck {
  std::optional<Diagnostic> error;   // the template cannot run under Kratos
  std::vector<Diagnostic> warnings;  // it runs, but probably not as intended
};

// Parses and statically checks a template the way Kratos loads it: no imports, the
// context bound as the top-level argument `ctx`.
TemplateCheck check_template(std::string_view source, const std::string& name);

}  // namespace core
