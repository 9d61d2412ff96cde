#include "engine/jsonnet_manifest.hpp"

#include <cmath>
#include <cstdio>

namespace core {
namespace {

void escape(const std::string& s, std::string* out) {
  out->push_back('"');
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        *out += "\\\"";
        continue;
      case '\\':
        *out += "\\\\";
        continue;
      case '\b':
        *out += "\\b";
        continue;
      case '\f':
        *out += "\\f";
        continue;
      case '\n':
        *out += "\\n";
        continue;
      case '\r':
        *out += "\\r";
        continue;
      case '\t':
        *out += "\\t";
        continue;
      default:
        break;
    }
    unsigned code = c;
    std::size_t len = 1;
    if (c == 0xc2 && i + 1 < s.size()) {  // U+0080..U+00BF: the C1 controls are escaped
      code = static_cast<unsigned char>(s[i + 1]);
      len = 2;
    }
    if (c < 0x20 || c == 0x7f || (len == 2 && code <= 0x9f)) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", code);
      *out += buf;
      i += len - 1;
      continue;
    }
    out->push_back(static_cast<char>(c));
  }
  out->push_back('"');
}

void number(const Json& v, std::string* out) {
  if (v.is_number_integer()) {
    *out += v.dump();
    return;
  }
  const double d = v.get<double>();
  char buf[400];  // an integral double prints in full: up to 309 digits
  if (d == std::floor(d)) {
    std::snprintf(buf, sizeof buf, "%.0f", d);
  } else {
    std::snprintf(buf, sizeof buf, "%.17g", d);
  }
  *out += buf;
}

void write(const Json& v, const std::string& indent, std::string* out) {
  switch (v.type()) {
    case Json::value_t::object: {
      if (v.empty()) {
        *out += "{ }";
        return;
      }
      const std::string inner = indent + "   ";
      *out += "{\n";
      bool first = true;
      for (const auto& [key, item] : v.items()) {
        if (!first) *out += ",\n";
        first = false;
        *out += inner;
        escape(key, out);
        *out += ": ";
        write(item, inner, out);
      }
      *out += "\n" + indent + "}";
      return;
    }
    case Json::value_t::array: {
      if (v.empty()) {
        *out += "[ ]";
        return;
      }
      const std::string inner = indent + "   ";
      *out += "[\n";
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (i > 0) *out += ",\n";
        *out += inner;
        write(v[i], inner, out);
      }
      *out += "\n" + indent + "]";
      return;
    }
    case Json::value_t::string:
      escape(v.get_ref<const std::string&>(), out);
      return;
    case Json::value_t::boolean:
      *out += v.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::null:
      *out += "null";
      return;
    default:
      number(v, out);
      return;
  }
}

}  // namespace

std::string manifest_like_jsonnet(const Json& value) {
  std::string out;
  write(value, "", &out);
  out += "\n";
  return out;
}

Json parse_manifested(std::string_view text) {
  std::string copy;
  std::size_t copied = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    // `-0` alone (not -0.5, -0e1 or -05): write it as the float it is.
    if (c == '-' && i + 1 < text.size() && text[i + 1] == '0' &&
        (i + 2 == text.size() ||
         std::string_view(".eE0123456789").find(text[i + 2]) == std::string_view::npos)) {
      copy.append(text.substr(copied, i + 2 - copied));
      copy += ".0";
      copied = i + 2;
    }
  }
  if (copied == 0) return Json::parse(text, nullptr, false);
  copy.append(text.substr(copied));
  return Json::parse(copy, nullptr, false);
}

}  // namespace core
