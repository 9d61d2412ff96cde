#pragma once

#include <string>
#include <string_view>

namespace util {

// `before` and `after` as a unified diff (diff -u's format: "--- NAME", "+++ NAME", hunks of
// "@@ -L,N +L,N @@" with 3 lines of context); "" when they are equal. The lines that differ
// are found between the common start and end of the two texts, by longest common
// subsequence where that middle is small (up to 4,000,000 line pairs), else as replaced
// whole: right for an edit in one place, as patch makes.
std::string unified_diff(std::string_view before, std::string_view after,
                         const std::string& before_name, const std::string& after_name);

}  // namespace util
