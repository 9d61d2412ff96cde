#include "cli/diagnostics.hpp"

#include <cctype>
#include <iostream>

namespace cli {
namespace {

void emit(const char* kind, std::string message) {
  // Library messages (CLI11's) start upper-case; ours never do.
  if (message.size() > 1 && std::isupper(static_cast<unsigned char>(message[0])) &&
      !std::isupper(static_cast<unsigned char>(message[1]))) {
    message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
  }
  std::cerr << "ory-segment: " << kind << ": " << message << '\n';
}

}  // namespace

void error(const std::string& message) { emit("error", message); }
void warning(const std::string& message) { emit("warning", message); }
void note(const std::string& message) { emit("note", message); }

}  // namespace cli
