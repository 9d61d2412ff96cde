// Identity schemas where Ory keeps them: --schema's forms and the config's default.
#include "cli/schema_input.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "cli/diagnostics.hpp"
#include "cli/exit_status.hpp"
#include "io/file_io.hpp"
#include "kratos/schema_location.hpp"

namespace cli {
namespace {

SchemaInput parse_or_throw(const core::SchemaText& text) {
  SchemaInput schema;
  schema.name = text.name;
  std::string err;
  if (!io::parse_document(text.text, text.name, &schema.document, nullptr, &err)) {
    throw bad_input(err);
  }
  if (!schema.document.is_object()) {
    throw bad_input(text.name + ": not a JSON schema (an object)");
  }
  return schema;
}

bool is_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The file of `path`'s name in the directory of `config_path`, or "".
std::string beside(const std::string& config_path, const std::string& path) {
  if (config_path.empty() || config_path == "-") return "";
  const auto slash = config_path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : config_path.substr(0, slash + 1);
  const auto name_at = path.rfind('/');
  const std::string candidate =
      dir + (name_at == std::string::npos ? path : path.substr(name_at + 1));
  return is_file(candidate) ? candidate : "";
}

}  // namespace

SchemaInput read_schema_or_throw(const std::string& location) {
  if (location == "-" && ::isatty(STDIN_FILENO)) {
    throw bad_input("standard input is a terminal; give a FILE or pipe the input in");
  }
  core::SchemaText text;
  std::string err;
  if (!core::read_schema_location(location, "--schema", &text, &err)) throw bad_input(err);
  return parse_or_throw(text);
}

std::optional<SchemaInput> schema_from_config(const io::Json& config,
                                              const std::string& config_path) {
  core::ConfigSchema found;
  std::string why;
  const std::string config_name = io::display_name(config_path);
  if (!core::default_schema_of(config, &found, &why)) {
    note(config_name + ": " + why +
         "; the sample identity is the built-in one (--schema FILE to give one)");
    return std::nullopt;
  }
  const std::string where = config_name + ": " + found.pointer;
  std::string location = found.url;
  if (const std::string path = core::schema_file(found.url);
      !path.empty() && path != "-" && !is_file(path)) {
    const std::string near = beside(config_path, path);
    if (near.empty()) {
      note(where + ": " + path + " (schema '" + found.id +
           "') is not on this machine; the sample identity is the built-in one (--schema FILE "
           "to give it)");
      return std::nullopt;
    }
    note(where + ": " + path + " is not on this machine; read " + near +
         ", the file of that name beside the config (--schema FILE to choose another)");
    location = near;
  }
  core::SchemaText text;
  std::string err;
  if (!core::read_schema_location(location, where, &text, &err)) {
    note(err + "; the sample identity is the built-in one");
    return std::nullopt;
  }
  return parse_or_throw(text);
}

}  // namespace cli
