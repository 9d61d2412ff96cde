#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace util {

enum class Fraction { millis, micros };

// "2026-11-02T09:14:51.426375Z": UTC, with milliseconds or microseconds.
std::string iso8601_utc(std::chrono::system_clock::time_point t, Fraction fraction);

// An instant: seconds since the Unix epoch (UTC) and nanoseconds into that second.
struct Instant {
  std::int64_t seconds = 0;
  std::int32_t nanos = 0;
  bool operator<(const Instant& o) const {
    return seconds != o.seconds ? seconds < o.seconds : nanos < o.nanos;
  }
  bool operator==(const Instant& o) const { return seconds == o.seconds && nanos == o.nanos; }
};

// An RFC 3339 date-time ("2026-01-01T00:00:00Z", "2026-01-01T01:00:00.123456+01:00"; 't', 'z'
// and a space for 'T' accepted, fractions to the nanosecond), as an instant; nullopt for
// anything else (a date alone, a missing offset, a 13th month, a 61st second).
std::optional<Instant> parse_rfc3339(const std::string& text);

// Go's time.Parse(time.RFC1123, ...): "Mon, 02 Jan 2006 15:04:05 MST", an HTTP date (RFC 5322's
// form). A zone abbreviation Go does not know gets a zero offset, so every one is read as UTC.
std::optional<std::time_t> parse_rfc1123(std::string_view s);

}  // namespace util
