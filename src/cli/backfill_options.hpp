#pragma once
// backfill's options, and what they become: the run's settings and its identity source.

#include <atomic>
#include <memory>
#include <string>

#include "backfill/backfill_pipeline.hpp"
#include "cli/send_target.hpp"

namespace cli {

inline const std::vector<std::string> k_backfill_formats = {"text", "json"};
inline const std::vector<std::string> k_progress_modes = {"auto", "always", "never"};
inline const std::vector<std::string> k_timestamp_fields = {"created_at", "none"};

struct BackfillOptions {
  SendOptions send;
  std::string identities;
  std::string admin_api;
  std::string api_key_file;
  int page_size = 0;  // 0: Kratos's most, 500
  std::string state;
  bool restart = false;
  std::string failed = "backfill-failed.jsonl";
  int concurrency = 4;
  double rate = 500;
  double events_per_second = 1000;
  std::string timestamp_from = "created_at";
  std::string progress = "auto";
  std::string format = "text";  // of the final summary
  std::string summary;          // --summary FILE: the JSON summary, written on every exit
  int chunk = 1000;
  int evaluators = 0;
  int max_retries = 10;
  std::string message_id_salt;
  bool allow_partial = false;
  std::string created_before;
  bool retry_failed = false;
};

// Checks the options against each other (exit 2 for a contradiction, an output onto an
// input) and turns them into the pipeline's settings.
core::BackfillSettings settings_from_options(const BackfillOptions& opts);

// --identities FILE, or the admin API --from-admin-api names (its key checked, a note naming
// any proxy); `stop` ends its waits and requests.
std::unique_ptr<core::IdentitySource> identity_source(const BackfillOptions& opts,
                                                      std::atomic<bool>* stop);

}  // namespace cli
