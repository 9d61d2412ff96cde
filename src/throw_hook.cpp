// The C++ runtime's throw, interposed in the ory-segment executable only (not in the core
// library that the tests and benchmarks link): this definition comes before libstdc++'s in
// the lookup, so libjsonnet's throws come here first. core::at_cxa_throw takes libjsonnet's
// runtime errors when a handler is set (a transform child about to exit); every exception
// then goes on to the real __cxa_throw.
#include <dlfcn.h>

#include <typeinfo>

#include "engine/jsonnet_throw.hpp"

using ThrowFunction = void (*)(void*, std::type_info*, void (*)(void*));

extern "C" [[noreturn]] void __cxa_throw(  // NOLINT(bugprone-reserved-identifier)
    void* object, std::type_info* type, void (*destroy)(void*)) {
  core::at_cxa_throw(object, type);
  static const auto real = reinterpret_cast<ThrowFunction>(::dlsym(RTLD_NEXT, "__cxa_throw"));
  real(object, type, destroy);
  __builtin_unreachable();
}
