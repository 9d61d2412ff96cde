#pragma once

#include <map>
#include <memory>
#include <string>

struct JsonnetVm;

namespace core {

// The version of the libjsonnet the binary runs ("v0.18.0").
std::string libjsonnet_version();

// Owns one libjsonnet VM. Imports are refused except for sources registered with
// `serve`, which is how a user's template is loaded under its own file name.
class JsonnetVm {
 public:
  JsonnetVm();
  JsonnetVm(const JsonnetVm&) = delete;
  JsonnetVm& operator=(const JsonnetVm&) = delete;
  ~JsonnetVm();

  // `import "<key>"` yields `content`, reported in errors as `display_name`.
  void serve(const std::string& key, const std::string& display_name, std::string content);
  void tla_code(const std::string& name, const std::string& code);
  void ext_var(const std::string& name, const std::string& value);
  void max_stack(unsigned frames);
  // Lines of stack trace in an error (0: every frame).
  void max_trace(unsigned lines);

  // The underlying handle, for registering native callbacks (see go_std).
  ::JsonnetVm* handle() { return m_vm; }

  // Evaluates `code`; on failure returns false with libjsonnet's error text in `err`.
  bool evaluate(const std::string& filename, const std::string& code, std::string* out,
                std::string* err);

 private:
  struct Served {
    std::string display_name;
    std::string content;
  };
  static char* import_callback(void* ctx, const char* base, const char* rel, char** found_here,
                               int* success);

  ::JsonnetVm* m_vm;
  std::map<std::string, Served> m_served;
};

}  // namespace core
