#pragma once

#include <chrono>
#include <string>

namespace util {

enum class Fraction { millis, micros };

// "2026-11-02T09:14:51.426375Z": UTC, with milliseconds or microseconds.
std::string iso8601_utc(std::chrono::system_clock::time_point t, Fraction fraction);

}  // namespace util
