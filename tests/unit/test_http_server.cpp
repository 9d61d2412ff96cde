#include <catch2/catch.hpp>

#include "io/http_server.hpp"

namespace {

io::ParseOutcome parse(const std::string& data, io::ServerRequest* out,
                       const io::ServerLimits& limits = {}) {
  return io::parse_request(data, limits, out);
}

}  // namespace

TEST_CASE("http_server: parse_request reads a request head and its body") {
  io::ServerRequest r;
  const std::string wire =
      "POST /v1/batch?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type:  application/json \r\n"
      "Content-Length: 2\r\nAuthorization: Basic S0VZOg==\r\n\r\n{}GET / HTTP/1.1\r\n";
  const auto o = parse(wire, &r);
  REQUIRE(o.status == io::ParseStatus::complete);
  CHECK(o.consumed == wire.find("GET"));  // what follows belongs to the next request
  CHECK(r.method == "POST");
  CHECK(r.target == "/v1/batch?x=1");
  CHECK(r.version == "HTTP/1.1");
  CHECK(r.header("content-type") == "application/json");
  CHECK(r.header("authorization") == "Basic S0VZOg==");
  CHECK(r.header("x-missing").empty());
  CHECK(r.body == "{}");
}

TEST_CASE("http_server: parse_request waits for what has not arrived") {
  io::ServerRequest r;
  CHECK(parse("POST /v1/identify HTTP/1.1\r\nContent-Le", &r).status ==
        io::ParseStatus::incomplete);
  const auto partial = parse("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n{\"a\"", &r);
  CHECK(partial.status == io::ParseStatus::incomplete);
  const auto expect =
      parse("POST / HTTP/1.1\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n", &r);
  CHECK(expect.status == io::ParseStatus::incomplete);
  CHECK(expect.expects_continue);
}

TEST_CASE("http_server: parse_request refuses what it must, with the status to answer") {
  io::ServerLimits limits;
  limits.max_header_bytes = 256;
  limits.max_body_bytes = 16;
  const auto refused = [&](const std::string& data) {
    io::ServerRequest r;
    const auto o = io::parse_request(data, limits, &r);
    CHECK(o.status == io::ParseStatus::bad);
    CHECK_FALSE(o.error.empty());
    return o.error_status;
  };
  CHECK(refused("POST / HTTP/1.1\r\nContent-Length: 17\r\n\r\n") == 413);
  CHECK(refused("POST / HTTP/1.1\r\nX: " + std::string(300, 'x')) == 431);
  CHECK(refused("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n") == 400);
  CHECK(refused("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n") == 400);
  CHECK(refused("NOT A REQUEST\r\n\r\n") == 400);
  CHECK(refused("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n") == 501);
  CHECK(refused("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n") ==
        400);
  const std::string chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  CHECK(refused(chunked + "zz\r\n") == 400);
  CHECK(refused(chunked + "3\r\nabcX") == 400);
  CHECK(refused(chunked + "9\r\n123456789\r\n9\r\n123456789\r\n") == 413);
  CHECK(refused(chunked + "fffffffff\r\n") == 400);
}

TEST_CASE("http_server: parse_request reads chunked bodies") {
  io::ServerLimits limits;
  const std::string head = "POST /v1/identify HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string body = "5\r\nhello\r\n1;ext=1\r\n \r\n6\r\nworld!\r\n0\r\nX-T: 1\r\n\r\n";
  const std::string next = "GET / HTTP/1.1\r\n\r\n";
  io::ServerRequest r;
  const auto o = io::parse_request(head + body + next, limits, &r);
  REQUIRE(o.status == io::ParseStatus::complete);
  CHECK(r.body == "hello world!");
  CHECK(o.consumed == head.size() + body.size());
  // Every prefix short of the whole body is incomplete, never bad.
  for (std::size_t n = 0; n < body.size(); ++n) {
    io::ServerRequest partial;
    CHECK(io::parse_request(head + body.substr(0, n), limits, &partial).status ==
          io::ParseStatus::incomplete);
  }
  // Bare LF line ends are read too.
  CHECK(io::parse_request(head + "3\nabc\n0\n\n", limits, &r).status == io::ParseStatus::complete);
  CHECK(r.body == "abc");
}
