#include "engine/go_std_values.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/go_manifest.hpp"
#include "engine/go_std_native_args.hpp"

namespace core {
namespace {

using namespace native_args;

// The one element of `[value]` as libjsonnet manifests it (its C++ manifester; its
// std.manifestJsonEx is Jsonnet, and quadratic); discarded when it is not that.
nlohmann::ordered_json manifested_value(::JsonnetVm* vm, const JsonnetJsonValue* arg) {
  auto wrapped = nlohmann::ordered_json::parse(string_arg(vm, arg), nullptr, false);
  if (!wrapped.is_array() || wrapped.size() != 1) return nlohmann::ordered_json::value_t::discarded;
  return std::move(wrapped[0]);
}

// Whether a JSON value holds a NUL in a string or a key: libjsonnet takes a native's strings
// as C strings, so such a value cannot come back whole.
bool holds_nul(const nlohmann::json& v) {
  if (v.is_string()) return v.get_ref<const std::string&>().find('\0') != std::string::npos;
  if (v.is_array()) return std::any_of(v.begin(), v.end(), holds_nul);
  if (!v.is_object()) return false;
  for (const auto& [key, value] : v.items()) {
    if (key.find('\0') != std::string::npos || holds_nul(value)) return true;
  }
  return false;
}

// Whether go-jsonnet's builtinPrune keeps a (pruned) value: not null, [] or {}.
bool is_content(const nlohmann::json& v) {
  return !v.is_null() && !((v.is_array() || v.is_object()) && v.empty());
}

// go-jsonnet's builtinPrune: the elements and fields that are content once pruned themselves.
nlohmann::json prune(const nlohmann::json& v) {
  if (v.is_array()) {
    auto out = nlohmann::json::array();
    for (const auto& element : v) {
      auto kept = prune(element);
      if (is_content(kept)) out.push_back(std::move(kept));
    }
    return out;
  }
  if (!v.is_object()) return v;
  auto out = nlohmann::json::object();
  for (const auto& [key, value] : v.items()) {
    auto kept = prune(value);
    if (is_content(kept)) out[key] = std::move(kept);
  }
  return out;
}

// A JSON value as libjsonnet's native callbacks return it.
JsonnetJsonValue* to_jsonnet(::JsonnetVm* vm, const nlohmann::json& v) {
  if (v.is_array()) {
    JsonnetJsonValue* arr = jsonnet_json_make_array(vm);
    for (const auto& element : v) jsonnet_json_array_append(vm, arr, to_jsonnet(vm, element));
    return arr;
  }
  if (v.is_object()) {
    JsonnetJsonValue* obj = jsonnet_json_make_object(vm);
    for (const auto& [key, value] : v.items()) {
      jsonnet_json_object_append(vm, obj, key.c_str(), to_jsonnet(vm, value));
    }
    return obj;
  }
  if (v.is_string()) return jsonnet_json_make_string(vm, v.get_ref<const std::string&>().c_str());
  if (v.is_boolean()) return jsonnet_json_make_bool(vm, v.get<bool>() ? 1 : 0);
  if (v.is_null()) return jsonnet_json_make_null(vm);
  return jsonnet_json_make_number(vm, v.get<double>());
}

}  // namespace

// go-jsonnet's builtinManifestJSONEx, for `[value]` as libjsonnet manifests it.
JsonnetJsonValue* native_manifest_json_ex(void* ctx, Args argv, int* success) {
  auto* vm = static_cast<::JsonnetVm*>(ctx);
  const auto value = manifested_value(vm, argv[0]);
  if (value.is_discarded()) return fail(vm, success, "manifestJsonEx: not a JSON value");
  const std::string text = go_manifest_json_ex(value, string_arg(vm, argv[1]),
                                               string_arg(vm, argv[2]), string_arg(vm, argv[3]));
  *success = 1;
  return jsonnet_json_make_string(vm, text.c_str());
}

// go-jsonnet's builtinManifestYamlDoc, for `[value]` as libjsonnet manifests it.
JsonnetJsonValue* native_manifest_yaml_doc(void* ctx, Args argv, int* success) {
  auto* vm = static_cast<::JsonnetVm*>(ctx);
  const auto value = manifested_value(vm, argv[0]);
  if (value.is_discarded()) return fail(vm, success, "manifestYamlDoc: not a JSON value");
  const std::string text = go_manifest_yaml_doc(value, string_arg(vm, argv[1]) == "true",
                                                string_arg(vm, argv[2]) == "true");
  *success = 1;
  return jsonnet_json_make_string(vm, text.c_str());
}

// std.prune of the one element of `[value]` as libjsonnet manifests it, as `[pruned]` (the
// element itself is kept whatever it prunes to); null when a string in it holds a NUL (go_std
// then runs libjsonnet's std.prune).
JsonnetJsonValue* native_prune(void* ctx, Args argv, int* success) {
  auto* vm = static_cast<::JsonnetVm*>(ctx);
  auto wrapped = nlohmann::json::parse(string_arg(vm, argv[0]), nullptr, false);
  if (!wrapped.is_array() || wrapped.size() != 1) return fail(vm, success, "prune: not [value]");
  *success = 1;
  if (holds_nul(wrapped)) return jsonnet_json_make_null(vm);
  wrapped[0] = prune(wrapped[0]);
  return to_jsonnet(vm, wrapped);
}

// The literal text around the codes of a format string whose codes are all plain %s (%%
// is a literal %): n + 1 pieces for n codes. null for any other code, flag, width or
// mapping key, a truncated code, or a string holding a NUL: libjsonnet's std.format then.
JsonnetJsonValue* native_format_pieces(void* ctx, Args argv, int* success) {
  auto* vm = static_cast<::JsonnetVm*>(ctx);
  const std::string str = string_arg(vm, argv[0]);
  *success = 1;
  if (cut_short(vm, str, argv[1])) return jsonnet_json_make_null(vm);
  std::vector<std::string> pieces(1);
  for (std::size_t i = 0; i < str.size(); ++i) {
    if (str[i] != '%') {
      pieces.back() += str[i];
    } else if (i + 1 < str.size() && str[i + 1] == '%') {
      pieces.back() += '%';
      ++i;
    } else if (i + 1 < str.size() && str[i + 1] == 's') {
      pieces.emplace_back();
      ++i;
    } else {
      return jsonnet_json_make_null(vm);
    }
  }
  JsonnetJsonValue* arr = jsonnet_json_make_array(vm);
  for (const auto& piece : pieces) {
    jsonnet_json_array_append(vm, arr, jsonnet_json_make_string(vm, piece.c_str()));
  }
  return arr;
}

// The pieces of native_format_pieces with the values' text between them, from
// `[pieces, texts]` as libjsonnet manifests it; null when the result holds a NUL.
JsonnetJsonValue* native_format_join(void* ctx, Args argv, int* success) {
  auto* vm = static_cast<::JsonnetVm*>(ctx);
  const auto parts = nlohmann::json::parse(string_arg(vm, argv[0]), nullptr, false);
  if (parts.is_discarded() || parts.size() != 2 || parts[0].size() != parts[1].size() + 1) {
    return fail(vm, success, "format: not the pieces and the values");
  }
  std::string out = parts[0][0].get<std::string>();
  for (std::size_t i = 0; i < parts[1].size(); ++i) {
    out += parts[1][i].get<std::string>();
    out += parts[0][i + 1].get<std::string>();
  }
  *success = 1;
  if (out.find('\0') != std::string::npos) return jsonnet_json_make_null(vm);
  return jsonnet_json_make_string(vm, out.c_str());
}

// What std.parseJson(str) fails on, in go-jsonnet's words where they are known, or null when
// libjsonnet's own parse takes it (as it does every JSON text Go's decoder takes). A number
// no double holds escaped libjsonnet's parse and ended the evaluation with its "please report
// this" message; a syntax error quoted the text. Null for a string cut short at a NUL
// (argument 2, its length): libjsonnet's parse sees all of it.
JsonnetJsonValue* native_json_problem(void* ctx, Args argv, int* success) {
  auto* vm = static_cast<::JsonnetVm*>(ctx);
  *success = 1;
  const std::string text = string_arg(vm, argv[0]);
  if (cut_short(vm, text, argv[1])) return jsonnet_json_make_null(vm);
  try {
    const nlohmann::json parsed = nlohmann::json::parse(text);
    static_cast<void>(parsed);
    return jsonnet_json_make_null(vm);
  } catch (const nlohmann::json::out_of_range& e) {
    // "number overflow parsing '1e999'": Go's encoding/json into interface{} refuses it so.
    const std::string what = e.what();
    const auto open = what.find('\'');
    const auto close = what.rfind('\'');
    const std::string number =
        open != std::string::npos && close > open ? what.substr(open + 1, close - open - 1) : "";
    return jsonnet_json_make_string(
        vm, ("json: cannot unmarshal number " + number + " into Go value of type float64").c_str());
  } catch (const nlohmann::json::parse_error& e) {
    // Its place and reason, not the text it read ("; last read: ..."): go-jsonnet's own words
    // ("invalid character 'b' looking for ...") come from Go's decoder.
    std::string what = e.what();
    const auto at = what.find("parse error at ");
    if (at != std::string::npos) what = what.substr(at);
    if (const auto quoted = what.find("; last read:"); quoted != std::string::npos) {
      const auto rest = what.find("; expected", quoted);
      what.erase(quoted, rest == std::string::npos ? std::string::npos : rest - quoted);
    }
    return jsonnet_json_make_string(vm, what.c_str());
  } catch (const nlohmann::json::exception& e) {
    return jsonnet_json_make_string(vm, e.what());
  }
}

}  // namespace core
