#include "cli/diagnostics.hpp"

#include <iostream>

namespace cli {
namespace {

void emit(const char* kind, const std::string& message) {
  std::cerr << "ory-segment: " << kind << ": " << message << '\n';
}

}  // namespace

void error(const std::string& message) { emit("error", message); }
void warning(const std::string& message) { emit("warning", message); }
void note(const std::string& message) { emit("note", message); }

}  // namespace cli
