#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

// The protocol between TransformPool and its helper process (transform_worker). Frames:
// a type byte, an 8-byte little-endian length, the payload.
//   To the helper:   'S' the setup (WorkerSetup, as JSON) once; then 'C' per request: the contexts
//                    (encode_items), each as the indices of the single_site_lookups it
//                    lacks (comma-separated), a newline, and the ctx as JSON.
//   From the helper: 'R' when the template is loaded, or 'X' and libjsonnet's error when
//                    the template fails before it reads ctx; per request, any number of
//                    'V' (u64 begin, u64 end, the manifested array of their values) and
//                    'F' (u64 index, a status byte, a text), then 'D' (u64 evaluations
//                    run, u64 fast cancels, u64 absent fields recorded).
namespace core::wire {

constexpr std::size_t k_header_size = 9;

// Status bytes of an 'F' frame.
constexpr char k_failed = 'e';     // text: libjsonnet's error
constexpr char k_timed_out = 't';  // over Kratos's time limit, alone
constexpr char k_died = 'd';       // the evaluation process died, alone
constexpr char k_too_large = 'b';  // output over the cap, alone
// text: the site of an outcome recorded without libjsonnet's error path: a fast cancel's
// (with_fast_cancel) or, numbered after those, an absent field's (single_site_lookups)
constexpr char k_recorded = 'c';

// The function `error "...cancel..."` becomes in the helper's copy of the template, and
// its definition among std's fields.
constexpr const char* k_fast_cancel_function = "std.__osc";
constexpr const char* k_fast_cancel_field = "__osc(site):: std.native('ory_segment_cancel')(site)";

// Bumped whenever a frame changes: a helper refuses a setup of another version.
constexpr int k_protocol_version = 2;

// What the pool computes once from the template and the helper runs as it is (so the two
// never number the recorded sites differently): the source to serve (fast cancels
// rewritten in), how many fast-cancel sites it has (numbered from 0), and the paths of the
// single_site_lookups (numbered after them).
struct WorkerSetup {
  std::string name;
  std::string source;
  bool fast_cancel = false;
  std::size_t cancel_sites = 0;
  std::vector<std::vector<std::string>> lookup_paths;
};
std::string encode_setup(const WorkerSetup& setup);
// False for a payload that is not a setup of k_protocol_version.
bool decode_setup(const std::string& payload, WorkerSetup* setup);

// A child's report to the helper: its finished results, then how it ended.
//   u64 count, count x (u64 length, then `[value]` on one line, or `C` and the fast-cancel
//   site of a cancelled context), then 'O' (all done) | 'E' libjsonnet's error for the
//   next context | 'S' (stopped by an error after a cancel: the cancel stands).
struct ChildReport {
  std::vector<std::string> results;
  char end = 0;  // 0: no (complete) report: killed or died
  std::string text;
};
ChildReport parse_report(const std::string& out);

std::string u64(std::uint64_t n);
std::uint64_t get_u64(const std::string& s, std::size_t at);  // `s` holds 8 bytes at `at`

std::string frame(char type, const std::string& payload);
// The payload length a frame header announces.
inline std::size_t payload_size(const std::string& header) { return get_u64(header, 1); }

// Items as one payload (each an 8-byte length and its bytes), and back.
std::string encode_items(const std::vector<std::string>& items);
std::vector<std::string> decode_items(const std::string& payload);

}  // namespace core::wire
