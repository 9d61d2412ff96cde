// listen's --respond and --fail: what it answers instead of Segment.
#include "cli/listen_faults.hpp"

#include <vector>

#include "cli/common.hpp"
#include "cli/exit_status.hpp"
#include "util/text.hpp"

namespace cli {

std::optional<Answer> parse_answer(const std::string& spec) {
  if (spec.empty()) return std::nullopt;
  const std::size_t colon = spec.find(':');
  const std::string status = spec.substr(0, colon);
  if (status.size() != 3 || status.find_first_not_of("0123456789") != std::string::npos ||
      status < "200" || status > "599") {
    throw bad_input("--respond '" + spec + "': expected STATUS[:FILE], STATUS from 200 to 599");
  }
  Answer a;
  a.status = std::stoi(status);
  if (const std::string file = answer_file(spec); !file.empty()) a.body = read_text_or_throw(file);
  return a;
}

std::string answer_file(const std::string& spec) {
  const std::size_t colon = spec.find(':');
  return colon != std::string::npos && colon + 1 < spec.size() ? spec.substr(colon + 1) : "";
}

Fault parse_fault(const std::string& spec) {
  const auto fail = [&](const std::string& why) {
    return bad_input("--fail '" + spec + "': " + why +
                     " (expected STATUS:COUNT[:retry-after=S], reset:COUNT or slow:COUNT:SECONDS)");
  };
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const auto colon = spec.find(':', start);
    parts.push_back(
        spec.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 2) throw fail("missing COUNT");
  Fault f;
  const auto number = [&](const std::string& s, const char* what) {
    if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos) {
      throw fail(std::string("bad ") + what);
    }
    return std::stol(s);
  };
  f.count = number(parts[1], "COUNT");
  if (f.count < 1) throw fail("COUNT must be at least 1");
  if (parts[0] == "reset") {
    f.kind = Fault::Kind::reset;
    if (parts.size() != 2) throw fail("reset takes no options");
  } else if (parts[0] == "slow") {
    f.kind = Fault::Kind::slow;
    if (parts.size() != 3) throw fail("slow needs SECONDS");
    f.slow_seconds = static_cast<double>(number(parts[2], "SECONDS"));
  } else {
    f.status = static_cast<int>(number(parts[0], "STATUS"));
    if (f.status < 400 || f.status > 599) throw fail("STATUS must be 400-599");
    for (std::size_t i = 2; i < parts.size(); ++i) {
      if (!util::starts_with(parts[i], "retry-after="))
        throw fail("unknown option '" + parts[i] + "'");
      f.retry_after = std::to_string(number(parts[i].substr(12), "retry-after"));
    }
  }
  return f;
}

}  // namespace cli
