#include "lint/template_init.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include "kratos/schema_reader.hpp"
#include "util/text.hpp"

namespace core {
namespace {

// Lower case without '_', '-', '.' and blanks: "first_name" and "firstName" are "firstname".
std::string normalized(const std::string& name) {
  std::string out;
  for (const char c : name) {
    if (c == '_' || c == '-' || c == '.' || std::isspace(static_cast<unsigned char>(c))) continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool is_one_of(const std::string& word, std::initializer_list<const char*> words) {
  return std::any_of(words.begin(), words.end(), [&](const char* w) { return word == w; });
}

// The reserved Segment trait a schema's trait name stands for, or "": Segment's docs,
// "Identify", section "Traits" (segment.com/docs/connections/spec/identify/#traits).
std::string reserved_trait(const std::string& name, const std::string& format) {
  const std::string n = normalized(name);
  if (is_one_of(n, {"email", "emailaddress", "mail"})) return "email";
  if (is_one_of(n, {"phone", "phonenumber", "mobile", "mobilephone", "telephone", "tel"})) {
    return "phone";
  }
  if (is_one_of(n, {"username", "handle"})) return "username";
  if (is_one_of(n, {"firstname", "givenname"})) return "firstName";
  if (is_one_of(n, {"lastname", "familyname", "surname"})) return "lastName";
  if (is_one_of(n, {"name", "fullname", "displayname"})) return "name";
  if (is_one_of(n, {"birthday", "birthdate", "dateofbirth"})) return "birthday";
  for (const char* same :
       {"address", "age", "avatar", "company", "description", "gender", "title", "website"}) {
    if (n == same) return same;
  }
  if (format == "email") return "email";
  if (format == "tel") return "phone";
  return "";
}

bool is_identifier(const std::string& s) {
  static const std::set<std::string> k_keywords = {
      "assert", "else",       "error",     "false",     "for",   "function",
      "if",     "import",     "importstr", "importbin", "in",    "local",
      "null",   "tailstrict", "then",      "self",      "super", "true"};
  if (s.empty() || k_keywords.count(s)) return false;
  if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// `s` as a single-quoted Jsonnet string: quotes and backslashes escaped, every control
// character as \uXXXX, so no name can end the string or the line. `s` is valid UTF-8
// (names that are not are refused before: invalid_name).
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "'";
}

// `.name`, or `['name']` when it is not an identifier.
std::string lookup(const std::string& name) {
  return is_identifier(name) ? "." + name : "[" + quoted(name) + "]";
}

std::string field_key(const std::string& name) { return is_identifier(name) ? name : quoted(name); }

// Text for a // comment: every control character (a line break would end the comment and
// start code) as a space.
std::string comment_text(std::string text) {
  for (char& c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  return text;
}

// One line of a comment, at most 60 bytes.
std::string one_line(std::string text) {
  text = comment_text(std::move(text));
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

// The JSON pointer of the first property name under `schema` that is not UTF-8 (it cannot
// be written into a template), or "".
std::string invalid_name(const Json& schema, const std::string& at) {
  if (schema.is_object()) {
    for (const auto& [key, value] : schema.items()) {
      std::string here = at + "/";
      for (const char c : key) here += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
      if (util::find_invalid_utf8(key)) return here;
      if (std::string found = invalid_name(value, here); !found.empty()) return found;
    }
  } else if (schema.is_array()) {
    for (std::size_t i = 0; i < schema.size(); ++i) {
      if (std::string found = invalid_name(schema[i], at + "/" + std::to_string(i));
          !found.empty()) {
        return found;
      }
    }
  }
  return "";
}

bool required_in(const Json& object_schema, const std::string& name) {
  const auto it = object_schema.find("required");
  if (it == object_schema.end() || !it->is_array()) return false;
  return std::find(it->begin(), it->end(), Json(name)) != it->end();
}

std::string type_of(const Json& s) {
  if (!s.is_object()) return "";
  if (s.contains("type")) {
    const Json& t = s["type"];
    if (t.is_string()) return t.get<std::string>();
    if (t.is_array() && !t.empty() && t[0].is_string()) return t[0].get<std::string>();
  }
  return s.contains("properties") ? "object" : "";
}

struct Field {
  std::string key;        // in the message
  std::string expr;       // how the template reads it
  std::string comment;    // the line above it
  std::string condition;  // when the field is sent; "" always (a required trait)
};

// Whether the schema lets the value be null ("type": ["string", "null"]).
bool nullable(const Json& s) {
  if (!s.is_object() || !s.contains("type")) return false;
  const Json& t = s["type"];
  return t == "null" || (t.is_array() && std::find(t.begin(), t.end(), Json("null")) != t.end());
}

// The clauses of a field's condition, joined.
std::string all_of(const std::vector<std::string>& clauses) {
  std::string out;
  for (const auto& c : clauses) out += (out.empty() ? "" : " && ") + c;
  return out;
}

constexpr const char* k_optional_comment = "; left out when the identity has none";

class Writer {
 public:
  Writer(const Json& schema, std::vector<std::string>* notes) : m_root(schema), m_notes(notes) {}

  bool fields(std::vector<Field>* out, std::string* err) {
    const Json* traits = m_root.is_object() && m_root.contains("properties") &&
                                 m_root["properties"].is_object() &&
                                 m_root["properties"].contains("traits")
                             ? &m_root["properties"]["traits"]
                             : nullptr;
    if (!traits || !traits->is_object() || !traits->contains("properties") ||
        !(*traits)["properties"].is_object()) {
      *err =
          "the schema has no traits to map (properties.traits.properties): is it an identity "
          "schema?";
      return false;
    }
    for (const auto& [name, prop] : (*traits)["properties"].items()) {
      if (prop.is_object() && prop.contains("$ref")) continue;  // another document's: noted
      trait(name, prop, required_in(*traits, name), out);
    }
    return true;
  }

 private:
  // The first unused of `key`, then the trait's own name, then NAME_trait.
  std::string claim(const std::string& key, const std::string& own) {
    for (const std::string& k : {key, own, own + "_trait"}) {
      if (!k.empty() && m_used.insert(k).second) return k;
    }
    return own + "_" + std::to_string(m_used.size());
  }

  void trait(const std::string& name, const Json& prop, bool required, std::vector<Field>* out) {
    const std::string read = "traits" + lookup(name);
    std::vector<std::string> when;
    if (!required) when.push_back(quoted(name) + " in traits");
    if (nullable(prop)) when.push_back(read + " != null");
    std::string what = required ? "required" : "optional";
    const std::string title = prop.is_object() ? prop.value("title", "") : "";
    if (type_of(prop) == "object" && prop.contains("properties") &&
        prop["properties"].is_object() && name_parts(name, prop, required, out)) {
      return;
    }
    const std::string format = prop.is_object() ? prop.value("format", "") : "";
    const std::string reserved = reserved_trait(name, format);
    const std::string key = claim(reserved, name);
    std::string comment =
        "traits." + name + (title.empty() ? "" : " (" + one_line(title) + ")") + ", " + what;
    if (key == reserved && !reserved.empty()) {
      comment += ": Segment's reserved trait " + reserved;
      if (key != name) m_notes->push_back("traits." + name + " -> " + key);
    }
    if (!when.empty()) comment += k_optional_comment;
    out->push_back({key, read, comment, all_of(when)});
  }

  // When traits.NAME.SUB is sent: each optional level is checked from the first down.
  static std::string sub_condition(const std::string& name, const Json& prop,
                                   const std::string& sub, bool required) {
    const Json none;
    const Json& sub_prop = prop["properties"].contains(sub) ? prop["properties"][sub] : none;
    std::vector<std::string> when;
    if (!required) when.push_back(quoted(name) + " in traits");
    if (nullable(prop)) when.push_back("traits" + lookup(name) + " != null");
    if (!required_in(prop, sub)) when.push_back(quoted(sub) + " in traits" + lookup(name));
    if (nullable(sub_prop)) when.push_back("traits" + lookup(name) + lookup(sub) + " != null");
    return all_of(when);
  }

  // An object with first and last name parts: firstName and lastName. False when it has
  // neither.
  bool name_parts(const std::string& name, const Json& prop, bool required,
                  std::vector<Field>* out) {
    std::string first, last;
    std::vector<std::string> others;
    for (const auto& [sub, unused] : prop["properties"].items()) {
      const std::string n = normalized(sub);
      if (first.empty() && is_one_of(n, {"first", "firstname", "given", "givenname"})) {
        first = sub;
      } else if (last.empty() &&
                 is_one_of(n, {"last", "lastname", "family", "familyname", "surname"})) {
        last = sub;
      } else {
        others.push_back(sub);
      }
    }
    if (first.empty() && last.empty()) return false;
    for (const auto& [sub, target] : {std::make_pair(first, std::string("firstName")),
                                      std::make_pair(last, std::string("lastName"))}) {
      if (!sub.empty()) part(name, prop, sub, required, target, out);
    }
    for (const auto& sub : others) part(name, prop, sub, required, "", out);  // own names
    return true;
  }

  // traits.NAME.SUB as `target` (a reserved trait), or under its own name when "".
  void part(const std::string& name, const Json& prop, const std::string& sub, bool required,
            const std::string& target, std::vector<Field>* out) {
    const bool sub_required = required && required_in(prop, sub);
    const std::string path = "traits." + name + "." + sub;
    const std::string key = claim(target.empty() ? sub : target, name + "_" + sub);
    std::string comment = path;
    comment += sub_required ? ", required" : ", optional";
    if (!target.empty() && key == target) comment += ": Segment's reserved trait " + target;
    const std::string when = sub_condition(name, prop, sub, required);
    if (!when.empty()) comment += k_optional_comment;
    out->push_back({key, "traits" + lookup(name) + lookup(sub), comment, when});
    if (key != sub) m_notes->push_back(path + " -> " + key);
  }

  const Json& m_root;
  std::vector<std::string>* m_notes;
  std::set<std::string> m_used;
};

}  // namespace

std::string default_event(const std::string& flow) {
  if (flow == "registration") return "Signed Up";
  if (flow == "login") return "Signed In";
  if (flow == "settings") return "Account Updated";
  if (flow == "recovery") return "Account Recovered";
  if (flow == "verification") return "Account Verified";
  return "Signed Up";
}

bool init_template(const Json& schema, const InitOptions& options, std::string* source,
                   std::vector<std::string>* notes, std::string* err) {
  if (options.call != SegmentCall::identify && options.call != SegmentCall::track) {
    *err = "init writes identify and track templates, not " + to_string(options.call);
    return false;
  }
  if (options.hook.when == "before") {
    *err = "Kratos passes no identity to " + options.hook.name() +
           " hooks: there is nobody to identify; use an after-hook (e.g. " + options.hook.flow +
           ".after)";
    return false;
  }
  if (const std::string at = invalid_name(schema, ""); !at.empty()) {
    *err = "the schema's key at " + at + " is not UTF-8: it cannot be written into a template";
    return false;
  }
  if (util::find_invalid_utf8(options.event)) {
    *err = "--event is not UTF-8: it cannot be written into a template";
    return false;
  }
  Json read;  // $refs followed, allOf merged
  if (!read_identity_schema(schema, &read, notes, err)) return false;
  std::vector<Field> fields;
  Writer writer(read, notes);
  if (!writer.fields(&fields, err)) return false;
  const bool track = options.call == SegmentCall::track;
  const std::string call = to_string(options.call);
  const std::string event =
      options.event.empty() ? default_event(options.hook.flow) : options.event;
  const std::string schema_name = options.schema_name.empty() ? "SCHEMA" : options.schema_name;

  std::string t;
  t += "// A Segment " + call + " call for Ory identities, written by `ory-segment init` from\n";
  t += "// " + one_line(schema_name) + ". Edit it freely: it is yours now.\n";
  t += "//\n";
  t += "// Kratos runs it as a web_hook at " + options.hook.name() +
       ": ctx is its only argument, and\n";
  t += "// what it returns is the body sent to Segment's /v1/" + call + ".\n";
  t += "// Check it against the schema, then build the action and install it:\n";
  t += "//   ory-segment lint --jsonnet THIS_FILE --schema " + one_line(schema_name) + "\n";
  t += "//   ory-segment test-identify --jsonnet THIS_FILE --schema " + one_line(schema_name) +
       " --sample minimal --call " + call + " --dry-run\n";
  t += "//   ory-segment build-action --jsonnet THIS_FILE --call " + call +
       " --write-key-file KEY --ignore-response\n";
  t += "function(ctx)\n";
  t += "  local traits = ctx.identity.traits;\n";
  t += "  {\n";
  t += "    // The identity's id: every call about this user names them the same way.\n";
  t += "    userId: ctx.identity.id,\n";
  if (track) t += "    event: " + quoted(event) + ",\n";
  if (track) {
    t += "    // The identity's traits, as the event's properties; one the identity does not\n";
    t += "    // have is left out (the [if ...] fields).\n";
  } else {
    t += "    // The identity's traits. One the identity does not have is left out (the\n";
    t += "    // [if ...] fields), so Segment keeps what it knew instead of receiving null.\n";
  }
  t += "    " + std::string(track ? "properties" : "traits") + ": {\n";
  for (const Field& f : fields) {
    t += "      // " + comment_text(f.comment) + "\n";
    t += "      " +
         (f.condition.empty() ? field_key(f.key)
                              : "[if " + f.condition + " then " + quoted(f.key) + "]") +
         ": " + f.expr + ",\n";
  }
  if (std::none_of(fields.begin(), fields.end(),
                   [](const Field& f) { return f.key == "createdAt"; })) {
    t += "      // When the identity was created: Segment's reserved trait createdAt.\n";
    t += "      createdAt: ctx.identity.created_at,\n";
  }
  t += "    },\n";
  t += "    // Kratos retries a web hook that fails; Segment drops a repeated message by its\n";
  t += "    // messageId, so every attempt for this flow sends the same one.\n";
  t += "    messageId: 'ory-" + call + "-' + ctx.flow.id,\n";
  t += "  }\n";
  *source = std::move(t);
  return true;
}

}  // namespace core
