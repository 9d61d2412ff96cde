#include "cli/diagnostics.hpp"

#include <iostream>

#include "util/url.hpp"

namespace cli {
namespace {

bool g_quiet = false;

void emit(const char* kind, const std::string& message) {
  // A URL a user gave may carry a password (user:password@host): never shown.
  std::cerr << "ory-segment: " << kind << ": " << util::redact_url_passwords(message) << '\n';
}

}  // namespace

void error(const std::string& message) { emit("error", message); }
void warning(const std::string& message) { emit("warning", message); }
void note(const std::string& message) {
  if (!g_quiet) emit("note", message);
}

void set_quiet(bool quiet) { g_quiet = quiet; }

}  // namespace cli
