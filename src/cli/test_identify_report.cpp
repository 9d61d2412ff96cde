// test-identify's report as text.
#include "cli/test_identify_report.hpp"

#include <sstream>

#include "cli/diagnostics.hpp"
#include "util/text.hpp"

namespace cli {
namespace {

// One attempt of the exchange as text: its redirects, then its answer.
void attempt_text(std::ostream& out, int n, const nlohmann::ordered_json& a) {
  out << "attempt " << n;
  if (a["waited_ms"].get<long>() > 0) out << " (after waiting " << a["waited_ms"] << " ms)";
  out << ": ";
  for (const auto& r : a["redirects"]) {
    out << r["status"] << ", followed as " << r["method"].get<std::string>() << " "
        << r["url"].get<std::string>() << (r["body_dropped"].get<bool>() ? " without the body" : "")
        << (r["credentials_dropped"].get<bool>()
                ? " without Authorization and Cookie (another host)"
                : "")
        << "; ";
  }
  if (a["status"].get<int>() == 0) {
    out << "no response: " << a["error"].get<std::string>() << " (" << a["elapsed_ms"] << " ms)\n";
  } else {
    out << a["status"] << " in " << a["elapsed_ms"]
        << " ms: " << util::trim(a["response_body"].get<std::string>()) << "\n";
  }
}

}  // namespace

std::string test_identify_report_text(const nlohmann::ordered_json& r, const std::string& hook,
                                      bool print_context) {
  std::ostringstream out;
  if (print_context && r.contains("context"))
    out << "== ctx (" << hook << ")\n" << r["context"].dump(2) << "\n";
  if (r.contains("summary")) out << r["summary"].get<std::string>() << "\n";
  if (r.contains("body")) {
    const bool form = r["encoding"] == "form";
    const std::string& body = r["body"].get_ref<const std::string&>();
    out << "== body (" << body.size() << " bytes, exactly what Kratos sends"
        << (form ? ", URL-encoded" : "") << ")\n"
        << body << (form ? "\n" : "");
  }
  if (r.contains("message_id")) out << "messageId: " << r["message_id"].dump() << "\n";
  if (r.contains("findings")) {
    out << "== Segment validation (" << r["call"].get<std::string>() << ")\n";
    if (r["findings"].empty()) out << "ok: Segment will process this message\n";
    for (const auto& f : r["findings"]) {
      const std::string& where = f["location"].get_ref<const std::string&>();
      const std::string severity = f["severity"];
      out << paint_severity(severity == "error"     ? util::Severity::error
                            : severity == "warning" ? util::Severity::warning
                                                    : util::Severity::note,
                            severity)
          << ": " << (where.empty() ? "" : where + ": ") << f["message"].get<std::string>() << " ["
          << f["rule"].get<std::string>() << "]\n";
    }
  }
  if (r.value("response_ignored", false)) {
    out << "note: response.ignore is set: Kratos does not wait for this call; failures only "
           "show in its logs\n";
  }
  if (r.contains("request")) {
    out << "== request\n"
        << r["request"]["method"].get<std::string>() << " "
        << r["request"]["url"].get<std::string>() << "\n";
    for (const auto& [name, value] : r["request"]["headers"].items())
      out << name << ": " << value.get<std::string>() << "\n";
  }
  if (r["verdict"] == "dry-run") out << "(dry run: not sent)\n";
  if (r.contains("attempts")) {
    out << "== exchange\n";
    int n = 0;
    for (const auto& a : r["attempts"]) attempt_text(out, ++n, a);
  }
  if (r.contains("answer")) {
    const auto& a = r["answer"];
    out << "== what Kratos makes of the answer (response.parse or can_interrupt)\n";
    for (const auto& m : a["messages"]) out << "message: " << m.get<std::string>() << "\n";
    if (a["hook_fails"].get<bool>())
      out << "the hook fails: " << a["error"].get<std::string>() << "\n";
    for (const auto& f : a["replaced"]) {
      out << "replaces the identity's " << f.get<std::string>() << "\n";
    }
    if (!a["hook_fails"].get<bool>()) out << "the flow goes on\n";
  }
  out << "verdict: " << r["verdict"].get<std::string>() << "\n";
  return out.str();
}

nlohmann::ordered_json test_identify_report_json(const nlohmann::ordered_json& report) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const std::string_view name : k_test_identify_keys) {
    const std::string key(name);
    if (report.contains(key)) {
      out[key] = report[key];
    } else if (key == "findings" || key == "attempts") {
      out[key] = nlohmann::ordered_json::array();
    } else if (key == "response_ignored") {
      out[key] = false;
    } else {
      out[key] = nullptr;
    }
  }
  for (const auto& [key, value] : report.items()) {
    if (!out.contains(key)) out[key] = value;  // a key not listed yet: never dropped
  }
  return out;
}

}  // namespace cli
