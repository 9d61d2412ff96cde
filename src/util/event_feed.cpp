#include "util/event_feed.hpp"

namespace util {

const std::string& FeedItem::text() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (!m_made) {
    m_text = m_make();
    m_make = nullptr;
    m_made = true;
  }
  return m_text;
}

void EventFeed::Entries::push(FeedEvent event, std::size_t max_events, std::size_t max_bytes) {
  bytes += event->bytes();
  events.push_back(std::move(event));
  while (!events.empty() && (events.size() > max_events || bytes > max_bytes)) {
    bytes -= events.front()->bytes();
    events.pop_front();
    ++dropped;
  }
}

EventFeed::EventFeed(FeedLimits limits) : m_limits(limits) {}

EventFeed::~EventFeed() { close(); }

void EventFeed::publish(FeedEvent event) {
  std::lock_guard<std::mutex> lock(m_mutex);
  for (Entries& q : m_queues) q.push(event, m_limits.queue_events, m_limits.queue_bytes);
  m_history.push(std::move(event), m_limits.history_events, m_limits.history_bytes);
  if (!m_queues.empty()) m_changed.notify_all();
}

std::unique_ptr<EventFeed::Subscription> EventFeed::subscribe(std::size_t max_subscribers) {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (m_queues.size() >= max_subscribers) return nullptr;
  Entries start;
  start.dropped = m_history.dropped;
  for (const auto& e : m_history.events) {
    start.push(e, m_limits.queue_events, m_limits.queue_bytes);
  }
  m_queues.push_back(std::move(start));
  return std::unique_ptr<Subscription>(new Subscription(this, std::prev(m_queues.end())));
}

void EventFeed::close() {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_closed = true;
  m_changed.notify_all();
}

std::size_t EventFeed::subscribers() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_queues.size();
}

EventFeed::Subscription::~Subscription() {
  std::lock_guard<std::mutex> lock(m_feed->m_mutex);
  m_feed->m_queues.erase(m_queue);
}

EventFeed::Batch EventFeed::Subscription::wait(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(m_feed->m_mutex);
  Entries& q = *m_queue;
  m_feed->m_changed.wait_for(
      lock, timeout, [&] { return m_feed->m_closed || !q.events.empty() || q.dropped > 0; });
  Batch out;
  out.dropped = q.dropped;
  out.events.assign(std::make_move_iterator(q.events.begin()),
                    std::make_move_iterator(q.events.end()));
  q.events.clear();
  q.bytes = 0;
  q.dropped = 0;
  return out;
}

bool EventFeed::Subscription::closed() const {
  std::lock_guard<std::mutex> lock(m_feed->m_mutex);
  return m_feed->m_closed;
}

}  // namespace util
