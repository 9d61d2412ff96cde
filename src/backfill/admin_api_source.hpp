#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "backfill/identity_source.hpp"
#include "io/http_client.hpp"
#include "segment/segment_batch.hpp"

namespace core {

// Whether a failed request to Kratos's admin API is worth another attempt: network errors,
// 408, 429 and 5xx except 501, 505 and 511.
bool admin_api_retries(int status);

// The largest page read (500 identities of 64 KB each; Kratos's are far smaller): a larger
// answer is refused, read no further than this, so memory stays bounded whatever is sent.
constexpr std::size_t k_max_page_bytes = std::size_t{32} << 20;

// The base a user gives for the admin API ("http://127.0.0.1:4434",
// "https://SLUG.projects.oryapis.com", either with "/admin" or "/admin/identities" after it,
// or a path prefix before those), as scheme://host[:port][/prefix] without a trailing slash.
// False with `err` for anything else (no query, no user info: keys go in a file).
bool admin_api_base(const std::string& url, std::string* base, std::string* err);

// The target of the Link header's rel="next" ("" when there is none): Kratos's
// `<URL>; rel="first",<URL>; rel="next"`, or several Link headers.
std::string next_link(const io::HttpResponse& response);

struct AdminApiOptions {
  std::string base;     // from admin_api_base
  std::string api_key;  // sent as "Authorization: Bearer KEY"; "" sends none (self-hosted)
  int page_size = 500;  // Kratos caps it at 500
  RetryPolicy retry;    // backoff and budget; which failures are retried: admin_api_retries
  std::chrono::milliseconds timeout{60000};
  std::function<void(const std::string&)> note;  // what a resume had to do differently
};

// Identities from Kratos's admin API, GET BASE/admin/identities?page_size=N, page after page
// by the Link header's rel="next" (keyset pagination: page_token is the previous page's last
// identity), without credentials. One page is held at a time. Resumable: position() names the
// page holding a record number as the query that fetches it, and open() skips what a state
// says was finished in it, checked by the last finished identity's id.
class AdminApiSource : public IdentitySource {
 public:
  AdminApiSource(AdminApiOptions options, std::unique_ptr<io::HttpClient> client, io::Clock& clock,
                 std::function<double()> jitter, const std::atomic<bool>* stop);

  bool open(BackfillState* resume, std::string* err) override;
  bool next(std::string* record, std::string* err) override;
  long first_index() const override { return m_first_index; }
  bool unreachable() const override { return m_unreachable; }
  std::size_t bytes_read() const override { return m_bytes.load(); }
  std::optional<PagePosition> position(long records_done) override;
  std::string name() const override { return m_options.base + "/admin/identities"; }

  long requests() const { return m_requests.load(); }
  long retries() const { return m_retries.load(); }

 private:
  struct Page {
    std::string query;  // what fetched it
    long start = 0;     // record number of its first identity
    std::vector<std::string> ids;
    std::string next_query;  // "" on the last page
  };
  // Fetches one page: its records go to m_records, the page to m_pages.
  bool fetch(const std::string& query, long start, std::string* err);
  std::string refusal(const io::HttpResponse& r) const;

  AdminApiOptions m_options;
  std::unique_ptr<io::HttpClient> m_client;
  io::Clock& m_clock;
  std::function<double()> m_jitter;
  const std::atomic<bool>* m_stop;
  std::vector<std::string> m_records;  // the current page's records
  std::size_t m_next = 0;              // the next of them to give
  long m_first_index = 0;
  bool m_unreachable = false;
  std::atomic<std::size_t> m_bytes{0};
  std::atomic<long> m_requests{0}, m_retries{0};
  std::mutex m_mutex;        // guards m_pages
  std::deque<Page> m_pages;  // from the one holding the oldest unfinished record on
  std::unordered_set<std::string> m_read_queries;  // every page read in this run: a cycle stops
};

}  // namespace core
