#include "util/rate_limiter.hpp"

#include <algorithm>
#include <thread>

namespace util {

RateLimiter::RateLimiter(double rate)
    : m_interval(std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(rate > 0 ? 1.0 / rate : 0))),
      m_next(Clock::now()) {}

RateLimiter::Clock::time_point RateLimiter::reserve(double weight) {
  std::lock_guard<std::mutex> lock(m_mutex);
  const auto now = Clock::now();
  if (m_next < now) m_next = now;
  const auto slot = m_next;
  m_next += std::chrono::duration_cast<Clock::duration>(m_interval * weight);
  return slot;
}

bool RateLimiter::acquire(const std::atomic<bool>& stop, double weight) {
  const auto slot = reserve(weight);
  for (;;) {
    if (stop.load()) return false;
    const auto now = Clock::now();
    if (now >= slot) return true;
    std::this_thread::sleep_for(
        std::min<Clock::duration>(slot - now, std::chrono::milliseconds(50)));
  }
}

}  // namespace util
