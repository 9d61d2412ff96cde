#include "util/gzip.hpp"

#include <zlib.h>

#include <cstring>

namespace util {
namespace {

constexpr int k_gzip_window = 16 + MAX_WBITS;  // zlib's flag for the gzip wrapper

Bytef* bytes(std::string_view s) {
  // zlib's next_in is not const-qualified; it never writes through it.
  return reinterpret_cast<Bytef*>(const_cast<char*>(s.data()));
}

}  // namespace

bool gunzip(std::string_view data, std::size_t max_out, std::string* out, std::string* err) {
  out->clear();
  if (data.empty()) {
    *err = "empty gzip body";
    return false;
  }
  z_stream zs;
  std::memset(&zs, 0, sizeof zs);
  if (inflateInit2(&zs, k_gzip_window) != Z_OK) {
    *err = "cannot start the gzip decoder";
    return false;
  }
  zs.next_in = bytes(data);
  zs.avail_in = static_cast<uInt>(data.size());
  char buffer[16384];
  bool ok = true;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buffer);
    zs.avail_out = sizeof buffer;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    const std::size_t produced = sizeof buffer - zs.avail_out;
    if (out->size() + produced > max_out) {
      *err = "the body decompresses to more than " + std::to_string(max_out) + " bytes";
      ok = false;
      break;
    }
    out->append(buffer, produced);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      if (inflateReset(&zs) != Z_OK) {  // another member follows
        *err = "bad gzip data";
        ok = false;
        break;
      }
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      *err = "the gzip data is cut short";
      ok = false;
      break;
    }
    if (rc != Z_OK) {
      *err = std::string("bad gzip data") + (zs.msg ? std::string(": ") + zs.msg : "");
      ok = false;
      break;
    }
  }
  inflateEnd(&zs);
  if (!ok) out->clear();
  return ok;
}

std::string gzip(std::string_view data) {
  z_stream zs;
  std::memset(&zs, 0, sizeof zs);
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, k_gzip_window, 8, Z_DEFAULT_STRATEGY);
  zs.next_in = bytes(data);
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[16384];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buffer);
    zs.avail_out = sizeof buffer;
    rc = deflate(&zs, Z_FINISH);
    out.append(buffer, sizeof buffer - zs.avail_out);
  }
  deflateEnd(&zs);
  return out;
}

}  // namespace util
