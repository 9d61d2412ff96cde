#include "io/document.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <regex>

#include "util/text.hpp"

namespace io {
namespace {

struct ConversionError {
  YAML::Mark mark;
  std::string message;
};

bool is_yaml_null(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool yaml_bool(const std::string& s, bool* value) {
  if (s == "true" || s == "True" || s == "TRUE") {
    *value = true;
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    *value = false;
    return true;
  }
  return false;
}

// Resolves a plain scalar with the YAML 1.2 core schema.
Json resolve_plain_scalar(const std::string& s) {
  if (is_yaml_null(s)) return nullptr;
  bool b = false;
  if (yaml_bool(s, &b)) return b;
  static const std::regex k_int(R"([-+]?[0-9]+)");
  static const std::regex k_oct(R"(0o[0-7]+)");
  static const std::regex k_hex(R"(0x[0-9a-fA-F]+)");
  static const std::regex k_float(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  static const std::regex k_inf(R"([-+]?\.(inf|Inf|INF))");
  static const std::regex k_nan(R"(\.(nan|NaN|NAN))");
  try {
    if (std::regex_match(s, k_int)) {
      if (s[0] == '-') return std::stoll(s);
      return std::stoull(s[0] == '+' ? s.substr(1) : s);
    }
    if (std::regex_match(s, k_oct)) return std::stoull(s.substr(2), nullptr, 8);
    if (std::regex_match(s, k_hex)) return std::stoull(s.substr(2), nullptr, 16);
    if (std::regex_match(s, k_float)) return std::stod(s);
  } catch (const std::out_of_range&) {
    // An integer beyond 64 bits is read as a float; a float beyond a double (1e309) stays its
    // text, as Go's YAML (which Kratos reads configs with) keeps it a string.
    try {
      return std::stod(s);
    } catch (const std::out_of_range&) {
      return s;
    }
  }
  if (std::regex_match(s, k_inf) || std::regex_match(s, k_nan)) {
    // JSON has no representation for these; keep the text rather than lose it.
    return s;
  }
  return s;
}

class YamlConverter {
 public:
  Json convert(const YAML::Node& node, int depth) {
    if (++m_nodes > k_max_document_nodes) {
      throw ConversionError{node.Mark(), "document expands to more than " +
                                             std::to_string(k_max_document_nodes) +
                                             " nodes (a YAML alias bomb?)"};
    }
    if (depth > k_max_document_depth) {
      throw ConversionError{
          node.Mark(), "nesting deeper than " + std::to_string(k_max_document_depth) + " levels"};
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return nullptr;
      case YAML::NodeType::Scalar:
        return scalar(node);
      case YAML::NodeType::Sequence: {
        Json arr = Json::array();
        for (const auto& item : node) arr.push_back(convert(item, depth + 1));
        return arr;
      }
      case YAML::NodeType::Map: {
        Json obj = Json::object();
        std::vector<YAML::Node> merges;
        std::map<std::string, int> lines;  // key -> where it was defined
        for (const auto& kv : node) {
          if (!kv.first.IsScalar()) {
            throw ConversionError{kv.first.Mark(), "mapping keys must be scalars"};
          }
          // Go's YAML (yaml.v3, which Kratos loads configs with) refuses a repeated key.
          const auto [first, fresh] = lines.emplace(kv.first.Scalar(), kv.first.Mark().line);
          if (!fresh) {
            throw ConversionError{kv.first.Mark(), "mapping key \"" +
                                                       util::escape_controls(kv.first.Scalar()) +
                                                       "\" already defined at line " +
                                                       std::to_string(first->second + 1)};
          }
          // `<<: *base` merge keys, resolved as Go's YAML loaders do: explicit keys win.
          if (kv.first.Scalar() == "<<" && kv.first.Tag() == "?") {
            merges.push_back(kv.second);
            continue;
          }
          obj[kv.first.Scalar()] = convert(kv.second, depth + 1);
        }
        for (const auto& merge : merges) {
          std::vector<YAML::Node> sources;
          if (merge.IsSequence()) {
            for (const auto& item : merge) sources.push_back(item);
          } else {
            sources.push_back(merge);
          }
          for (const auto& source : sources) {
            if (!source.IsMap()) {
              throw ConversionError{source.Mark(), "a '<<' merge key needs a mapping"};
            }
            const Json merged = convert(source, depth + 1);
            for (const auto& [key, value] : merged.items()) {
              if (!obj.contains(key)) obj[key] = value;
            }
          }
        }
        return obj;
      }
    }
    return nullptr;
  }

 private:
  static Json scalar(const YAML::Node& node) {
    const std::string& tag = node.Tag();
    const std::string& text = node.Scalar();
    if (tag == "?") return resolve_plain_scalar(text);
    if (tag == "tag:yaml.org,2002:str" || tag == "!") return text;
    if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
        tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null") {
      return resolve_plain_scalar(text);
    }
    return text;
  }

  std::size_t m_nodes = 0;
};

// "NAME:LINE:COL", or "line LINE, column COL" for a text without a name.
std::string location(const std::string& name, std::size_t line, std::size_t col) {
  if (name.empty()) return "line " + std::to_string(line) + ", column " + std::to_string(col);
  return name + ":" + std::to_string(line) + ":" + std::to_string(col);
}

std::string prefix(const std::string& name) { return name.empty() ? "" : name + ": "; }

bool parse_json(std::string_view text, const std::string& name, Json* out, std::string* err) {
  const Json::parser_callback_t limit_depth = [](int depth, Json::parse_event_t, Json&) {
    if (depth > k_max_document_depth) throw std::length_error("depth");
    return true;
  };
  try {
    *out = Json::parse(text.begin(), text.end(), limit_depth);
    return true;
  } catch (const Json::parse_error& e) {
    const auto lc = util::line_col_at(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string what = e.what();
    const auto colon = what.find(": ", what.find("column"));
    std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
    // Not the text it quotes ("; last read: '...'"): the file may hold a key or a password.
    if (const auto quoted = reason.find("; last read:"); quoted != std::string::npos) {
      reason.resize(quoted);
    }
    *err = location(name, lc.line, lc.column) + ": invalid JSON: " + reason;
  } catch (const std::length_error&) {
    *err =
        prefix(name) + "JSON nests deeper than " + std::to_string(k_max_document_depth) + " levels";
  } catch (const Json::exception& e) {
    // out_of_range: a number no double can hold, such as 1e999 (only a number is quoted).
    std::string what = e.what();
    const auto bracket = what.find("] ");
    *err = prefix(name) +
           "invalid JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2));
  }
  return false;
}

bool parse_yaml(std::string_view text, const std::string& name, Json* out, std::string* err) {
  try {
    const std::vector<YAML::Node> docs = YAML::LoadAll(std::string(text));
    if (docs.size() > 1) {
      *err =
          name + ": holds " + std::to_string(docs.size()) + " YAML documents; expected exactly one";
      return false;
    }
    YamlConverter converter;
    *out = docs.empty() ? Json() : converter.convert(docs.front(), 0);
    return true;
  } catch (const YAML::Exception& e) {
    *err = location(name, static_cast<std::size_t>(e.mark.line) + 1,
                    static_cast<std::size_t>(e.mark.column) + 1) +
           ": invalid YAML: " + e.msg;
  } catch (const ConversionError& e) {
    *err = location(name, static_cast<std::size_t>(e.mark.line) + 1,
                    static_cast<std::size_t>(e.mark.column) + 1) +
           ": " + e.message;
  }
  return false;
}

// True when `s`, written as a plain YAML scalar, would read back as something else.
bool needs_quotes(const std::string& s) {
  if (s.empty()) return true;
  if (!resolve_plain_scalar(s).is_string()) return true;
  static const std::regex k_special(
      R"([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|y|Y|n|N|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)");
  return std::regex_match(s, k_special);
}

void emit(YAML::Emitter& out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key;
        if (needs_quotes(key)) out << YAML::DoubleQuoted;
        out << key << YAML::Value;
        emit(out, item);
      }
      out << YAML::EndMap;
      break;
    case Json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& item : value) emit(out, item);
      out << YAML::EndSeq;
      break;
    case Json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      if (needs_quotes(s)) out << YAML::DoubleQuoted;
      out << s;
      break;
    }
    case Json::value_t::boolean:
      out << (value.get<bool>() ? "true" : "false");
      break;
    case Json::value_t::null:
      out << YAML::Null;
      break;
    default:
      out << value.dump();
      break;
  }
}

}  // namespace

bool parse_document(std::string_view text, const std::string& name, Json* out,
                    DocumentFormat* format, std::string* err) {
  const std::string_view body = util::trim(text);
  const bool json = !body.empty() && (body.front() == '{' || body.front() == '[');
  if (format) *format = json ? DocumentFormat::json : DocumentFormat::yaml;
  return json ? parse_json(text, name, out, err) : parse_yaml(text, name, out, err);
}

bool parse_json_text(std::string_view text, const std::string& name, Json* out, std::string* err) {
  return parse_json(text, name, out, err);
}

struct PositionIndex::Tree {
  YAML::Node root;
};

PositionIndex::PositionIndex(std::string_view text) {
  try {
    auto tree = std::make_unique<Tree>();
    tree->root.reset(YAML::Load(std::string(text)));
    m_tree = std::move(tree);
  } catch (const YAML::Exception&) {
    m_tree.reset();
  }
}

PositionIndex::~PositionIndex() = default;

std::optional<TextPosition> pointer_position(std::string_view text, const std::string& pointer) {
  return PositionIndex(text).at(pointer);
}

std::optional<TextPosition> PositionIndex::at(const std::string& pointer) const {
  if (!m_tree) return std::nullopt;
  YAML::Node node;
  node.reset(m_tree->root);
  const auto position = [](const YAML::Node& n) {
    const YAML::Mark mark = n.Mark();
    return TextPosition{static_cast<std::size_t>(std::max(mark.line, 0)) + 1,
                        static_cast<std::size_t>(std::max(mark.column, 0)) + 1};
  };
  TextPosition at = position(node);
  std::size_t start = pointer.empty() ? std::string::npos : 1;
  while (start != std::string::npos && start <= pointer.size()) {
    const std::size_t slash = pointer.find('/', start);
    std::string token =
        pointer.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    for (std::size_t i = 0; (i = token.find('~', i)) != std::string::npos; ++i) {
      if (i + 1 < token.size()) token.replace(i, 2, token[i + 1] == '1' ? "/" : "~");
    }
    YAML::Node next;
    bool found = false;
    if (node.IsMap()) {
      for (const auto& kv : node) {
        if (!found && kv.first.IsScalar() && kv.first.Scalar() == token) {
          next.reset(kv.second);
          found = true;
        }
      }
    } else if (node.IsSequence() && !token.empty() &&
               token.find_first_not_of("0123456789") == std::string::npos && token.size() < 10 &&
               std::stoul(token) < node.size()) {
      const YAML::Node& seq = node;  // const: operator[] must not add to the tree
      next.reset(seq[std::stoul(token)]);
      found = true;
    }
    if (!found || next.Mark().line < 0) break;
    node.reset(next);  // not `=`: that would assign into the tree
    at = position(node);
    start = slash == std::string::npos ? std::string::npos : slash + 1;
  }
  return at;
}

std::string to_yaml(const Json& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetMapFormat(YAML::Block);
  out.SetSeqFormat(YAML::Block);
  emit(out, value);
  std::string text = out.c_str();
  if (text.empty() || text.back() != '\n') text += '\n';
  return text;
}

std::string to_pretty_json(const Json& value) { return value.dump(2) + "\n"; }

}  // namespace io
