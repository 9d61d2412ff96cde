#include "util/unified_diff.hpp"

#include <algorithm>
#include <vector>

namespace util {
namespace {

constexpr std::size_t k_context = 3;
constexpr std::size_t k_max_pairs = 4'000'000;

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// One line of the diff: ' ' both, '-' before only, '+' after only; with its line numbers.
struct Edit {
  char kind;
  std::size_t a, b;  // indexes into before and after (the one it is not in: where it goes)
};

// The edits turning a[from_a, to_a) into b[from_b, to_b).
void middle_edits(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b,
                  std::size_t from_a, std::size_t to_a, std::size_t from_b, std::size_t to_b,
                  std::vector<Edit>* out) {
  const std::size_t n = to_a - from_a, m = to_b - from_b;
  if (n * m > k_max_pairs) {
    for (std::size_t i = 0; i < n; ++i) out->push_back({'-', from_a + i, from_b});
    for (std::size_t j = 0; j < m; ++j) out->push_back({'+', to_a, from_b + j});
    return;
  }
  // lcs[i][j]: the longest common subsequence of a[from_a + i..] and b[from_b + j..].
  std::vector<std::vector<unsigned>> lcs(n + 1, std::vector<unsigned>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      lcs[i][j] = a[from_a + i] == b[from_b + j] ? lcs[i + 1][j + 1] + 1
                                                 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[from_a + i] == b[from_b + j]) {
      out->push_back({' ', from_a + i++, from_b + j++});
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out->push_back({'-', from_a + i++, from_b + j});  // what goes, before what comes
    } else {
      out->push_back({'+', from_a + i, from_b + j++});
    }
  }
}

std::string range(std::size_t first, std::size_t count) {
  // diff -u: a range of no lines names the line before it.
  const std::size_t start = count == 0 ? first : first + 1;
  return std::to_string(start) + (count == 1 ? "" : "," + std::to_string(count));
}

}  // namespace

std::string unified_diff(std::string_view before, std::string_view after,
                         const std::string& before_name, const std::string& after_name) {
  if (before == after) return "";
  const auto a = lines_of(before), b = lines_of(after);
  std::size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  std::size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head &&
         a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) {
    ++tail;
  }
  std::vector<Edit> edits;
  for (std::size_t k = 0; k < head; ++k) edits.push_back({' ', k, k});
  middle_edits(a, b, head, a.size() - tail, head, b.size() - tail, &edits);
  for (std::size_t k = tail; k > 0; --k) edits.push_back({' ', a.size() - k, b.size() - k});

  std::string out = "--- " + before_name + "\n+++ " + after_name + "\n";
  for (std::size_t k = 0; k < edits.size();) {
    if (edits[k].kind == ' ') {
      ++k;
      continue;
    }
    // A hunk: from k back k_context lines, on while changes come within 2 * k_context.
    const std::size_t first = k >= k_context ? k - k_context : 0;
    std::size_t last = k, quiet = 0;
    for (std::size_t e = k; e < edits.size() && quiet <= 2 * k_context; ++e) {
      quiet = edits[e].kind == ' ' ? quiet + 1 : 0;
      if (edits[e].kind != ' ') last = e;
    }
    const std::size_t end = std::min(edits.size(), last + 1 + k_context);
    std::size_t count_a = 0, count_b = 0;
    std::string body;
    for (std::size_t e = first; e < end; ++e) {
      const Edit& d = edits[e];
      const std::string_view line = d.kind == '+' ? b[d.b] : a[d.a];
      body += d.kind;
      body.append(line);
      body += '\n';
      count_a += d.kind != '+' ? 1 : 0;
      count_b += d.kind != '-' ? 1 : 0;
    }
    out += "@@ -" + range(edits[first].a, count_a) + " +" + range(edits[first].b, count_b) +
           " @@\n" + body;
    k = end;
  }
  return out;
}

}  // namespace util
