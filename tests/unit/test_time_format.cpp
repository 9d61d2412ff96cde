#include <catch2/catch.hpp>

#include "util/time_format.hpp"

TEST_CASE("time_format: RFC 3339 date-times are read as instants, anything else refused") {
  const auto t = [](const char* text) { return util::parse_rfc3339(text); };
  REQUIRE(t("1970-01-01T00:00:00Z"));
  CHECK(t("1970-01-01T00:00:00Z")->seconds == 0);
  CHECK(t("2026-01-01T00:00:00Z")->seconds == 1767225600);  // date -d 2026-01-01Z +%s
  CHECK(t("2024-02-29T12:00:00Z")->seconds == 1709208000);  // a leap day
  CHECK(t("1969-12-31T23:59:59Z")->seconds == -1);
  // Offsets and fractions: the same instant however it is written.
  CHECK(*t("2026-01-01T01:30:00+01:30") == *t("2026-01-01T00:00:00Z"));
  CHECK(*t("2025-12-31T19:00:00-05:00") == *t("2026-01-01T00:00:00z"));
  CHECK(*t("2026-01-01 00:00:00Z") == *t("2026-01-01t00:00:00Z"));
  CHECK(t("2026-01-01T00:00:00.5Z")->nanos == 500000000);
  CHECK(t("2026-01-01T00:00:00.123456789123Z")->nanos == 123456789);  // past nanoseconds: cut
  CHECK(*t("2026-01-01T00:00:00Z") < *t("2026-01-01T00:00:00.000001Z"));
  CHECK(*t("2026-01-01T00:00:00.999Z") < *t("2026-01-01T00:00:01Z"));
  for (const char* bad :
       {"2026-01-01", "2026-01-01T00:00:00", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-01-01T24:00:00Z", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+0100",
        "2026-01-01T00:00:00Z ", "", "yesterday", "2026-01-01T00:00:00+24:00"}) {
    CAPTURE(bad);
    CHECK_FALSE(t(bad));
  }
}
