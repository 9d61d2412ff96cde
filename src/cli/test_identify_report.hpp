#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace cli {

// test-identify's report (what --format json prints) as text, section by section as far as
// the run got: the ctx (with `print_context`, at `hook`), the body, Segment's findings, the
// request, each attempt of the exchange, and the verdict.
std::string test_identify_report_text(const nlohmann::ordered_json& report, const std::string& hook,
                                      bool print_context);

}  // namespace cli
