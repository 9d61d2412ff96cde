#pragma once

#include <string>
#include <vector>

#include "cli/send_target.hpp"
#include "kratos/kratos_context.hpp"

// test-identify's options, and the ctx they describe.
namespace cli {

inline const std::vector<std::string> k_test_identify_formats = {"text", "json"};
inline const std::vector<std::string> k_sample_shapes = {"full", "minimal"};
inline const std::vector<std::string> k_flow_types = {"browser", "api"};

struct TestIdentifyOptions {
  SendOptions send;
  std::string identity;
  std::string schema;
  std::string sample = "full";
  std::string flow_type = "browser";
  std::vector<std::string> headers;
  std::string header_allowlist;
  std::string transient_payload;
  std::string trigger;
  bool refresh = false;
  std::string flow_id;
  bool print_context = false;
  bool parse_response = false;
  std::string format = "text";
  double timeout_seconds = 30;
  std::string ca_file;
  bool send_sample = false;  // --send: the built-in (or --schema) sample may go anywhere
};

// The identity --identity or --schema describe, else the built-in sample. For a sample with
// every trait, `required_only` (when given) gets the same sample with only the required ones
// (the schema's, or the built-in one's email); null otherwise. The schema is read once.
core::Json identity_from_options(const TestIdentifyOptions& opts,
                                 core::Json* required_only = nullptr);

// The ctx Kratos builds at --hook for `identity` (else identity_from_options's), as the
// options describe the flow; warnings for what Kratos drops.
core::Json context_from_options(const TestIdentifyOptions& opts, const SendTarget& target,
                                const core::Json* identity = nullptr);

}  // namespace cli
