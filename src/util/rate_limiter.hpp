#pragma once

#include <atomic>
#include <chrono>
#include <mutex>

namespace util {

// Spaces out events shared by several threads: at most `rate` per second, each caller
// given the next free slot.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateLimiter(double rate);

  // The next slot: when the caller may go, at least 1/rate after the previous one.
  Clock::time_point reserve();

  // Waits for the next slot: true when it came, false when `stop` became true first.
  bool acquire(const std::atomic<bool>& stop);

 private:
  Clock::duration m_interval;
  Clock::time_point m_next;
  std::mutex m_mutex;
};

}  // namespace util
