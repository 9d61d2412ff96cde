#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace cli {

// test-identify's report (what --format json prints) as text, section by section as far as
// the run got: the ctx (with `print_context`, at `hook`), the body, Segment's findings, the
// request, each attempt of the exchange, and the verdict.
std::string test_identify_report_text(const nlohmann::ordered_json& report, const std::string& hook,
                                      bool print_context);

// The report as --format json prints it: every key of k_test_identify_keys, in that order,
// whatever the verdict (null, [] or false where the run did not get that far), so a script
// reads the same keys from every run.
nlohmann::ordered_json test_identify_report_json(const nlohmann::ordered_json& report);

// The keys, in order (docs/test-identify.md lists them with their meaning).
inline constexpr std::array<std::string_view, 17> k_test_identify_keys = {
    "verdict", "summary",  "error",    "hint",          "identity",    "call",
    "context", "body",     "encoding", "message_id",    "findings",    "response_ignored",
    "request", "attempts", "answer",   "kratos_status", "kratos_error"};

}  // namespace cli
