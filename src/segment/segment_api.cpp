#include "segment/segment_api.hpp"

#include "util/text.hpp"

namespace core {

const std::vector<std::string>& segment_call_names() {
  static const std::vector<std::string> k_names = {"identify", "track", "page",
                                                   "screen",   "group", "alias"};
  return k_names;
}

const std::vector<std::string>& segment_region_names() {
  static const std::vector<std::string> k_names = {"us", "eu"};
  return k_names;
}

std::optional<SegmentCall> parse_segment_call(const std::string& name) {
  const auto& names = segment_call_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<SegmentCall>(i);
  }
  return std::nullopt;
}

std::optional<SegmentRegion> parse_segment_region(const std::string& name) {
  if (name == "us") return SegmentRegion::us;
  if (name == "eu") return SegmentRegion::eu;
  return std::nullopt;
}

std::string to_string(SegmentCall call) {
  return segment_call_names().at(static_cast<std::size_t>(call));
}

std::string segment_url(SegmentRegion region, SegmentCall call) {
  const char* base =
      region == SegmentRegion::eu ? "https://events.eu1.segmentapis.com" : "https://api.segment.io";
  return std::string(base) + "/v1/" + to_string(call);
}

bool is_segment_host(const std::string& host) {
  const std::string h = util::to_lower(host);
  return h == "api.segment.io" || h == "events.eu1.segmentapis.com";
}

}  // namespace core
