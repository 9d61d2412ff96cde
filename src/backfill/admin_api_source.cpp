#include "backfill/admin_api_source.hpp"

#include <nlohmann/json.hpp>
#include <utility>

#include "io/document.hpp"
#include "io/json_scan.hpp"
#include "util/text.hpp"
#include "util/url.hpp"

namespace core {
namespace {

// One line of at most 200 bytes of a server's answer, for an error message.
std::string excerpt(std::string_view text) {
  std::string out;
  for (char c : util::trim(text)) {
    if (out.size() >= 200) return out + "...";
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  return out;
}

// A record of a page as compact JSON, and its id ("" when it has none). A record that is not
// JSON or nests too deep is left as it is: the pipeline refuses it, with the reason.
std::string compact_identity(std::string* record) {
  if (io::json_depth(*record, io::k_max_document_depth) > io::k_max_document_depth) return "";
  const Json identity = Json::parse(*record, nullptr, false);
  if (identity.is_discarded()) return "";
  *record = identity.dump();
  const auto id = identity.is_object() ? identity.find("id") : identity.end();
  return id != identity.end() && id->is_string() ? id->get<std::string>() : "";
}

// Kratos's error body: {"error": {"message": ..., "reason": ...}}.
std::string error_message(const std::string& body) {
  const Json j = Json::parse(body, nullptr, false);
  if (j.is_object()) {
    const auto e = j.find("error");
    if (e != j.end() && e->is_object()) {
      std::string text;
      for (const char* key : {"message", "reason"}) {
        const auto v = e->find(key);
        if (v != e->end() && v->is_string() && !v->get<std::string>().empty()) {
          text += (text.empty() ? "" : ": ") + v->get<std::string>();
        }
      }
      if (!text.empty()) return excerpt(text);
    }
  }
  return excerpt(body);
}

bool iequals(std::string_view a, std::string_view b) {
  return util::to_lower(a) == util::to_lower(b);
}

}  // namespace

bool admin_api_retries(int status) {
  if (status == 0 || status == 408 || status == 429) return true;
  return status >= 500 && status != 501 && status != 505 && status != 511;
}

bool admin_api_base(const std::string& url, std::string* base, std::string* err) {
  const auto scheme_end = url.find("://");
  const auto authority_end =
      url.find_first_of("/?#", scheme_end == std::string::npos ? 0 : scheme_end + 3);
  if (scheme_end != std::string::npos &&
      url.substr(0, authority_end).find('@') != std::string::npos) {
    // Not quoted: it holds a password.
    *err =
        "URL carries credentials (user:password@); give the API key with --api-key-file or "
        "ORY_PROJECT_API_KEY instead";
    return false;
  }
  std::string why;
  const auto u = util::parse_url(url, &why);
  if (!u) {
    *err = "'" + url + "' " + why;
    return false;
  }
  if (u->scheme != "http" && u->scheme != "https") {
    *err = "'" + url + "' is not an http:// or https:// URL";
    return false;
  }
  if (!u->query.empty() || url.find('#') != std::string::npos) {
    *err = "'" + url + "' has a query or fragment; give the API's base, such as " +
           "http://127.0.0.1:4434";
    return false;
  }
  std::string path = u->path;
  while (!path.empty() && path.back() == '/') path.pop_back();
  for (const char* suffix : {"/admin/identities", "/admin"}) {
    if (util::ends_with(path, suffix)) {
      path.resize(path.size() - std::string(suffix).size());
      break;
    }
  }
  const std::string host = u->host.find(':') != std::string::npos ? "[" + u->host + "]" : u->host;
  *base = u->scheme + "://" + host + (u->port.empty() ? "" : ":" + u->port) + path;
  return true;
}

// Which page a query asks for: its page_token (the first page's, the nil UUID Kratos's
// rel="first" carries, is the absent one's), or an older Kratos's page number.
std::string page_key(const std::string& query) {
  std::string token, page;
  for (std::size_t start = 0; start <= query.size();) {
    const std::size_t amp = std::min(query.find('&', start), query.size());
    const std::string param = query.substr(start, amp - start);
    if (util::starts_with(param, "page_token=")) token = param.substr(11);
    if (util::starts_with(param, "page=")) page = param.substr(5);
    start = amp + 1;
  }
  if (token == "00000000-0000-0000-0000-000000000000") token.clear();
  return token.empty() && !page.empty() ? "page=" + page : token;
}

std::string next_link(const io::HttpResponse& response) {
  std::string links;
  for (const auto& [name, value] : response.headers) {
    if (name == "link") links += (links.empty() ? "" : ",") + value;
  }
  std::size_t at = 0;
  while ((at = links.find('<', at)) != std::string::npos) {
    const std::size_t close = links.find('>', at);
    if (close == std::string::npos) break;
    std::string target = links.substr(at + 1, close - at - 1);
    const std::size_t end = links.find('<', close);
    const std::string params =
        links.substr(close + 1, end == std::string::npos ? std::string::npos : end - close - 1);
    std::size_t p = 0;
    while (p < params.size()) {
      std::size_t q = params.find_first_of(";,", p);
      if (q == std::string::npos) q = params.size();
      const std::string_view param = util::trim(std::string_view(params).substr(p, q - p));
      p = q + 1;
      if (param.size() < 4 || !iequals(param.substr(0, 4), "rel=")) continue;
      std::string_view rel = param.substr(4);
      if (rel.size() >= 2 && rel.front() == '"' && rel.back() == '"') {
        rel = rel.substr(1, rel.size() - 2);
      }
      // rel="next" or a space-separated list holding it.
      std::size_t w = 0;
      while (w < rel.size()) {
        std::size_t space = rel.find(' ', w);
        if (space == std::string_view::npos) space = rel.size();
        if (iequals(rel.substr(w, space - w), "next")) return target;
        w = space + 1;
      }
    }
    at = close;
  }
  return "";
}

AdminApiSource::AdminApiSource(AdminApiOptions options, std::unique_ptr<io::HttpClient> client,
                               io::Clock& clock, std::function<double()> jitter,
                               const std::atomic<bool>* stop)
    : m_options(std::move(options)),
      m_client(std::move(client)),
      m_clock(clock),
      m_jitter(std::move(jitter)),
      m_stop(stop) {
  m_options.retry.retries = admin_api_retries;
}

std::string AdminApiSource::refusal(const io::HttpResponse& r) const {
  const std::string what = name() + " answered HTTP " + std::to_string(r.status);
  // A server may echo the request: the key never reaches a message, whole or cut.
  const std::string message = error_message(util::redact_secrets(r.body, m_options.api_key));
  const std::string detail = message.empty() ? "" : " (" + message + ")";
  if (r.status == 401 || r.status == 403) {
    return what + detail +
           (m_options.api_key.empty()
                ? ": it needs an API key (Ory Network: a project API key); give it with "
                  "--api-key-file FILE or ORY_PROJECT_API_KEY"
                : ": the API key was refused; check it is an API key of this project");
  }
  if (r.status == 404) {
    return what + detail + ": is " + m_options.base +
           " the admin API's base (self-hosted Kratos: its admin port, such as "
           "http://127.0.0.1:4434; Ory Network: https://SLUG.projects.oryapis.com)?";
  }
  if (r.status >= 300 && r.status < 400) {
    const std::string location = util::redact_secrets(r.header("location"), m_options.api_key);
    return what + (location.empty() ? "" : " to " + location) +
           ": give the URL it redirects to as --from-admin-api";
  }
  return what + detail;
}

bool AdminApiSource::fetch(const std::string& query, long start, std::string* err) {
  io::HttpRequest request;
  request.method = "GET";
  request.url = m_options.base + "/admin/identities?" + query;
  request.headers.emplace_back("Accept", "application/json");
  if (!m_options.api_key.empty()) {
    request.headers.emplace_back("Authorization", "Bearer " + m_options.api_key);
  }
  request.timeout = m_options.timeout;
  request.max_body_bytes = k_max_page_bytes;
  request.stop_past_max = true;
  const BatchDelivery d =
      deliver_batch(*m_client, m_clock, m_jitter, request, m_options.retry, m_stop);
  m_requests += d.attempts;
  m_retries += d.attempts - 1;
  if (d.interrupted) return false;
  const io::HttpResponse& r = d.response;
  if (!d.delivered) {
    m_unreachable = admin_api_retries(r.status);
    if (r.status == 0) {
      *err = name() + ": no answer after " + std::to_string(d.attempts) + " attempt(s): " + r.error;
    } else if (m_unreachable) {
      *err = refusal(r) + " after " + std::to_string(d.attempts) + " attempt(s)" +
             (d.error.empty() ? "" : ": " + d.error);
    } else {
      *err = refusal(r);
    }
    return false;
  }
  m_bytes += r.body.size();
  if (r.body_truncated()) {
    const std::string length = r.header("content-length");
    *err = name() + "?" + query + ": a page of " +
           (length.empty() ? "more than " + std::to_string(k_max_page_bytes) : length) +
           " bytes, over the " + std::to_string(k_max_page_bytes >> 20) +
           " MB this reads; pass a smaller --page-size";
    return false;
  }
  // Taken apart as text, never parsed whole: memory stays near the page's size (a parsed
  // page costs some 50 times that), and a record too deep to parse is refused alone.
  std::vector<std::string> records;
  std::string not_array;
  if (!io::split_json_array(r.body, &records, &not_array)) {
    const std::string type = r.header("content-type");
    const bool other = not_array != io::k_not_an_array;  // one, but cut or malformed
    *err = name() + "?" + query + ": the answer is not a JSON array of identities" +
           (other ? " (" + not_array + ")" : "") +
           (type.empty() ? "" : " (Content-Type: " + type + ")") + ": is " + m_options.base +
           " Kratos's admin API?";
    return false;
  }
  Page p;
  p.query = query;
  p.start = start;
  m_records = std::move(records);
  m_next = 0;
  p.ids.reserve(m_records.size());
  for (std::string& record : m_records) p.ids.push_back(compact_identity(&record));
  if (const std::string link = next_link(r); !link.empty()) {
    std::string why;
    const auto resolved = util::resolve_url(request.url, link, &why);
    const auto u = resolved ? util::parse_url(*resolved, &why) : std::nullopt;
    if (!u || u->query.empty()) {
      *err = name() + ": the Link header's next page '" + excerpt(link) + "' has no query";
      return false;
    }
    if (u->query == query) {
      *err = name() + ": the Link header's next page is the page just read (" + query + ")";
      return false;
    }
    m_read_queries.insert(page_key(query));
    if (m_read_queries.count(page_key(u->query)) > 0) {
      *err = name() + ": the Link header's next page (" + excerpt(u->query) +
             ") was already read in this run: the pages cycle; stopped before sending anyone "
             "twice";
      return false;
    }
    // Only the query is taken: the key goes nowhere but the host the user named, and Kratos
    // builds the link from its own idea of its URL, which may not be reachable from here.
    p.next_query = u->query;
  }
  std::lock_guard<std::mutex> lock(m_mutex);
  m_pages.push_back(std::move(p));
  return true;
}

bool AdminApiSource::open(BackfillState* resume, std::string* err) {
  if (!resume->page) {
    if (resume->records_done > 0 || !resume->done_after.empty()) {
      *err = "the state was written reading " +
             (resume->input.empty() ? std::string("a file") : resume->input) +
             ", not the admin API: resume with that input, or use another --state";
      return false;
    }
    return fetch("page_size=" + std::to_string(m_options.page_size), 0, err);
  }
  const PagePosition at = *resume->page;
  if (!fetch(at.query, at.start, err)) {
    if (!err->empty()) *err += " (resuming from the page the state names)";
    return false;
  }
  long skip = 0;
  std::vector<std::string> ids;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    ids = m_pages.back().ids;
  }
  const auto size = static_cast<long>(ids.size());
  if (at.skip > 0) {
    if (at.skip <= size && ids[static_cast<std::size_t>(at.skip - 1)] == at.last_done_id) {
      skip = at.skip;
    } else {
      long found = -1;
      for (long i = 0; i < size && !at.last_done_id.empty(); ++i) {
        if (ids[static_cast<std::size_t>(i)] == at.last_done_id) found = i;
      }
      skip = found + 1;
      if (m_options.note) {
        m_options.note(found >= 0 ? "identities were added or deleted since the last run: "
                                    "picking up after identity " +
                                        at.last_done_id + ", the last one finished"
                                  : "identity " + at.last_done_id +
                                        ", the last one finished, is no longer on its page: "
                                        "the page is sent again (with the same messageIds, "
                                        "which Segment de-duplicates)");
      }
    }
  }
  if (!resume->done_after.empty() && m_options.note) {
    m_options.note(util::format_count(resume->finished_after()) +
                   " identities finished past that point are sent again (the same messageIds)");
  }
  m_next = static_cast<std::size_t>(skip);
  m_first_index = at.start + skip;
  resume->records_done = m_first_index;
  resume->fingerprint.reset();
  resume->done_after.clear();
  return true;
}

bool AdminApiSource::next(std::string* record, std::string* err) {
  while (m_next >= m_records.size()) {
    std::string query;
    long start = 0;
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      if (m_pages.empty()) return false;
      query = m_pages.back().next_query;
      start = m_pages.back().start + static_cast<long>(m_pages.back().ids.size());
    }
    if (query.empty() || (m_stop && m_stop->load())) return false;
    if (!fetch(query, start, err)) return false;
  }
  *record = std::move(m_records[m_next++]);
  return true;
}

std::optional<PagePosition> AdminApiSource::position(long records_done) {
  std::lock_guard<std::mutex> lock(m_mutex);
  const auto end = [](const Page& p) { return p.start + static_cast<long>(p.ids.size()); };
  while (m_pages.size() > 1 && end(m_pages.front()) <= records_done) m_pages.pop_front();
  if (m_pages.empty()) return std::nullopt;
  const Page& p = m_pages.front();
  const long size = static_cast<long>(p.ids.size());
  const long at = std::max(records_done, p.start);
  if (at < end(p)) {
    const long skip = at - p.start;
    return PagePosition{p.query, p.start, skip,
                        skip > 0 ? p.ids[static_cast<std::size_t>(skip - 1)] : std::string()};
  }
  if (!p.next_query.empty()) return PagePosition{p.next_query, end(p), 0, ""};
  return PagePosition{p.query, p.start, size, size > 0 ? p.ids.back() : std::string()};
}

}  // namespace core
