#include "backfill/identity_source.hpp"

namespace core {

bool FileIdentitySource::open(BackfillState* resume, std::string* err) {
  if (resume->page) {
    *err = "the state was written reading " + resume->input +
           ", not a file: resume with --from-admin-api, or use another --state";
    return false;
  }
  return m_reader.open(m_path, err);
}

}  // namespace core
