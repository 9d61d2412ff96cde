#pragma once

#include <map>
#include <string>
#include <string_view>

#include "io/http_client.hpp"
#include "kratos/webhook_action.hpp"

namespace core {

// The request a web_hook action makes, header by header, as Kratos's request builder
// (request/builder.go, request/auth.go) and Go's HTTP client build it.

// How Kratos encodes the template's output: chosen by the Content-Type of config.headers.
enum class BodyEncoding { json, form };

constexpr std::string_view k_content_type_json = "application/json";
constexpr std::string_view k_content_type_form = "application/x-www-form-urlencoded";
constexpr std::string_view k_go_user_agent = "Go-http-client/1.1";

// Go's url.Values.Encode of a flat map: keys sorted, both sides url.QueryEscape'd (a space
// is '+'), pairs joined with '&'.
std::string form_encode(const std::map<std::string, std::string>& values);

// Go's Header.Set: `key` (canonical) gets one value, replacing all others.
void set_header(io::Headers* headers, const std::string& key, const std::string& value);

struct KratosRequest {
  io::HttpRequest http;  // method, url and headers as sent; the body comes from kratos_body
  BodyEncoding encoding = BodyEncoding::json;
};

// What Kratos sends for `action`, but the body: config.headers under their canonical names
// (a name given twice in different case is sent twice, as Go's Header.Add does), the
// Content-Type defaulting to application/json, then the auth (basic_auth and an api_key
// header replace a header of that name; an api_key cookie joins the Cookie header), then
// what Go's client adds when the request lacks it: `User-Agent: Go-http-client/1.1` and
// `Accept-Encoding: gzip` (and Go then decodes a gzip answer itself). Headers are listed
// sorted by name, as Go writes them.
// Fails, with Kratos's message and why, when the Content-Type is not exactly
// application/json or application/x-www-form-urlencoded ("invalid config - incorrect
// Content-Type for request with body"), or when config.headers names Content-Type twice
// (Kratos would take either, depending on its map order).
bool kratos_request(const DeployedAction& action, KratosRequest* out, std::string* err);

// The body Kratos sends for the template's output: the output itself (json), or (form) the
// output read as Go reads it into map[string]string (null values are ""; any other
// non-string fails the hook with Go's message) and URL-encoded.
bool kratos_body(BodyEncoding encoding, const std::string& output, std::string* body,
                 std::string* err);

}  // namespace core
