#include "engine/jsonnet_lexer.hpp"

#include <cctype>
#include <optional>

namespace core {
namespace {

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_op_char(char c) {
  return std::string_view("!$:~+-&|^=<>*/%").find(c) != std::string_view::npos;
}
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Jsonnet's lexer, as go-jsonnet's lexes: tokens until the first thing it would not lex.
class Lexer {
 public:
  explicit Lexer(std::string_view s) : m_s(s) {}

  LexedTemplate run() {
    LexedTemplate out;
    while (skip_blanks_and_comments()) {
      if (m_p >= m_s.size()) {
        out.complete = true;
        return out;
      }
      const std::size_t start = m_p;
      auto token = next();
      if (!token) return out;
      token->begin = start;
      token->end = m_p;
      out.tokens.push_back(*token);
    }
    return out;
  }

 private:
  // The token at m_p (not a blank or comment), m_p moved past it.
  std::optional<JsonnetToken> next() {
    const char c = m_s[m_p];
    const std::size_t start = m_p;
    if (is_ident_start(c)) {
      while (m_p < m_s.size() && is_ident_char(m_s[m_p])) ++m_p;
      return JsonnetToken{TokenKind::ident, m_s.substr(start, m_p - start)};
    }
    if (is_digit(c)) {
      lex_number();
      return JsonnetToken{TokenKind::number, m_s.substr(start, m_p - start)};
    }
    if (c == '"' || c == '\'') return lex_quoted(c);
    if (c == '@') return lex_verbatim();
    if (m_s.substr(m_p, 3) == "|||") return lex_text_block();
    if (std::string_view("{}[](),.;").find(c) != std::string_view::npos) {
      ++m_p;
      return JsonnetToken{TokenKind::symbol, m_s.substr(start, 1)};
    }
    if (is_op_char(c)) return JsonnetToken{TokenKind::op, lex_operator()};
    return std::nullopt;
  }

  // False on an unterminated comment.
  bool skip_blanks_and_comments() {
    for (;;) {
      while (m_p < m_s.size() && is_blank(m_s[m_p])) ++m_p;
      if (m_p >= m_s.size()) return true;
      if (m_s[m_p] == '#' || m_s.substr(m_p, 2) == "//") {
        while (m_p < m_s.size() && m_s[m_p] != '\n') ++m_p;
      } else if (m_s.substr(m_p, 2) == "/*") {
        const auto end = m_s.find("*/", m_p + 2);
        if (end == std::string_view::npos) return false;
        m_p = end + 2;
      } else {
        return true;
      }
    }
  }

  void lex_number() {
    while (m_p < m_s.size() && is_digit(m_s[m_p])) ++m_p;
    if (m_p + 1 < m_s.size() && m_s[m_p] == '.' && is_digit(m_s[m_p + 1])) {
      ++m_p;
      while (m_p < m_s.size() && is_digit(m_s[m_p])) ++m_p;
    }
    if (m_p < m_s.size() && (m_s[m_p] == 'e' || m_s[m_p] == 'E')) {
      std::size_t q = m_p + 1;
      if (q < m_s.size() && (m_s[q] == '+' || m_s[q] == '-')) ++q;
      if (q < m_s.size() && is_digit(m_s[q])) {
        m_p = q;
        while (m_p < m_s.size() && is_digit(m_s[m_p])) ++m_p;
      }
    }
  }

  std::optional<JsonnetToken> lex_quoted(char quote) {
    const std::size_t start = ++m_p;
    bool plain = true;
    while (m_p < m_s.size() && m_s[m_p] != quote) {
      if (m_s[m_p] == '\\') {
        plain = false;
        ++m_p;
      }
      ++m_p;
    }
    if (m_p >= m_s.size()) return std::nullopt;
    JsonnetToken t{TokenKind::string, m_s.substr(start, m_p - start), plain};
    ++m_p;
    return t;
  }

  std::optional<JsonnetToken> lex_verbatim() {
    if (m_p + 1 >= m_s.size() || (m_s[m_p + 1] != '"' && m_s[m_p + 1] != '\'')) {
      return std::nullopt;
    }
    const char quote = m_s[m_p + 1];
    m_p += 2;
    const std::size_t start = m_p;
    bool plain = true;
    for (;;) {
      if (m_p >= m_s.size()) return std::nullopt;
      if (m_s[m_p] == quote) {
        if (m_p + 1 < m_s.size() && m_s[m_p + 1] == quote) {
          plain = false;
          m_p += 2;
          continue;
        }
        break;
      }
      ++m_p;
    }
    JsonnetToken t{TokenKind::string, m_s.substr(start, m_p - start), plain};
    ++m_p;
    return t;
  }

  // |||, blanks, a newline, then lines that start with the first line's indentation (or
  // are empty), then a line of blanks and |||.
  std::optional<JsonnetToken> lex_text_block() {
    m_p += 3;
    JsonnetToken block{TokenKind::string, {}};
    if (m_p < m_s.size() && m_s[m_p] == '-') {  // |||- (chomped), newer versions
      block.chomped = true;
      ++m_p;
    }
    while (m_p < m_s.size() && (m_s[m_p] == ' ' || m_s[m_p] == '\t' || m_s[m_p] == '\r')) ++m_p;
    if (m_p >= m_s.size() || m_s[m_p] != '\n') return std::nullopt;
    ++m_p;
    while (m_p < m_s.size() && m_s[m_p] == '\n') ++m_p;  // leading empty lines
    std::size_t q = m_p;
    while (q < m_s.size() && (m_s[q] == ' ' || m_s[q] == '\t')) ++q;
    const std::string_view indent = m_s.substr(m_p, q - m_p);
    if (indent.empty()) return std::nullopt;
    for (;;) {
      if (m_p >= m_s.size()) return std::nullopt;
      if (m_s[m_p] == '\n') {
        ++m_p;
        continue;
      }
      if (m_s.substr(m_p, indent.size()) == indent) {
        const auto nl = m_s.find('\n', m_p);
        if (nl == std::string_view::npos) return std::nullopt;
        m_p = nl + 1;
        continue;
      }
      while (m_p < m_s.size() && (m_s[m_p] == ' ' || m_s[m_p] == '\t')) ++m_p;
      if (m_s.substr(m_p, 3) != "|||") return std::nullopt;
      m_p += 3;
      return block;
    }
  }

  // The longest run of operator characters, not into a comment or a text block; a run of
  // more than one character does not end in + - ~ ! $.
  std::string_view lex_operator() {
    const std::size_t start = m_p;
    while (m_p < m_s.size() && is_op_char(m_s[m_p])) {
      if (m_p > start && (m_s.substr(m_p, 2) == "//" || m_s.substr(m_p, 2) == "/*" ||
                          m_s.substr(m_p, 3) == "|||")) {
        break;
      }
      ++m_p;
    }
    while (m_p - start > 1 &&
           std::string_view("+-~!$").find(m_s[m_p - 1]) != std::string_view::npos) {
      --m_p;
    }
    return m_s.substr(start, m_p - start);
  }

  std::string_view m_s;
  std::size_t m_p = 0;
};

}  // namespace

LexedTemplate lex_jsonnet(std::string_view source) { return Lexer(source).run(); }

}  // namespace core
