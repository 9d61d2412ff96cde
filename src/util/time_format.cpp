#include "util/time_format.hpp"

#include <cstdio>
#include <ctime>

namespace util {

std::string iso8601_utc(std::chrono::system_clock::time_point t, Fraction fraction) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count() % 1000000;
  char frac[16];
  if (fraction == Fraction::millis) {
    std::snprintf(frac, sizeof frac, ".%03ldZ", static_cast<long>(micros / 1000));
  } else {
    std::snprintf(frac, sizeof frac, ".%06ldZ", static_cast<long>(micros));
  }
  return std::string(buf) + frac;
}

}  // namespace util
