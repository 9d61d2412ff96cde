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

namespace core {

std::string FileIdentitySource::incomplete() const {
  if (m_reader.last_page_token().empty()) return "";
  return m_path +
         " ends with a page of 'ory list identities' whose next_page_token is not empty: the "
         "identities on the pages after it were not read. Get every page: backfill "
         "--from-admin-api URL reads them all, or repeat 'ory list identities --format json "
         "--page-token TOKEN' with each page's next_page_token, appending each page, until it "
         "is empty; --allow-partial sends only what the input holds";
}

}  // namespace core
