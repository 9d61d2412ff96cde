// backfill's progress line counts records: the total estimated from the bytes the records read
// so far took (marked ~), the ETA from the rate of records done.
#include <catch2/catch.hpp>
#include <string>

#include "cli/backfill_report.hpp"

TEST_CASE("backfill progress: records done of an estimated total, not bytes read") {
  core::BackfillProgress p;
  p.stats.read = 1000;  // read ahead of what is done
  p.stats.sent = 240;
  p.stats.failed = 10;
  p.bytes_read = 250'000;
  p.total_bytes = 1'000'000;
  p.seconds = 11;
  // 1,000 records in a quarter of the bytes: ~4,000 in all; 250 done: ~6 %, and at 250 in 11 s
  // the other 3,750 take ~165 s (the bytes alone would have said 25 % and 33 s).
  CHECK(cli::progress_line(p) ==
        "250 identities of ~4,000 (~6%, ETA ~165 s), 23/s, 0 retries, 10 failed");
  // The whole input read: the total is exact, still marked as counted from bytes.
  p.bytes_read = p.total_bytes;
  p.stats.read = 4000;
  p.stats.sent = 3990;
  CHECK(cli::progress_line(p).rfind("4,000 identities of ~4,000 (~100%", 0) == 0);
  // Not a regular file (standard input): no total at all.
  p.total_bytes = 0;
  CHECK(cli::progress_line(p).rfind("4,000 identities, ", 0) == 0);
}
