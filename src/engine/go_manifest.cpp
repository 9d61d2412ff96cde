#include "engine/go_manifest.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <vector>

namespace core {
namespace {

using Json = nlohmann::ordered_json;

// null, a boolean or a number as go-jsonnet prints it; false for anything else.
bool scalar(const Json& v, std::string* out) {
  if (v.is_null()) {
    *out += "null";
  } else if (v.is_boolean()) {
    *out += v.get<bool>() ? "true" : "false";
  } else if (v.is_number()) {
    *out += go_format_float(v.get<double>());
  } else {
    return false;
  }
  return true;
}

void manifest(const Json& v, const std::string& indent, const std::string& newline,
              const std::string& kv_sep, const std::string& current, std::string* out) {
  if (scalar(v, out)) return;
  switch (v.type()) {
    case Json::value_t::string:
      *out += go_json_string(v.get_ref<const std::string&>());
      return;
    case Json::value_t::array: {
      const std::string inner = current + indent;
      *out += "[" + newline;
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (i > 0) *out += "," + newline;
        *out += inner;
        manifest(v[i], indent, newline, kv_sep, inner, out);
      }
      *out += newline + current + "]";
      return;
    }
    case Json::value_t::object: {
      std::vector<std::string> keys;
      for (const auto& item : v.items()) keys.push_back(item.key());
      std::sort(keys.begin(), keys.end());  // Go's sort.Strings: bytewise
      const std::string inner = current + indent;
      *out += "{" + newline;
      for (std::size_t i = 0; i < keys.size(); ++i) {
        if (i > 0) *out += "," + newline;
        *out += inner;
        *out += go_json_string(keys[i]);
        *out += kv_sep;
        manifest(v.at(keys[i]), indent, newline, kv_sep, inner, out);
      }
      *out += newline + current + "}";
      return;
    }
    default:
      return;  // null, booleans and numbers: scalar()
  }
}

const char* const k_yaml_indent = "  ";

bool equal_fold_ascii(const std::string& a, const char* b) {
  const std::size_t n = std::strlen(b);
  if (a.size() != n) return false;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// go-jsonnet's yamlBareSafe: a key that YAML reads back as the same string when bare.
bool yaml_bare_safe(const std::string& s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '/' &&
        c != '.') {
      return false;
    }
  }
  static const char* const k_reserved[] = {"true", "false", "yes",  "no",    "on",    "off",
                                           "y",    "n",     ".nan", "-.inf", "+.inf", ".inf",
                                           "null", "-",     "---",  "''"};
  for (const char* r : k_reserved) {
    if (equal_fold_ascii(s, r)) return false;
  }
  static const std::regex k_timestamp(R"(^(?:[0-9]*-){2}[0-9]*$)");
  static const std::regex k_binary(R"(^[-+]?0b[0-1_]+$)");
  static const std::regex k_hex(R"([-+]?0x[0-9a-fA-F_]+)");
  if (std::regex_search(s, k_timestamp) || std::regex_search(s, k_binary) ||
      std::regex_search(s, k_hex)) {
    return false;
  }
  // strconv.Atoi and strconv.ParseFloat: what reads as a number.
  static const std::regex k_int(R"(^[+-]?[0-9]+$)");
  if (std::regex_search(s, k_int)) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  if (end == s.c_str() + s.size()) return false;
  return true;
}

// A string as go-jsonnet's manifestYamlDoc writes it: a block (`|`) when it ends in a
// newline, quoted otherwise.
void yaml_string(const std::string& s, const std::string& cindent, std::string* out) {
  if (s.empty()) {
    *out += "\"\"";
  } else if (s.back() == '\n') {
    *out += "|";
    const std::string body = s.substr(0, s.size() - 1);
    std::size_t start = 0;
    for (;;) {
      const std::size_t nl = body.find('\n', start);
      *out += "\n" + cindent + k_yaml_indent + body.substr(start, nl - start);
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  } else {
    *out += go_jsonnet_string(s);
  }
}

void yaml(const Json& v, bool indent_array_in_object, bool quote_keys, const std::string& cindent,
          std::string* out) {
  if (scalar(v, out)) return;
  switch (v.type()) {
    case Json::value_t::string:
      yaml_string(v.get_ref<const std::string&>(), cindent, out);
      return;
    case Json::value_t::array:
      if (v.empty()) {
        *out += "[]";
        return;
      }
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (i > 0) *out += "\n" + cindent;
        const Json& e = v[i];
        *out += "-";
        if (e.is_array() && !e.empty()) {
          *out += "\n" + cindent + k_yaml_indent;
        } else {
          *out += " ";
        }
        const bool nested = e.is_array() || e.is_object();
        yaml(e, indent_array_in_object, quote_keys, nested ? cindent + k_yaml_indent : cindent,
             out);
      }
      return;
    case Json::value_t::object: {
      if (v.empty()) {
        *out += "{}";
        return;
      }
      std::vector<std::string> keys;
      for (const auto& item : v.items()) keys.push_back(item.key());
      std::sort(keys.begin(), keys.end());
      for (std::size_t i = 0; i < keys.size(); ++i) {
        if (i > 0) *out += "\n" + cindent;
        *out += quote_keys || !yaml_bare_safe(keys[i]) ? go_jsonnet_string(keys[i]) : keys[i];
        *out += ":";
        const Json& e = v.at(keys[i]);
        std::string inner = cindent;
        if (e.is_array() && !e.empty()) {
          *out += "\n" + cindent;
          if (indent_array_in_object) {
            *out += k_yaml_indent;
            inner += k_yaml_indent;
          }
        } else if (e.is_object() && !e.empty()) {
          *out += "\n" + cindent + k_yaml_indent;
          inner += k_yaml_indent;
        } else {
          *out += " ";
        }
        yaml(e, indent_array_in_object, quote_keys, inner, out);
      }
      return;
    }
    default:
      return;  // null, booleans and numbers: scalar()
  }
}

}  // namespace

std::string go_manifest_yaml_doc(const Json& value, bool indent_array_in_object, bool quote_keys) {
  std::string out;
  yaml(value, indent_array_in_object, quote_keys, "", &out);
  return out;
}

std::string go_jsonnet_string(const std::string& s) {
  static const char k_hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const bool c1 = c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(s[i + 1]) <= 0x9f;  // U+0080..U+009F
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7f || c1) {
      const unsigned code = c1 ? static_cast<unsigned char>(s[++i]) : c;
      out += "\\u00";
      out += k_hex[code >> 4];
      out += k_hex[code & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string go_format_float(double x) {
  char buf[512];
  const auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

std::string go_json_string(const std::string& s) {
  static const char k_hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20) {
      out += "\\u00";
      out += k_hex[c >> 4];
      out += k_hex[c & 0xf];
    } else if (c == 0xe2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(s[i + 2]) == 0xa8 ||
                static_cast<unsigned char>(s[i + 2]) == 0xa9)) {
      out += static_cast<unsigned char>(s[i + 2]) == 0xa8 ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string go_manifest_json_ex(const Json& value, const std::string& indent,
                                const std::string& newline, const std::string& key_val_sep) {
  std::string out;
  manifest(value, indent, newline, key_val_sep, "", &out);
  return out;
}

}  // namespace core
