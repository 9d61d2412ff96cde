// libFuzzer target: the template analysis behind backfill (core::lex_jsonnet, core::ctx_usage
// and core::with_fast_cancel). Any input: no crash; the tokens are in order, each within the
// source and not empty (a text block or string is its delimiters too); a rewrite keeps the length
// and every newline where it was (so every line and column of the template stays), and each site it
// reports is an `error` that the rewrite replaced.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/ctx_usage.hpp"
#include "engine/jsonnet_lexer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  std::size_t last_end = 0;
  for (const auto& token : core::lex_jsonnet(source).tokens) {
    if (token.begin < last_end || token.end <= token.begin || token.end > source.size()) {
      __builtin_trap();
    }
    last_end = token.end;
  }
  const core::CtxUsage usage = core::ctx_usage(source);
  if (usage.whole && !usage.fields.empty()) __builtin_trap();
  const auto fast = core::with_fast_cancel(source, "std.__osc");
  if (!fast) return 0;
  if (fast->source.size() != source.size() || fast->sites.empty()) __builtin_trap();
  for (std::size_t i = 0; i < source.size(); ++i) {
    if ((source[i] == '\n') != (fast->source[i] == '\n')) __builtin_trap();
  }
  for (std::size_t k = 0; k < fast->sites.size(); ++k) {
    const auto& site = fast->sites[k];
    const std::string call = "std.__osc(" + std::to_string(k) + ")";
    if (source.substr(site.offset, 5) != "error" ||
        fast->source.compare(site.offset, call.size(), call) != 0 ||
        site.message.find("cancel") == std::string::npos) {
      __builtin_trap();
    }
  }
  return 0;
}
