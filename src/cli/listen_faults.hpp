#pragma once

#include <optional>
#include <string>

namespace cli {

// --respond STATUS[:FILE]: the answer to every request listen processes, instead of Segment's.
struct Answer {
  int status = 200;
  std::string body;  // FILE's text; "" without FILE
};

// Parses --respond (reading FILE), or throws a bad-input Error; nullopt for "".
std::optional<Answer> parse_answer(const std::string& spec);

// The file --respond reads, or "".
std::string answer_file(const std::string& spec);

// --fail SPEC: what to answer the next `count` requests with instead of processing them.
struct Fault {
  enum class Kind { status, reset, slow } kind = Kind::status;
  int status = 503;
  long count = 1;
  std::string retry_after;
  double slow_seconds = 0;
};

// Parses --fail, or throws a bad-input Error.
Fault parse_fault(const std::string& spec);

}  // namespace cli
