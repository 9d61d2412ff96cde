#pragma once

#include <optional>
#include <string>
#include <vector>

namespace core {

// The calls of Segment's HTTP Tracking API that a web_hook can make.
enum class SegmentCall { identify, track, page, screen, group, alias };
enum class SegmentRegion { us, eu };

const std::vector<std::string>& segment_call_names();
const std::vector<std::string>& segment_region_names();

std::optional<SegmentCall> parse_segment_call(const std::string& name);
std::optional<SegmentRegion> parse_segment_region(const std::string& name);
std::string to_string(SegmentCall call);

// https://api.segment.io/v1/CALL or, for EU workspaces, https://events.eu1.segmentapis.com/v1/CALL.
std::string segment_url(SegmentRegion region, SegmentCall call);

// True for hosts of Segment's own Tracking API.
bool is_segment_host(const std::string& host);

}  // namespace core
