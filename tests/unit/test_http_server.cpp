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
  CHECK(refused("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") == 411);
}
