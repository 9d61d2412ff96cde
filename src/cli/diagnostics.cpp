#include "cli/diagnostics.hpp"

#include <iostream>

#include "util/url.hpp"

namespace cli {
namespace {

void emit(const char* kind, const std::string& message) {
  // A URL a user gave may carry a password (user:password@host): never shown.
  std::cerr << "ory-segment: " << kind << ": " << util::redact_url_passwords(message) << '\n';
}

}  // namespace

void error(const std::string& message) { emit("error", message); }
void warning(const std::string& message) { emit("warning", message); }
void note(const std::string& message) { emit("note", message); }

}  // namespace cli
