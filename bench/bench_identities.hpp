// What the backfill benchmark reads: generated identities as Kratos lists them, in a file
// or from a local server that pages them like Kratos's admin API.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "io/http_server.hpp"

namespace bench {

// Whether identity `i` skipped an optional trait (Lacking), for `percent` of them.
inline bool lacks_name(long i, int percent) { return (i * 37) % 100 < percent; }

// Which optional trait `percent` of the identities skipped: the name, or the consent object.
enum class Lacking { name, consent };

// Identity `i` as Kratos lists it; ids sort in the order of `i`. `percent` of them have no
// `name` trait (or no `consent` object).
inline std::string identity_json(long i, int percent = 0, Lacking lacking = Lacking::name) {
  const bool lacks = lacks_name(i, percent);
  char name[64] = "";
  if (!lacks || lacking != Lacking::name) {
    std::snprintf(name, sizeof name, ",\"name\":\"User %ld\"", i);
  }
  char consent[64] = "";
  if (!lacks || lacking != Lacking::consent) {
    std::snprintf(consent, sizeof consent, ",\"consent\":{\"newsletter\":%s}",
                  i % 2 ? "true" : "false");
  }
  char buf[2048];
  std::snprintf(buf, sizeof buf,
                "{\"id\":\"%08lx-7efc-4768-8f23-7647a74fdf13\",\"schema_id\":\"default\","
                "\"schema_url\":\"https://example.projects.oryapis.com/schemas/ZGVmYXVsdA\","
                "\"state\":\"active\",\"state_changed_at\":\"2026-01-01T00:00:00Z\","
                "\"traits\":{\"email\":\"user%ld@example.com\"%s%s},"
                "\"verifiable_addresses\":[{\"id\":\"0d5a5b58-3a3c-4f3b-9a7a-1b5dbe1f2c11\","
                "\"value\":\"user%ld@example.com\",\"verified\":false,\"via\":\"email\","
                "\"status\":\"sent\",\"created_at\":\"2026-01-01T00:00:00Z\","
                "\"updated_at\":\"2026-01-01T00:00:00Z\"}],"
                "\"recovery_addresses\":[{\"id\":\"5c2b1e6f-65a0-4c43-8f62-0f8a1f4bb1a2\","
                "\"value\":\"user%ld@example.com\",\"via\":\"email\","
                "\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:00:00Z\"}],"
                "\"metadata_public\":null,\"credentials\":{\"password\":{\"type\":\"password\"}},"
                "\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:00:00Z\"}",
                i, i, name, consent, i, i);
  return buf;
}

inline void write_identities(const std::string& path, long n, int percent = 0,
                             Lacking lacking = Lacking::name) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("[", f);
  for (long i = 0; i < n; ++i) {
    if (i) std::fputc(',', f);
    std::fputs(identity_json(i, percent, lacking).c_str(), f);
  }
  std::fputs("]\n", f);
  std::fclose(f);
}

// GET /admin/identities as Kratos pages it (keyset: page_token is the last id of the page
// before; Link rel="next" unless the page is the last), over `n` generated identities.
class AdminApiServer {
 public:
  explicit AdminApiServer(long n)
      : m_n(n),
        m_server(io::ServerLimits{}, [this](const io::ServerRequest& r) { return page(r); }) {
    std::string err;
    if (!m_server.bind("127.0.0.1", 0, &err)) {
      std::fprintf(stderr, "bench: %s\n", err.c_str());
      std::exit(1);
    }
    m_thread = std::thread([this] { m_server.serve(); });
  }
  AdminApiServer(const AdminApiServer&) = delete;
  AdminApiServer& operator=(const AdminApiServer&) = delete;
  ~AdminApiServer() {
    m_server.stop();
    m_thread.join();
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(m_server.port()); }

 private:
  static std::string param(const std::string& target, const std::string& name) {
    const auto at = target.find(name + "=");
    if (at == std::string::npos) return "";
    const auto begin = at + name.size() + 1;
    return target.substr(begin, target.find('&', begin) - begin);
  }
  io::ServerResponse page(const io::ServerRequest& r) const {
    long size = std::atol(param(r.target, "page_size").c_str());
    if (size < 1 || size > 500) size = 250;
    const std::string token = param(r.target, "page_token");
    const long start = token.empty() ? 0 : std::strtol(token.substr(0, 8).c_str(), nullptr, 16) + 1;
    const long end = std::min(m_n, start + size);
    io::ServerResponse out;
    out.body = "[";
    for (long i = start; i < end; ++i) {
      if (i > start) out.body += ',';
      out.body += identity_json(i);
    }
    out.body += "]";
    out.headers.emplace_back("Content-Type", "application/json");
    if (end < m_n) {
      char last[16];
      std::snprintf(last, sizeof last, "%08lx", end - 1);
      out.headers.emplace_back("Link", "</admin/identities?page_size=" + std::to_string(size) +
                                           "&page_token=" + last +
                                           "-7efc-4768-8f23-7647a74fdf13>; rel=\"next\"");
    }
    return out;
  }

  long m_n;
  io::HttpServer m_server;
  std::thread m_thread;
};

}  // namespace bench
