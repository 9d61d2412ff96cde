#include <catch2/catch.hpp>
#include <thread>

#include "util/channel.hpp"
#include "util/rate_limiter.hpp"

namespace {

// Waits until `n` producers are blocked in push() (the channel is full).
template <typename T>
void wait_for_blocked_pushers(const util::Channel<T>& channel, std::size_t n) {
  while (channel.blocked_pushers() < n) std::this_thread::yield();
}

}  // namespace

TEST_CASE("channel: bounded, in order, drained after close") {
  util::Channel<int> channel(2);
  std::thread producer([&] {
    for (int i = 0; i < 1000; ++i) REQUIRE(channel.push(i));
  });
  // The third push blocks: the channel holds two until someone pops.
  wait_for_blocked_pushers(channel, 1);
  CHECK(channel.size() == 2);
  std::vector<int> got;
  while (got.size() < 1000) got.push_back(*channel.pop());
  producer.join();
  for (int i = 0; i < 1000; ++i) CHECK(got[static_cast<std::size_t>(i)] == i);
  channel.close();
  CHECK_FALSE(channel.push(1));
  CHECK_FALSE(channel.pop());
}

TEST_CASE("channel: close wakes a producer blocked on a full channel") {
  util::Channel<int> channel(1);
  REQUIRE(channel.push(1));
  bool pushed = true;
  std::thread producer([&] { pushed = channel.push(2); });
  wait_for_blocked_pushers(channel, 1);  // it is waiting before the close comes
  channel.close();
  producer.join();
  CHECK_FALSE(pushed);
  CHECK(channel.blocked_pushers() == 0);
  CHECK(channel.pop() == 1);  // what was in it is still delivered
  CHECK_FALSE(channel.pop());
}

TEST_CASE("rate_limiter: slots are spaced by 1/rate, whoever asks") {
  util::RateLimiter limiter(100);  // 10 ms apart
  const auto first = limiter.reserve();
  const auto second = limiter.reserve();
  const auto third = limiter.reserve();
  CHECK(second - first == std::chrono::milliseconds(10));
  CHECK(third - second == std::chrono::milliseconds(10));
  std::atomic<bool> go{false};
  CHECK(limiter.acquire(go));  // its slot comes (30 ms on)
  CHECK(util::RateLimiter::Clock::now() >= third + std::chrono::milliseconds(10));
}

TEST_CASE("rate_limiter: a stop ends the wait for a slot, which is then not taken") {
  util::RateLimiter slow(0.001);  // one per 1000 s
  slow.reserve();
  std::atomic<bool> stop{false};
  bool acquired = true;
  std::thread waiter([&] { acquired = slow.acquire(stop); });  // its slot is 1000 s away
  stop.store(true);
  waiter.join();
  CHECK_FALSE(acquired);
  std::atomic<bool> stopped{true};
  CHECK_FALSE(slow.acquire(stopped));
}
