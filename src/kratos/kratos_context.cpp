#include "kratos/kratos_context.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>

#include "util/text.hpp"
#include "util/time_format.hpp"

namespace core {
namespace {

std::string iso8601(std::chrono::system_clock::time_point t) {
  return util::iso8601_utc(t, util::Fraction::micros);
}

// A stable, valid v4-shaped UUID derived from a label, so contexts are reproducible.
std::string uuid_for(const std::string& label) {
  std::uint64_t h1 = 1469598103934665603ULL, h2 = 1099511628211ULL;
  for (unsigned char c : label) {
    h1 = (h1 ^ c) * 1099511628211ULL;
    h2 = (h2 ^ c) * 14695981039346656037ULL + 0x9e3779b97f4a7c15ULL;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(h1 >> 32),
                static_cast<unsigned>((h1 >> 16) & 0xffff), static_cast<unsigned>(h1 & 0xfff),
                static_cast<unsigned>(0x8000 | ((h2 >> 48) & 0x3fff)),
                static_cast<unsigned long long>(h2 & 0xffffffffffffULL));
  return buf;
}

// The path Kratos's public API serves the flow's submission at.
std::string submit_path(const std::string& flow) {
  if (flow == "registration") return "/self-service/registration";
  if (flow == "login") return "/self-service/login";
  if (flow == "settings") return "/self-service/settings";
  if (flow == "recovery") return "/self-service/recovery";
  return "/self-service/verification";
}

// ctx.flow.active: the method the strategy that handled the flow set (Active has omitempty,
// so "" is absent). Every login strategy sets it; in registration only code and oidc
// (profile sets ""); in settings only oidc; recovery and verification carry their strategy's
// node group, "code" by default (selfservice.flows.<flow>.use).
std::string active_method(const HookPoint& hook) {
  if (hook.when != "after") return "";
  if (hook.flow == "recovery" || hook.flow == "verification") return "code";
  if (hook.flow == "login") return hook.method;
  const bool sets = hook.method == "oidc" || hook.method == "saml" ||
                    (hook.flow == "registration" && hook.method == "code");
  return sets ? hook.method : "";
}

std::string flow_state(const HookPoint& hook) {
  if (hook.flow == "settings") return hook.when == "after" ? "success" : "show_form";
  if (hook.flow == "recovery" || hook.flow == "verification") {
    return hook.when == "after" ? "passed_challenge" : "choose_method";
  }
  if (hook.method == "code") return hook.when == "after" ? "passed_challenge" : "choose_method";
  return "choose_method";
}

Json ui_container(const std::string& action) {
  return Json{{"action", action}, {"method", "POST"}, {"nodes", Json::array()}};
}

// The before-hooks' trigger `opts.trigger` names (the flow's creation for "").
BeforeTrigger trigger_of(const ContextOptions& opts) {
  for (const auto& t : before_triggers(opts.hook.flow)) {
    if (opts.trigger == t.name) return t;
  }
  return before_triggers(opts.hook.flow).front();
}

// The trigger's path with its placeholders filled in: {flow} is the flow the request
// submits (the one before the new flow the hooks run for), not the new one.
std::string trigger_path(const BeforeTrigger& t, const ContextOptions& opts) {
  std::string path = t.path;
  const std::pair<const char*, std::string> values[] = {
      {"{flow_name}", opts.hook.flow},
      {"{type}", opts.flow_type == FlowType::api ? "api" : "browser"},
      {"{flow}", "1b2c7d38-5e0f-4e3a-9b44-7c1f0a8e2d51"},
      {"{token}", "qXsGdTyEOo8N0EvRrFm9ntHfJ5w4q0Ac"},
      {"{provider}", opts.oidc_provider}};
  for (const auto& [key, value] : values) {
    for (std::size_t at; (at = path.find(key)) != std::string::npos;) {
      path.replace(at, std::strlen(key), value);
    }
  }
  return path;
}

// A login method that is only ever a second factor: its login steps up a session.
bool second_factor(const HookPoint& hook) {
  return hook.flow == "login" && (hook.method == "totp" || hook.method == "lookup_secret");
}

Json make_flow(const ContextOptions& opts, const std::string& flow_id, const std::string& url) {
  const HookPoint& hook = opts.hook;
  const auto issued = opts.now - std::chrono::seconds(42);
  Json flow = Json::object();
  flow["id"] = flow_id;
  flow["type"] = opts.flow_type == FlowType::api ? "api" : "browser";
  flow["expires_at"] = iso8601(issued + std::chrono::minutes(hook.flow == "settings" ? 60 : 10));
  flow["issued_at"] = iso8601(issued);
  flow["request_url"] = opts.public_url + submit_path(hook.flow) +
                        (opts.flow_type == FlowType::api ? "/api" : "/browser");
  if (const std::string active = active_method(hook); !active.empty()) flow["active"] = active;
  flow["ui"] = ui_container(url);
  if (hook.flow == "login") {
    flow["created_at"] = iso8601(issued);
    flow["updated_at"] = iso8601(issued);
    flow["refresh"] = opts.refresh;
    flow["requested_aal"] = second_factor(hook) ? "aal2" : "aal1";
  }
  if (hook.flow == "settings" && opts.identity.is_object()) {
    flow["identity"] = context_identity(opts.identity);
  }
  flow["state"] = flow_state(hook);
  if (hook.flow == "login" || hook.flow == "registration") flow["organization_id"] = nullptr;
  if (transient_payload_reaches(hook) && !opts.transient_payload.is_null() &&
      !(opts.transient_payload.is_object() && opts.transient_payload.empty())) {
    flow["transient_payload"] = opts.transient_payload;
  }
  return flow;
}

// The device ActivateSession records for the request (session.go SetSessionDeviceInformation).
Json device(const std::string& id) {
  return Json{{"id", id},
              {"ip_address", "203.0.113.7"},
              {"user_agent", "Mozilla/5.0 (X11; Linux x86_64)"},
              {"location", "Berlin, DE"}};
}

Json make_session(const ContextOptions& opts, const Json& identity, const std::string& method) {
  const std::string at = iso8601(opts.now);
  const std::string user = identity.value("id", std::string());
  // A login after-hook runs before the new session is stored (selfservice/flow/login/
  // hook.go: UpsertSession comes after the hooks), so it still has NewInactiveSession's nil
  // id, and so has its device; settings hooks see the stored session. A second factor (totp,
  // lookup_secret) steps up the session the user has (login/handler.go:917-927 at master,
  // :884-893 at v26.2.0: FetchFromRequest's, not a new one): its stored id, the first factor's
  // entry before this one, aal2 once ActivateSession has set the level (session/
  // manager_http.go:514-520), and a new device after the stored ones.
  // A refresh (re-authentication) continues the user's session too (handler.go:919-921 at
  // master, :886-888 at v26.2.0), at the level it had.
  const bool step_up = second_factor(opts.hook);
  const bool reused = step_up || (opts.hook.flow == "login" && opts.refresh);
  const bool stored = opts.hook.flow != "login" || reused;
  Json session = Json::object();
  session["id"] = stored ? uuid_for("session:" + user) : k_nil_uuid;
  session["active"] = true;
  session["expires_at"] = iso8601(opts.now + std::chrono::hours(72));
  session["authenticated_at"] = at;
  session["authenticator_assurance_level"] = step_up ? "aal2" : "aal1";
  Json methods = Json::array();
  if (reused) {
    methods.push_back({{"method", "password"},
                       {"aal", "aal1"},
                       {"completed_at", iso8601(opts.now - std::chrono::minutes(5))}});
  }
  Json authenticated = {{"method", method.empty() ? "password" : method},
                        {"aal", step_up ? "aal2" : "aal1"},
                        {"completed_at", at}};
  if (method == "oidc") authenticated["provider"] = opts.oidc_provider;
  methods.push_back(authenticated);
  session["authentication_methods"] = methods;
  session["issued_at"] = at;
  session["identity"] = identity;
  Json devices = Json::array();
  if (reused) devices.push_back(device(uuid_for("device:stored:" + at)));
  devices.push_back(device(stored && !reused ? uuid_for("device:" + at) : k_nil_uuid));
  session["devices"] = devices;
  return session;
}

bool hook_has_identity(const HookPoint& hook) { return hook.when == "after"; }

bool hook_has_session(const HookPoint& hook) {
  if (hook.flow == "login") return hook.when == "after";
  if (hook.flow == "settings") return true;
  return false;
}

Json default_headers(FlowType type, const std::string& public_url) {
  if (type == FlowType::api) {
    return Json{{"Accept", {"application/json"}},
                {"Content-Type", {"application/json"}},
                {"User-Agent", {"ory-client-go/1.0"}}};
  }
  return Json{{"Accept", {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}},
              {"Accept-Encoding", {"gzip, deflate, br"}},
              {"Accept-Language", {"en-US,en;q=0.9"}},
              {"Content-Type", {"application/x-www-form-urlencoded"}},
              {"Origin", {public_url}},
              {"Referer", {public_url + "/ui/registration"}},
              {"User-Agent",
               {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/131.0.0.0 Safari/537.36"}}};
}

}  // namespace

std::string canonical_header_name(const std::string& name) {
  const auto is_token = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  };
  // Go leaves a name with a character outside the token set as it is.
  if (name.empty() || !std::all_of(name.begin(), name.end(), is_token)) return name;
  std::string out = name;
  bool upper = true;
  for (char& c : out) {
    if (upper && c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    } else if (!upper && c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    upper = c == '-';
  }
  return out;
}

const std::vector<std::string>& default_header_allowlist() {
  static const std::vector<std::string> k_default = {
      "Accept",         "Accept-Encoding",  "Accept-Language",    "Content-Length",
      "Content-Type",   "Origin",           "Priority",           "Referer",
      "Sec-Ch-Ua",      "Sec-Ch-Ua-Mobile", "Sec-Ch-Ua-Platform", "Sec-Fetch-Dest",
      "Sec-Fetch-Mode", "Sec-Fetch-Site",   "Sec-Fetch-User",     "True-Client-Ip",
      "User-Agent"};
  return k_default;
}

bool is_allowlisted_header(const std::string& canonical_name, const HeaderAllowlist& allowlist) {
  const auto& names = allowlist ? *allowlist : default_header_allowlist();
  return std::any_of(names.begin(), names.end(), [&](const std::string& allowed) {
    return canonical_header_name(allowed) == canonical_name;
  });
}

void encode_identity_fields(Json* identity) {
  if (!identity->is_object()) return;
  identity->erase("credentials");
  identity->erase("metadata_admin");
  const auto empty = [](const Json& v) {
    if (v.is_string()) return v.get_ref<const std::string&>().empty();
    return v.is_null() || ((v.is_array() || v.is_object()) && v.empty());
  };
  for (const char* omitempty : {"external_id", "state_changed_at", "verifiable_addresses",
                                "recovery_addresses", "region"}) {
    if (const auto it = identity->find(omitempty); it != identity->end() && empty(*it)) {
      identity->erase(it);
    }
  }
  for (const char* always : {"metadata_public", "organization_id"}) {
    if (!identity->contains(always)) (*identity)[always] = nullptr;
  }
}

Json context_identity(const Json& identity, bool pre_persist) {
  Json out = identity;
  if (!out.is_object()) return out;
  encode_identity_fields(&out);
  if (pre_persist) {
    out["id"] = k_nil_uuid;
    out["created_at"] = k_go_zero_time;
    out["updated_at"] = k_go_zero_time;
    // The schema URL is injected when an identity is read back from the database
    // (identity/pool.go InjectTraitsSchemaURL): before the save it is Go's "".
    if (out.contains("schema_url")) out["schema_url"] = "";
    for (const char* list : {"verifiable_addresses", "recovery_addresses"}) {
      if (!out.contains(list) || !out[list].is_array()) continue;
      for (auto& address : out[list]) {
        if (!address.is_object()) continue;
        address["id"] = k_nil_uuid;
        address["created_at"] = k_go_zero_time;
        address["updated_at"] = k_go_zero_time;
        // New addresses (identity_verification.go NewVerifiableAddress): not verified yet.
        if (std::string(list) == "verifiable_addresses") {
          address["verified"] = false;
          address["status"] = "pending";
          address.erase("verified_at");
        }
      }
    }
  }
  return out;
}

std::string transient_payload_missing(const HookPoint& hook) {
  if (hook.when != "after") return "before-hooks run when the flow is created, before any payload";
  // The login strategies copy it onto the flow (`f.TransientPayload = p.TransientPayload`)
  // but passkey and lookup_secret; of the settings strategies only oidc does.
  if (hook.flow == "login" && (hook.method == "passkey" || hook.method == "lookup_secret")) {
    return "the " + hook.method + " login strategy does not copy it onto the flow";
  }
  if (hook.flow == "settings" && hook.method != "oidc") {
    return "of the settings methods only oidc copies it onto the flow: ory/kratos issue 4609";
  }
  return "";
}

std::vector<std::vector<std::string>> identity_paths(const HookPoint& hook) {
  std::vector<std::vector<std::string>> paths;
  if (hook_has_identity(hook)) paths.push_back({"identity"});
  if (hook_has_session(hook)) paths.push_back({"session", "identity"});
  if (hook.flow == "settings") paths.push_back({"flow", "identity"});
  return paths;
}

Json build_context(const ContextOptions& opts, std::vector<std::string>* dropped_headers) {
  const HookPoint& hook = opts.hook;
  const std::string flow_id = opts.flow_id.empty() ? uuid_for("flow:" + hook.name()) : opts.flow_id;
  const std::string url = opts.public_url + submit_path(hook.flow) + "?flow=" + flow_id;
  // What a browser or an API client sends, as far as the allowlist lets it through.
  Json headers = default_headers(opts.flow_type, opts.public_url);
  for (auto it = headers.begin(); it != headers.end();) {
    it = is_allowlisted_header(it.key(), opts.header_allowlist) ? std::next(it) : headers.erase(it);
  }
  for (const auto& [raw_name, value] : opts.extra_headers) {
    const std::string name = canonical_header_name(raw_name);
    if (!is_allowlisted_header(name, opts.header_allowlist)) {
      if (dropped_headers) dropped_headers->push_back(name);
      continue;
    }
    if (!headers.contains(name)) headers[name] = Json::array();
    headers[name].push_back(value);
  }
  Json ctx = Json::object();
  ctx["flow"] = make_flow(opts, flow_id, url);
  ctx["request_headers"] = headers;
  if (hook.when == "before") {  // a request that creates the flow
    const BeforeTrigger t = trigger_of(opts);
    ctx["request_method"] = t.method;
    ctx["request_url"] = opts.public_url + trigger_path(t, opts);
  } else if (hook.method == "oidc") {  // the provider sent the user back
    ctx["request_method"] = "GET";
    ctx["request_url"] =
        opts.public_url + "/self-service/methods/oidc/callback/" + opts.oidc_provider;
  } else {
    ctx["request_method"] = "POST";
    ctx["request_url"] = url;
  }
  ctx["request_cookies"] =
      opts.flow_type == FlowType::browser
          ? Json{{"csrf_token_806060ca5bf70dff3caa0e5c860002aade9d470a5a4dce73bcfa7ba10778f481",
                  "b2LZpVhZ3mGNm8jX0R5yQ9m+T2mXU8fJmDVLpGbNk0k="}}
          : Json::object();
  const bool has_identity = opts.identity.is_object() && !opts.identity.empty();
  const bool pre_persist = opts.pre_persist && hook.flow == "registration" && hook.when == "after";
  if (has_identity && hook_has_identity(hook)) {
    ctx["identity"] = context_identity(opts.identity, pre_persist);
  }
  if (has_identity && hook_has_session(hook)) {
    ctx["session"] = make_session(opts, context_identity(opts.identity), hook.method);
  }
  return ctx;
}

}  // namespace core
