#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <limits>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace util {

// Bounds of a feed: of its history, and of each subscriber's queue (events and bytes). A full
// queue drops its oldest event, and the subscriber is told how many it missed.
struct FeedLimits {
  std::size_t history_events = 2000;
  std::size_t history_bytes = std::size_t{32} << 20;
  std::size_t queue_events = 1000;
  std::size_t queue_bytes = std::size_t{16} << 20;
};

// One event of a feed: its text, made on first use (by the first subscriber that reads it),
// once, whichever thread asks; nothing is made for an event no one reads.
class FeedItem {
 public:
  // `bytes`: about what the text will take, for the feed's bounds.
  FeedItem(std::size_t bytes, std::function<std::string()> make)
      : m_bytes(bytes), m_make(std::move(make)) {}
  explicit FeedItem(std::string text) : m_bytes(text.size()), m_text(std::move(text)) {
    m_made = true;
  }
  const std::string& text() const;
  std::size_t bytes() const { return m_bytes; }

 private:
  std::size_t m_bytes;
  mutable std::mutex m_mutex;
  mutable std::function<std::string()> m_make;
  mutable std::string m_text;
  mutable bool m_made = false;
};
using FeedEvent = std::shared_ptr<const FeedItem>;

// Events published by one side, read by any number of subscribers, each at its own
// pace: publishing never waits for a subscriber, however slow or stalled. What a new
// subscriber reads first is the history (the latest events, within the limits).
class EventFeed {
  struct Entries {
    std::deque<FeedEvent> events;
    std::size_t bytes = 0;
    std::size_t dropped = 0;
    // Appends, dropping the oldest beyond the limits (counted in `dropped`).
    void push(FeedEvent event, std::size_t max_events, std::size_t max_bytes);
  };

 public:
  // What a subscriber reads at once: the events in order, after `dropped` it missed.
  struct Batch {
    std::size_t dropped = 0;
    std::vector<FeedEvent> events;
  };

  class Subscription {
   public:
    ~Subscription();
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    // Waits up to `timeout` for an event (or a drop, or close()); takes all that are queued.
    Batch wait(std::chrono::milliseconds timeout);
    // The feed was closed: nothing more will come.
    bool closed() const;

   private:
    friend class EventFeed;
    Subscription(EventFeed* feed, std::list<Entries>::iterator queue)
        : m_feed(feed), m_queue(queue) {}
    EventFeed* m_feed;
    std::list<Entries>::iterator m_queue;
  };

  explicit EventFeed(FeedLimits limits = {});
  EventFeed(const EventFeed&) = delete;
  EventFeed& operator=(const EventFeed&) = delete;
  ~EventFeed();

  // Adds an event to the history and to every subscriber's queue.
  void publish(FeedEvent event);
  // A new subscriber, whose queue starts with the history (and how many events the history
  // no longer holds); nullptr when `max_subscribers` are already there. Subscriptions must end
  // before the feed does.
  std::unique_ptr<Subscription> subscribe(
      std::size_t max_subscribers = std::numeric_limits<std::size_t>::max());
  // Wakes every subscriber, for good (the server is stopping).
  void close();
  std::size_t subscribers() const;

 private:
  FeedLimits m_limits;
  mutable std::mutex m_mutex;
  std::condition_variable m_changed;
  Entries m_history;
  std::list<Entries> m_queues;
  bool m_closed = false;
};

}  // namespace util
