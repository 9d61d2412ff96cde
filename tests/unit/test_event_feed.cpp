#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "util/event_feed.hpp"

using namespace std::chrono_literals;

namespace {

util::FeedEvent item(const std::string& text) {
  return std::make_shared<const util::FeedItem>(text);
}

std::vector<std::string> texts(const util::EventFeed::Batch& batch) {
  std::vector<std::string> out;
  for (const auto& e : batch.events) out.push_back(e->text());
  return out;
}

}  // namespace

TEST_CASE("event_feed: a subscriber reads the history first, then what is published") {
  util::EventFeed feed;
  feed.publish(item("a"));
  feed.publish(item("b"));
  const auto sub = feed.subscribe();
  feed.publish(item("c"));
  const auto batch = sub->wait(1000ms);
  CHECK(batch.dropped == 0);
  CHECK(texts(batch) == std::vector<std::string>{"a", "b", "c"});
  CHECK(sub->wait(10ms).events.empty());
  CHECK(feed.subscribers() == 1);
}

TEST_CASE("event_feed: the history keeps the latest, and says how many it no longer holds") {
  util::FeedLimits limits;
  limits.history_events = 3;
  util::EventFeed feed(limits);
  for (int i = 0; i < 10; ++i) feed.publish(item(std::to_string(i)));
  const auto batch = feed.subscribe()->wait(1000ms);
  CHECK(batch.dropped == 7);
  CHECK(texts(batch) == std::vector<std::string>{"7", "8", "9"});
}

TEST_CASE("event_feed: a stalled subscriber's queue stays bounded and never holds publishing") {
  util::FeedLimits limits;
  limits.queue_events = 100;
  limits.queue_bytes = 1000;  // 10-byte events: the bytes bound first
  util::EventFeed feed(limits);
  const auto stalled = feed.subscribe();
  const auto reader = feed.subscribe();
  const std::string event(10, 'x');
  // 100,000 events with a subscriber that never reads: each publish returns at once (a
  // blocked publish would never end here, this thread being the only one).
  for (int i = 0; i < 100000; ++i) feed.publish(item(event + std::to_string(i % 10)));
  auto batch = stalled->wait(1000ms);
  CHECK(batch.events.size() == 90);  // 11 bytes each, within 1000
  CHECK(batch.dropped == 100000 - 90);
  CHECK(batch.events.back()->text() == event + "9");
  batch = reader->wait(1000ms);
  CHECK(batch.events.size() == 90);
}

TEST_CASE("event_feed: a waiting subscriber wakes for an event and for close") {
  util::EventFeed feed;
  const auto sub = feed.subscribe();
  std::thread publisher([&] {
    std::this_thread::sleep_for(50ms);
    feed.publish(item("late"));
  });
  // Within the hour: it wakes for the event, not at the timeout.
  const auto batch = sub->wait(std::chrono::hours(1));
  publisher.join();
  CHECK(texts(batch) == std::vector<std::string>{"late"});
  CHECK_FALSE(sub->closed());
  std::thread closer([&] {
    std::this_thread::sleep_for(50ms);
    feed.close();
  });
  CHECK(sub->wait(std::chrono::hours(1)).events.empty());
  closer.join();
  CHECK(sub->closed());
}

TEST_CASE("event_feed: a subscription that ends leaves the feed") {
  util::EventFeed feed;
  {
    const auto a = feed.subscribe();
    const auto b = feed.subscribe();
    CHECK(feed.subscribers() == 2);
  }
  CHECK(feed.subscribers() == 0);
  feed.publish(item("x"));  // no one to queue it for
  CHECK(texts(feed.subscribe()->wait(1000ms)) == std::vector<std::string>{"x"});
}

TEST_CASE("event_feed: a subscription beyond the most allowed is refused, until one ends") {
  util::EventFeed feed;
  auto a = feed.subscribe(2);
  const auto b = feed.subscribe(2);
  REQUIRE(a);
  REQUIRE(b);
  CHECK_FALSE(feed.subscribe(2));
  CHECK(feed.subscribe(3));  // another bound, counted on the same subscribers
  a.reset();
  CHECK(feed.subscribe(2));
  CHECK(feed.subscribers() == 1);
}

TEST_CASE("event_feed: an event's text is made once, when first read, and never when unread") {
  util::EventFeed feed;
  int made = 0;
  const auto lazy = [&made](const std::string& text) {
    return std::make_shared<const util::FeedItem>(text.size(), [&made, text] {
      ++made;
      return text;
    });
  };
  feed.publish(lazy("unread"));
  CHECK(made == 0);
  const auto a = feed.subscribe();
  const auto b = feed.subscribe();
  const auto batch_a = a->wait(1000ms);
  const auto batch_b = b->wait(1000ms);
  CHECK(made == 0);
  CHECK(batch_a.events.front()->text() == "unread");
  CHECK(batch_b.events.front()->text() == "unread");
  CHECK(made == 1);
}
