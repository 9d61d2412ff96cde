#include <catch2/catch.hpp>
#include <thread>

#include "util/channel.hpp"
#include "util/rate_limiter.hpp"

TEST_CASE("channel: bounded, in order, drained after close") {
  util::Channel<int> channel(2);
  std::vector<int> got;
  std::thread consumer([&] {
    while (auto item = channel.pop()) got.push_back(*item);
  });
  for (int i = 0; i < 1000; ++i) REQUIRE(channel.push(i));  // blocks while the consumer lags
  channel.close();
  consumer.join();
  REQUIRE(got.size() == 1000);
  for (int i = 0; i < 1000; ++i) CHECK(got[static_cast<std::size_t>(i)] == i);
  CHECK_FALSE(channel.push(1));
  CHECK_FALSE(channel.pop());
}

TEST_CASE("channel: close wakes a producer blocked on a full channel") {
  util::Channel<int> channel(1);
  REQUIRE(channel.push(1));
  bool pushed = true;
  std::thread producer([&] { pushed = channel.push(2); });
  channel.close();
  producer.join();
  CHECK_FALSE(pushed);
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
  std::atomic<bool> stop{true};
  util::RateLimiter slow(0.001);  // one per 1000 s: acquire returns at once when stopped
  slow.reserve();
  const auto t0 = std::chrono::steady_clock::now();
  slow.acquire(stop);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(500));
}
