#include "engine/jsonnet_vm.hpp"

extern "C" {
#include <libjsonnet.h>
}

#include <cstring>

namespace core {
namespace {

char* copy_to_vm(::JsonnetVm* vm, const std::string& s) {
  char* buf = jsonnet_realloc(vm, nullptr, s.size() + 1);
  std::memcpy(buf, s.c_str(), s.size() + 1);
  return buf;
}

}  // namespace

JsonnetVm::JsonnetVm() : m_vm(jsonnet_make()) {
  jsonnet_import_callback(m_vm, &JsonnetVm::import_callback, this);
}

JsonnetVm::~JsonnetVm() { jsonnet_destroy(m_vm); }

void JsonnetVm::serve(const std::string& key, const std::string& display_name,
                      std::string content) {
  m_served[key] = Served{display_name, std::move(content)};
}

void JsonnetVm::tla_code(const std::string& name, const std::string& code) {
  jsonnet_tla_code(m_vm, name.c_str(), code.c_str());
}

void JsonnetVm::ext_var(const std::string& name, const std::string& value) {
  jsonnet_ext_var(m_vm, name.c_str(), value.c_str());
}

void JsonnetVm::max_stack(unsigned frames) { jsonnet_max_stack(m_vm, frames); }

void JsonnetVm::max_trace(unsigned lines) { jsonnet_max_trace(m_vm, lines); }

bool JsonnetVm::evaluate(const std::string& filename, const std::string& code, std::string* out,
                         std::string* err) {
  int error = 0;
  char* result = jsonnet_evaluate_snippet(m_vm, filename.c_str(), code.c_str(), &error);
  std::string text = result ? result : "";
  jsonnet_realloc(m_vm, result, 0);
  if (error != 0) {
    *err = std::move(text);
    return false;
  }
  *out = std::move(text);
  return true;
}

char* JsonnetVm::import_callback(void* ctx, const char* /*base*/, const char* rel,
                                 char** found_here, int* success) {
  auto* self = static_cast<JsonnetVm*>(ctx);
  const auto it = self->m_served.find(rel);
  if (it == self->m_served.end()) {
    *success = 0;
    return copy_to_vm(self->m_vm, "imports are disabled (Kratos evaluates templates without them)");
  }
  *found_here = copy_to_vm(self->m_vm, it->second.display_name);
  *success = 1;
  return copy_to_vm(self->m_vm, it->second.content);
}

std::string libjsonnet_version() { return jsonnet_version(); }

}  // namespace core
