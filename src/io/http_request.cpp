// HTTP/1.x requests as HttpServer reads them: pure, so they can be fuzzed.
#include <cctype>
#include <cstring>
#include <optional>
#include <vector>

#include "io/http_server.hpp"
#include "util/text.hpp"

namespace io {
namespace {

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         (c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
}

ParseOutcome bad(int status, std::string why) {
  ParseOutcome o;
  o.status = ParseStatus::bad;
  o.error_status = status;
  o.error = std::move(why);
  return o;
}

// Finds the end of the head: the index just past "\r\n\r\n" (or "\n\n").
std::size_t head_end(std::string_view data) {
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] != '\n') continue;
    if (i + 1 < data.size() && data[i + 1] == '\n') return i + 2;
    if (i + 2 < data.size() && data[i + 1] == '\r' && data[i + 2] == '\n') return i + 3;
  }
  return std::string_view::npos;
}

enum class ChunkStatus { incomplete, complete, bad };
enum class LineStatus { ok, incomplete, too_long };

// The line starting at `from` (without its CR LF), and where the next one starts.
LineStatus line_at(std::string_view data, std::size_t from, std::size_t max, std::string_view* line,
                   std::size_t* next) {
  const std::size_t nl = data.find('\n', from);
  if (nl == std::string_view::npos) {
    return data.size() - from > max ? LineStatus::too_long : LineStatus::incomplete;
  }
  if (nl - from > max) return LineStatus::too_long;
  std::string_view l = data.substr(from, nl - from);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  *line = l;
  *next = nl + 1;
  return LineStatus::ok;
}

// A chunked body (RFC 9112 section 7.1) at the start of `data`: chunk sizes in hex with
// optional extensions, the data, a last chunk of size 0, trailer lines, an empty line.
// `used` is the bytes it took; `bad_out` carries the status for a bad or oversized body.
ChunkStatus parse_chunked(std::string_view data, const ServerLimits& limits, std::string* body,
                          std::size_t* used, ParseOutcome* bad_out) {
  std::string out;
  std::size_t pos = 0;
  std::string_view line;
  std::size_t next = 0;
  while (true) {
    const LineStatus ls = line_at(data, pos, limits.max_header_bytes, &line, &next);
    if (ls == LineStatus::incomplete) return ChunkStatus::incomplete;
    const std::string_view size_text =
        ls == LineStatus::ok ? util::trim(line.substr(0, line.find(';'))) : std::string_view();
    if (size_text.empty() || size_text.size() > 8 ||
        size_text.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
      *bad_out = bad(400, "malformed chunk size");
      return ChunkStatus::bad;
    }
    const std::size_t size = std::stoul(std::string(size_text), nullptr, 16);
    pos = next;
    if (size == 0) break;
    if (out.size() + size > limits.max_body_bytes) {
      *bad_out = bad(413, "request body too large");
      return ChunkStatus::bad;
    }
    if (data.size() - pos < size + 1) return ChunkStatus::incomplete;
    out.append(data.substr(pos, size));
    pos += size;
    if (data[pos] == '\r') {
      if (data.size() - pos < 2) return ChunkStatus::incomplete;
      ++pos;
    }
    if (data[pos] != '\n') {
      *bad_out = bad(400, "chunk data not followed by a line break");
      return ChunkStatus::bad;
    }
    ++pos;
  }
  // Trailer lines, up to the empty line that ends the body.
  for (int trailers = 0;; ++trailers) {
    const LineStatus ls = line_at(data, pos, limits.max_header_bytes, &line, &next);
    if (ls == LineStatus::incomplete) return ChunkStatus::incomplete;
    if (ls == LineStatus::too_long || trailers > 64) {
      *bad_out = bad(431, "chunked trailers too large");
      return ChunkStatus::bad;
    }
    pos = next;
    if (line.empty()) break;
  }
  *body = std::move(out);
  *used = pos;
  return ChunkStatus::complete;
}

std::vector<std::string_view> split_lines(std::string_view head) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < head.size()) {
    std::size_t end = head.find('\n', start);
    if (end == std::string_view::npos) end = head.size();
    std::string_view line = head.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

}  // namespace

std::size_t request_head_end(std::string_view data) { return head_end(data); }

std::string ServerRequest::header(const std::string& lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return "";
}

namespace {

// The request line (METHOD SP TARGET SP VERSION) and the header lines; the refusal when
// they are malformed.
std::optional<ParseOutcome> parse_head(const std::vector<std::string_view>& lines,
                                       ServerRequest* out) {
  // Request line: METHOD SP TARGET SP VERSION
  const std::string_view first = lines[0];
  const auto sp1 = first.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : first.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos || sp1 == 0 ||
      sp2 == sp1 + 1 || first.find(' ', sp2 + 1) != std::string_view::npos) {
    return bad(400, "malformed request line");
  }
  out->method = std::string(first.substr(0, sp1));
  out->target = std::string(first.substr(sp1 + 1, sp2 - sp1 - 1));
  out->version = std::string(first.substr(sp2 + 1));
  for (char c : out->method) {
    if (!is_token_char(c)) return bad(400, "malformed method");
  }
  if (out->version != "HTTP/1.1" && out->version != "HTTP/1.0") {
    return bad(400, "unsupported HTTP version");
  }
  if (out->target.empty() || out->target[0] != '/') return bad(400, "malformed request target");
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto colon = lines[i].find(':');
    if (colon == std::string_view::npos || colon == 0) return bad(400, "malformed header line");
    const std::string_view name = lines[i].substr(0, colon);
    for (char c : name) {
      if (!is_token_char(c)) return bad(400, "malformed header name");
    }
    out->headers.emplace_back(util::to_lower(name),
                              std::string(util::trim(lines[i].substr(colon + 1))));
  }
  return std::nullopt;
}

}  // namespace

ParseOutcome parse_request(std::string_view data, const ServerLimits& limits, ServerRequest* out) {
  const std::size_t end = head_end(data.substr(0, limits.max_header_bytes + 4));
  if (end == std::string_view::npos) {
    if (data.size() > limits.max_header_bytes) return bad(431, "request head too large");
    return ParseOutcome{};
  }
  const auto lines = split_lines(data.substr(0, end));
  if (lines.empty()) return bad(400, "empty request");
  ServerRequest req;
  if (const auto refused = parse_head(lines, &req)) return *refused;
  const std::string transfer_encoding = util::to_lower(req.header("transfer-encoding"));
  if (!transfer_encoding.empty()) {
    if (transfer_encoding != "chunked") {
      return bad(501, "Transfer-Encoding '" + transfer_encoding + "' is not supported");
    }
    if (!req.header("content-length").empty()) {
      return bad(400, "both Transfer-Encoding and Content-Length");
    }
    ParseOutcome o;
    std::size_t used = 0;
    const ChunkStatus chunked = parse_chunked(data.substr(end), limits, &req.body, &used, &o);
    if (chunked == ChunkStatus::bad) return o;
    if (chunked == ChunkStatus::incomplete) {
      o.expects_continue = util::to_lower(req.header("expect")) == "100-continue";
      return o;
    }
    *out = std::move(req);
    o.status = ParseStatus::complete;
    o.consumed = end + used;
    return o;
  }
  std::size_t length = 0;
  bool seen_length = false;
  for (const auto& [name, value] : req.headers) {
    if (name != "content-length") continue;
    if (value.empty() || value.size() > 12 ||
        value.find_first_not_of("0123456789") != std::string::npos) {
      return bad(400, "malformed Content-Length");
    }
    const std::size_t v = std::stoull(value);
    if (seen_length && v != length) return bad(400, "conflicting Content-Length headers");
    length = v;
    seen_length = true;
  }
  if (length > limits.max_body_bytes) return bad(413, "request body too large");
  if (data.size() - end < length) {
    ParseOutcome o;
    o.expects_continue = util::to_lower(req.header("expect")) == "100-continue";
    return o;
  }
  req.body = std::string(data.substr(end, length));
  *out = std::move(req);
  ParseOutcome o;
  o.status = ParseStatus::complete;
  o.consumed = end + length;
  return o;
}

}  // namespace io
