#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "engine/ctx_usage.hpp"

namespace core {

// The Jsonnet the transform helper (transform_worker) evaluates once: it loads and forces
// the template, then serves requests through native callbacks, forking a child per chunk of
// contexts. `lookups` (single_site_lookups) are numbered from `first_site`.
std::string helper_code(const std::vector<CtxLookup>& lookups, std::size_t first_site);

}  // namespace core
