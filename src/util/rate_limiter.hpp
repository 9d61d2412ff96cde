#pragma once

#include <atomic>
#include <chrono>
#include <mutex>

namespace util {

// Spaces out events shared by several threads: at most `rate` per second, each caller
// given the next free slot. A caller may take several events at once (`weight`): a batch of
// k messages holds the next k slots, so the one after it goes k/rate later.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateLimiter(double rate);

  // The next slot: when the caller may go, at least 1/rate after the previous one.
  Clock::time_point reserve(double weight = 1);

  // Waits for the next slot: true when it came, false when `stop` became true first.
  bool acquire(const std::atomic<bool>& stop, double weight = 1);

 private:
  Clock::duration m_interval;
  Clock::time_point m_next;
  std::mutex m_mutex;
};

}  // namespace util
