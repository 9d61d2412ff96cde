#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "backfill/backfill_state.hpp"

namespace core {

// What a resumed backfill skips: the records its state says are finished, checked as the
// reader reaches them against the input's fingerprint through the finished prefix and
// through each finished range, so a state is never applied to another input.
class ResumeCheck {
 public:
  // `finished` learns of the ranges confirmed and the recovered failures.
  ResumeCheck(const BackfillState& resume, FinishedRecords* finished);

  // Record `index` is in the failed file, written after the state was saved (a run killed
  // before its next save): finished, not done again. False when it is already.
  bool recover(long index);

  // Whether record `i` (read in order, `fingerprint` through it) was finished by an earlier
  // run, and is not being retried. Sets `error` when the input is not the one the state was
  // written for.
  bool finished_earlier(long i, std::uint64_t fingerprint, std::string* error);

  // At the end of the input (`records` read): what the state says is finished must have
  // been there; the error, or "".
  std::string check_end(long records) const;

 private:
  bool finished_before(long i, std::uint64_t fingerprint, std::string* error);

  const BackfillState& m_resume;
  FinishedRecords& m_finished;
  std::set<long> m_recovered;
  std::size_t m_next_pending = 0;  // the reader's place in m_resume.done_after
};

}  // namespace core
