// libFuzzer target: the request parser behind `listen` (io::parse_request).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/http_server.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  io::ServerLimits limits;
  limits.max_header_bytes = 1024;
  limits.max_body_bytes = 4096;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  io::ServerRequest request;
  const io::ParseOutcome outcome = io::parse_request(input, limits, &request);
  if (outcome.status == io::ParseStatus::complete) {
    if (outcome.consumed > size || request.body.size() > limits.max_body_bytes) __builtin_trap();
    // A pipelined remainder must parse too.
    io::ServerRequest next;
    io::parse_request(input.substr(outcome.consumed), limits, &next);
  }
  return 0;
}
