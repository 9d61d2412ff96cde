#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace core {

// The one Jsonnet lexer every analysis and rewrite of a template goes through (ctx usage,
// imports, the chomped-text-block and fast-cancel rewrites, lint): Jsonnet's tokens as
// go-jsonnet's lexer makes them, comments and blanks skipped.

enum class TokenKind { ident, number, string, symbol, op };

struct JsonnetToken {
  TokenKind kind;
  // For a string: its value when `plain`, else what is between its delimiters (a text
  // block: empty); otherwise the token's text.
  std::string_view text;
  bool plain = false;    // a string whose value is `text` exactly (no escapes, not a block)
  bool chomped = false;  // a text block opened with |||- (its value lacks the final newline)
  std::size_t begin = 0, end = 0;  // the token's bytes in the source, delimiters included
};

struct LexedTemplate {
  std::vector<JsonnetToken> tokens;  // up to where lexing stopped
  // Whether the whole source lexed; false at the first thing Jsonnet would not lex (an
  // unterminated string, comment or text block, a character no token starts with), where
  // `tokens` ends.
  bool complete = false;
};

LexedTemplate lex_jsonnet(std::string_view source);

}  // namespace core
