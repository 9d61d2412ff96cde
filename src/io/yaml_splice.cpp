// Rewrites block-style YAML where its value changed, and nowhere else (io/yaml_splice.hpp).
#include "io/yaml_splice.hpp"

#include <yaml-cpp/yaml.h>

#include <vector>

namespace io {
namespace {

class Splicer {
 public:
  explicit Splicer(std::string_view text) : m_text(text) {
    m_offsets.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') m_offsets.push_back(i + 1);
    }
    if (m_offsets.back() != text.size()) m_offsets.push_back(text.size());
  }

  std::size_t lines() const { return m_offsets.size() - 1; }
  std::string& out() { return m_out; }

  // The block mapping `node` (lines [begin, end) of the text, read as `before`) as `after`.
  bool map(const YAML::Node& node, const Json& before, const Json& after, std::size_t begin,
           std::size_t end) {
    struct Entry {
      std::string key;
      std::size_t line, column;
      YAML::Node value;
    };
    std::vector<Entry> entries;
    for (const auto& kv : node) {
      const YAML::Mark mark = kv.first.Mark();
      if (!kv.first.IsScalar() || kv.first.Scalar() == "<<" || mark.line < 0) return false;
      const auto line = static_cast<std::size_t>(mark.line);
      const auto column = static_cast<std::size_t>(mark.column);
      if (line < begin || line >= end) return false;
      if (!entries.empty() && (line <= entries.back().line || column != entries[0].column)) {
        return false;  // flow style, or keys sharing a line: not edited in place
      }
      entries.push_back({kv.first.Scalar(), line, column, kv.second});
    }
    if (entries.empty()) return false;
    copy(begin, entries[0].line);  // comments and markers before the first key
    for (const auto& [key, value] : after.items()) {
      std::size_t i = 0;
      while (i < entries.size() && entries[i].key != key) ++i;
      if (i == entries.size() || !before.contains(key)) {
        emit(Json::object({{key, value}}), entries[0].column);
        continue;
      }
      const Entry& e = entries[i];
      const std::size_t stop = i + 1 < entries.size() ? entries[i + 1].line : end;
      if (!child(e.value, before[key], value, e.line, stop)) {
        emit(Json::object({{key, value}}), e.column);
      }
    }
    return true;
  }

 private:
  // An entry's value in lines [line, stop) (the key on `line`): copied when unchanged,
  // edited within when it is a block collection below its key; false: write it anew.
  bool child(const YAML::Node& value, const Json& before, const Json& after, std::size_t line,
             std::size_t stop) {
    if (before == after) {
      copy(line, stop);
      return true;
    }
    const bool below = value.Mark().line > static_cast<int>(line);
    if (!below || before.type() != after.type()) return false;
    const std::size_t mark = m_out.size();
    copy(line, line + 1);
    const bool edited =
        (value.IsMap() && after.is_object() && map(value, before, after, line + 1, stop)) ||
        (value.IsSequence() && after.is_array() && seq(value, before, after, line + 1, stop));
    if (!edited) m_out.resize(mark);
    return edited;
  }

  // A block sequence: items equal to one of the original's are copied, the rest written anew.
  bool seq(const YAML::Node& node, const Json& before, const Json& after, std::size_t begin,
           std::size_t end) {
    std::vector<std::size_t> starts;
    std::size_t dash = 0;
    for (const auto& item : node) {
      const YAML::Mark mark = item.Mark();
      if (mark.line < 0) return false;
      const auto line = static_cast<std::size_t>(mark.line);
      if (line < begin || line >= end || (!starts.empty() && line <= starts.back())) return false;
      const std::string_view text = line_text(line);
      const std::size_t at = text.find('-');
      if (at == std::string_view::npos || at > static_cast<std::size_t>(mark.column)) return false;
      if (starts.empty()) dash = at;
      starts.push_back(line);
    }
    if (starts.empty() || starts.size() != before.size()) return false;
    copy(begin, starts[0]);
    std::vector<bool> used(starts.size(), false);
    for (const Json& item : after) {
      std::size_t i = 0;
      while (i < starts.size() && (used[i] || before[i] != item)) ++i;
      if (i == starts.size()) {
        emit(Json::array({item}), dash);
        continue;
      }
      used[i] = true;
      copy(starts[i], i + 1 < starts.size() ? starts[i + 1] : end);
    }
    return true;
  }

  std::string_view line_text(std::size_t line) const {
    return m_text.substr(m_offsets[line], m_offsets[line + 1] - m_offsets[line]);
  }

  void copy(std::size_t from, std::size_t to) {
    if (to <= from) return;
    m_out.append(m_text.substr(m_offsets[from], m_offsets[to] - m_offsets[from]));
    if (m_out.back() != '\n') m_out += '\n';
  }

  // `value` (a one-entry mapping or a one-item list) as block YAML, indented `column`.
  void emit(const Json& value, std::size_t column) {
    const std::string yaml = to_yaml(value);
    for (std::size_t start = 0; start < yaml.size();) {
      const std::size_t nl = yaml.find('\n', start);
      const std::size_t stop = nl == std::string::npos ? yaml.size() : nl + 1;
      if (stop - start > 1) m_out.append(column, ' ');
      m_out.append(yaml, start, stop - start);
      start = stop;
    }
    if (m_out.empty() || m_out.back() != '\n') m_out += '\n';
  }

  std::string_view m_text;
  std::vector<std::size_t> m_offsets;  // where each line starts, and the end
  std::string m_out;
};

}  // namespace

bool splice_yaml(std::string_view original, const Json& before, const Json& after,
                 std::string* out) {
  if (!before.is_object() || !after.is_object()) return false;
  try {
    const std::vector<YAML::Node> docs = YAML::LoadAll(std::string(original));
    if (docs.size() != 1 || !docs[0].IsMap()) return false;
    Splicer splicer(original);
    if (!splicer.map(docs[0], before, after, 0, splicer.lines())) return false;
    Json check;
    DocumentFormat format = DocumentFormat::yaml;
    std::string err;
    if (!parse_document(splicer.out(), "", &check, &format, &err) || check != after) return false;
    *out = std::move(splicer.out());
    return true;
  } catch (const YAML::Exception&) {
    return false;
  }
}

}  // namespace io
