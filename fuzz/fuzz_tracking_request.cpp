// libFuzzer target: Segment's rules as `listen` applies them (core::handle_tracking_request,
// which runs core::validate_message on every message).
#include <cstddef>
#include <cstdint>
#include <string>

#include "segment/segment_endpoint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char* const k_paths[] = {
      "/v1/identify", "/v1/track", "/v1/page",   "/v1/screen", "/v1/group",
      "/v1/alias",    "/v1/batch", "/v1/import", "/v2/x",      "/v1/identify?x=1"};
  if (size == 0) return 0;
  const std::string path = k_paths[data[0] % 10];
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  const bool with_key = (data[0] & 0x80) != 0;
  core::EndpointOptions options;
  options.strict_auth = (data[0] & 0x20) != 0;
  if ((data[0] & 0x40) != 0) options.content_encoding = "gzip";
  const core::EndpointResult r = core::handle_tracking_request(
      with_key ? "key" : "", "POST", path, with_key ? "Basic a2V5Og==" : "", body, options);
  if (r.status == 200 && r.body.empty()) __builtin_trap();
  return 0;
}
