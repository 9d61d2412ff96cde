#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

namespace util {

// A bounded queue between threads: push() blocks while it is full, pop() while it is
// empty; after close() pushes are refused and pops drain what is left, then return
// nullopt.
template <typename T>
class Channel {
 public:
  explicit Channel(std::size_t capacity) : m_capacity(capacity) {}

  // False once closed (the item is dropped).
  bool push(T item) {
    std::unique_lock<std::mutex> lock(m_mutex);
    ++m_blocked_pushers;
    m_not_full.wait(lock, [&] { return m_items.size() < m_capacity || m_closed; });
    --m_blocked_pushers;
    if (m_closed) return false;
    m_items.push_back(std::move(item));
    m_not_empty.notify_one();
    return true;
  }

  std::optional<T> pop() {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_not_empty.wait(lock, [&] { return !m_items.empty() || m_closed; });
    if (m_items.empty()) return std::nullopt;
    T item = std::move(m_items.front());
    m_items.pop_front();
    m_not_full.notify_one();
    return item;
  }

  std::size_t size() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_items.size();
  }

  // Producers waiting in push() for room: the back-pressure of a full channel.
  std::size_t blocked_pushers() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_blocked_pushers;
  }

  void close() {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_closed = true;
    m_not_empty.notify_all();
    m_not_full.notify_all();
  }

 private:
  std::size_t m_capacity;
  std::deque<T> m_items;
  bool m_closed = false;
  std::size_t m_blocked_pushers = 0;
  mutable std::mutex m_mutex;
  std::condition_variable m_not_empty, m_not_full;
};

}  // namespace util
