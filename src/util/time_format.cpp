#include "util/time_format.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "util/text.hpp"

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

namespace {

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int index_of(std::string_view word, const char* const* names, int count) {
  for (int i = 0; i < count; ++i) {
    const std::string_view name = names[i];
    if (word.size() == name.size() && util::to_lower(word) == util::to_lower(name)) return i;
  }
  return -1;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// `n` digits at `at`, as a number; -1 when they are not all digits.
int digits(const std::string& s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

std::optional<Instant> parse_rfc3339(const std::string& s) {
  const int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
  const int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 60 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  static const int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (day > k_days[month - 1] + (month == 2 && leap(year) ? 1 : 0)) return std::nullopt;
  std::size_t at = 19;
  std::int32_t nanos = 0;
  if (at < s.size() && s[at] == '.') {
    std::size_t n = 0;
    for (++at; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at, ++n) {
      if (n < 9) nanos = nanos * 10 + (s[at] - '0');
    }
    if (n == 0) return std::nullopt;
    for (; n < 9; ++n) nanos *= 10;
  }
  std::int64_t offset = 0;  // seconds east of UTC
  const bool zulu = at + 1 == s.size() && (s[at] == 'Z' || s[at] == 'z');
  if (!zulu) {
    // +HH:MM or -HH:MM, and nothing after it
    if (at + 6 != s.size() || (s[at] != '+' && s[at] != '-') || s[at + 3] != ':') {
      return std::nullopt;
    }
    const int oh = digits(s, at + 1, 2), om = digits(s, at + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return std::nullopt;
    offset = (s[at] == '-' ? -1 : 1) * (std::int64_t{oh} * 3600 + std::int64_t{om} * 60);
  }
  Instant t;
  t.seconds =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
      std::int64_t{hour} * 3600 + std::int64_t{minute} * 60 + second - offset;
  t.nanos = nanos;
  return t;
}

std::optional<std::time_t> parse_rfc1123(std::string_view s) {
  static const char* const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() < 29 || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s[25] != ' ') {
    return std::nullopt;
  }
  if (index_of(s.substr(0, 3), days, 7) < 0) return std::nullopt;
  const int month = index_of(s.substr(8, 3), months, 12);
  const std::string_view day = s.substr(5, 2), year = s.substr(12, 4), hh = s.substr(17, 2),
                         mm = s.substr(20, 2), ss = s.substr(23, 2), zone = s.substr(26);
  if (month < 0 || !all_digits(day) || !all_digits(year) || !all_digits(hh) || !all_digits(mm) ||
      !all_digits(ss)) {
    return std::nullopt;
  }
  if (zone.size() < 3 || zone.size() > 5 ||
      !std::all_of(zone.begin(), zone.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = std::stoi(std::string(year)) - 1900;
  tm.tm_mon = month;
  tm.tm_mday = std::stoi(std::string(day));
  tm.tm_hour = std::stoi(std::string(hh));
  tm.tm_min = std::stoi(std::string(mm));
  tm.tm_sec = std::stoi(std::string(ss));
  if (tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59 || tm.tm_mday < 1) return std::nullopt;
  const int wanted_day = tm.tm_mday;
  const std::time_t t = timegm(&tm);
  if (tm.tm_mday != wanted_day) return std::nullopt;  // "day out of range" (31 Feb)
  return t;
}

}  // namespace util
