// backfill's options checked and turned into settings and an identity source.
#include "cli/backfill_options.hpp"

#include <cstdlib>
#include <optional>
#include <random>
#include <vector>

#include "backfill/admin_api_source.hpp"
#include "cli/common.hpp"
#include "cli/diagnostics.hpp"
#include "cli/exit_status.hpp"
#include "io/file_io.hpp"
#include "io/http_client.hpp"
#include "io/process.hpp"
#include "kratos/action_body.hpp"
#include "util/text.hpp"
#include "util/time_format.hpp"
#include "util/url.hpp"

namespace cli {
namespace {

// --created-before TIME, or @FILE holding one (e.g. written when the hook went live).
std::optional<util::Instant> created_before_or_throw(const std::string& given) {
  if (given.empty()) return std::nullopt;
  std::string text = given;
  if (given[0] == '@') text = std::string(util::trim(read_text_or_throw(given.substr(1))));
  const auto at = util::parse_rfc3339(text);
  if (!at) {
    throw bad_input("--created-before " + given + ": '" + text +
                    "' is not an RFC 3339 time (e.g. 2026-12-01T09:30:00Z, or +01:00 for Z)");
  }
  return at;
}

// --api-key-file, else $ORY_PROJECT_API_KEY, else none (self-hosted Kratos's admin port).
std::string admin_api_key(const BackfillOptions& opts) {
  if (!opts.api_key_file.empty()) return read_key_file(opts.api_key_file, "API key");
  if (const char* env = std::getenv("ORY_PROJECT_API_KEY"); env && *env) {
    std::string key(util::trim(env));
    if (key.empty()) throw bad_input("ORY_PROJECT_API_KEY holds only white space");
    return key;
  }
  return "";
}

}  // namespace

core::BackfillSettings settings_from_options(const BackfillOptions& opts) {
  if (opts.identities.empty() == opts.admin_api.empty()) {
    throw bad_input(opts.identities.empty()
                        ? "give the identities: --identities FILE|- or --from-admin-api URL"
                        : "--identities and --from-admin-api both given; use one");
  }
  if (opts.admin_api.empty() && !opts.api_key_file.empty()) {
    throw bad_input("--api-key-file goes with --from-admin-api");
  }
  if (opts.admin_api.empty() && opts.page_size != 0) {
    throw bad_input("--page-size goes with --from-admin-api");
  }
  if (opts.page_size < 0 || opts.page_size > 500) {
    throw bad_input("--page-size must be 1-500 (Kratos serves at most 500 per page)");
  }
  require_one_of("--timestamp-from", opts.timestamp_from, k_timestamp_fields);
  require_one_of("--progress", opts.progress, k_progress_modes);
  require_one_of("--format", opts.format, k_backfill_formats);
  if (opts.concurrency < 1 || opts.concurrency > 64) throw bad_input("--concurrency must be 1-64");
  if (!(opts.rate > 0)) throw bad_input("--rate must be above 0");
  if (!(opts.events_per_second >= 0)) {
    throw bad_input("--events-per-second must be 0 (no limit) or more");
  }
  if (opts.chunk < 1 || opts.chunk > 10000) throw bad_input("--chunk must be 1-10000");
  if (opts.max_retries < 0 || opts.max_retries > 100)
    throw bad_input("--max-retries must be 0-100");
  if (opts.failed.empty() && !opts.send.dry_run) {
    throw bad_input(
        "--failed needs a file: what cannot be sent goes there (and is valid --identities "
        "input); the default is backfill-failed.jsonl");
  }
  if (!opts.state.empty() && io::same_file(opts.state, opts.failed)) {
    throw bad_input("--state and --failed name the same file (" + opts.state +
                    "); give each its own");
  }
  const std::vector<NamedInput> inputs = {
      {"--identities", opts.identities},
      {"--jsonnet", opts.send.jsonnet},
      {"--action", opts.send.action},
      {"--write-key-file", opts.send.key.key_file},
      {"--api-key-file", opts.api_key_file},
      {"--created-before",
       opts.created_before.rfind('@', 0) == 0 ? opts.created_before.substr(1) : std::string()}};
  refuse_output_onto_inputs("--failed", opts.failed, inputs);
  refuse_output_onto_inputs("--state", opts.state, inputs);
  refuse_output_onto_inputs("--summary", opts.summary, inputs);
  if (opts.summary == "-" && opts.send.dry_run) {
    throw bad_input(
        "--summary - with --dry-run: standard output carries the messages; write the summary "
        "to a file");
  }
  for (const std::string* other : {&opts.state, &opts.failed}) {
    if (!opts.summary.empty() && opts.summary != "-" && io::same_file(opts.summary, *other)) {
      throw bad_input("--summary and " +
                      std::string(other == &opts.state ? "--state" : "--failed") +
                      " name the same file (" + opts.summary + "); give each its own");
    }
  }
  if (opts.restart && opts.state.empty()) throw bad_input("--restart goes with --state FILE");
  if (opts.retry_failed && (opts.state.empty() || opts.send.dry_run || opts.restart)) {
    throw bad_input(
        "--retry-failed goes with --state FILE (whose failures it sends again), without "
        "--dry-run or --restart");
  }
  if (opts.retry_failed && !opts.admin_api.empty()) {
    throw bad_input(
        "--retry-failed reads the input again from its start, which the admin API is not; "
        "send the failures with --identities FAILED_FILE (a failed file is valid input)");
  }
  core::BackfillSettings s;
  s.state_path = opts.send.dry_run ? "" : opts.state;
  s.failed_path = opts.send.dry_run ? "" : opts.failed;
  s.dry_run = opts.send.dry_run;
  s.concurrency = opts.concurrency;
  s.rate = opts.rate;
  s.events_per_second = opts.events_per_second;
  s.chunk = opts.chunk;
  s.evaluators = opts.evaluators;
  s.max_retries = opts.max_retries;
  s.timestamp_from_created_at = opts.timestamp_from == "created_at";
  s.worker_executable = io::self_executable();
  s.max_output = kratos_profile_or_throw(opts.send.kratos).max_output;
  s.created_before = created_before_or_throw(opts.created_before);
  return s;
}

std::unique_ptr<core::IdentitySource> identity_source(const BackfillOptions& opts,
                                                      std::atomic<bool>* stop) {
  if (opts.admin_api.empty()) return std::make_unique<core::FileIdentitySource>(opts.identities);
  core::AdminApiOptions o;
  std::string err;
  if (!core::admin_api_base(opts.admin_api, &o.base, &err)) {
    throw bad_input("--from-admin-api " + err);
  }
  o.api_key = admin_api_key(opts);
  const auto url = util::parse_url(o.base, &err);
  if (o.api_key.empty() && url && util::ends_with(url->host, ".oryapis.com")) {
    throw bad_input(
        "Ory Network's admin API needs a project API key: give it with --api-key-file FILE or "
        "ORY_PROJECT_API_KEY");
  }
  if (!o.api_key.empty() && url && url->scheme == "http" && !util::is_loopback_host(url->host) &&
      !opts.send.allow_insecure_url) {
    throw bad_input("--from-admin-api " + o.base +
                    " is plain http:// to another machine: the API key would travel unencrypted; "
                    "use https://, or pass --allow-insecure-url");
  }
  note_proxy(o.base + "/admin/identities");
  o.page_size = opts.page_size > 0 ? opts.page_size : 500;
  o.retry.max_retries = opts.max_retries;
  o.note = [](const std::string& text) { note(text); };
  auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
  auto jitter = [rng] { return std::uniform_real_distribution<double>(0.0, 1.0)(*rng); };
  io::CurlOptions curl;
  curl.cancel = stop;  // a stalled admin API never holds up Ctrl-C
  return std::make_unique<core::AdminApiSource>(std::move(o), io::make_curl_client(curl),
                                                io::system_clock(), jitter, stop);
}

}  // namespace cli
