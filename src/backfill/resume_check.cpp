#include "backfill/resume_check.hpp"

#include <algorithm>

namespace core {

ResumeCheck::ResumeCheck(const BackfillState& resume, FinishedRecords* finished)
    : m_resume(resume), m_finished(*finished) {}

bool ResumeCheck::recover(long index) {
  if (index < 0 || m_resume.finished(index)) return false;
  return m_recovered.insert(index).second;
}

bool ResumeCheck::finished_earlier(long i, std::uint64_t fingerprint, std::string* error) {
  // A failure being retried is read, checked and sent again like a record not yet finished.
  return finished_before(i, fingerprint, error) && !m_resume.retrying(i);
}

bool ResumeCheck::finished_before(long i, std::uint64_t fingerprint, std::string* error) {
  const auto mismatch = [&](long upto) {
    *error = "the input is not the one the state was written for: its first " +
             std::to_string(upto) +
             " records differ (another file, or records added or changed before the end); "
             "give that input, or pass --restart to start over";
  };
  if (i < m_resume.records_done) {
    if (i == m_resume.records_done - 1 && m_resume.fingerprint &&
        fingerprint != *m_resume.fingerprint) {
      mismatch(m_resume.records_done);
    }
    return true;
  }
  while (m_next_pending < m_resume.done_after.size() &&
         m_resume.done_after[m_next_pending].end <= i) {
    ++m_next_pending;
  }
  if (m_next_pending < m_resume.done_after.size()) {
    const FinishedRange& r = m_resume.done_after[m_next_pending];
    if (i >= r.begin) {
      if (i == r.end - 1) {
        if (r.fingerprint && fingerprint != *r.fingerprint) {
          mismatch(r.end);
        } else {
          m_finished.confirm(r);
        }
      }
      return true;
    }
  }
  if (m_recovered.count(i) > 0) {
    m_finished.done(i);
    return true;
  }
  return false;
}

std::string ResumeCheck::check_end(long records) const {
  long claimed = m_resume.records_done;
  if (!m_resume.done_after.empty()) claimed = std::max(claimed, m_resume.done_after.back().end);
  if (records >= claimed) return "";
  return "the input has " + std::to_string(records) + " records, but the state says " +
         std::to_string(claimed) +
         " were read: it was written for another input (or edited); give that input, or "
         "pass --restart to start over";
}

}  // namespace core
