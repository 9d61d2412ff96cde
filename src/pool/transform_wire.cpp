#include "pool/transform_wire.hpp"

#include <nlohmann/json.hpp>

namespace core::wire {

std::string u64(std::uint64_t n) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>(n >> (8 * i));
  return out;
}

std::uint64_t get_u64(const std::string& s, std::size_t at) {
  std::uint64_t n = 0;
  for (std::size_t i = 8; i >= 1; --i) n = (n << 8) | static_cast<unsigned char>(s[at + i - 1]);
  return n;
}

std::string frame(char type, const std::string& payload) {
  return std::string(1, type) + u64(payload.size()) + payload;
}

std::string encode_items(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += u64(item.size()) + item;
  return out;
}

std::vector<std::string> decode_items(const std::string& payload) {
  std::vector<std::string> items;
  for (std::size_t at = 0; at + 8 <= payload.size();) {
    const std::size_t n = get_u64(payload, at);
    if (n > payload.size() - at - 8) break;
    items.push_back(payload.substr(at + 8, n));
    at += 8 + n;
  }
  return items;
}

std::string encode_setup(const WorkerSetup& setup) {
  return nlohmann::json{{"protocol", k_protocol_version},
                        {"name", setup.name},
                        {"source", setup.source},
                        {"fast_cancel", setup.fast_cancel},
                        {"cancel_sites", setup.cancel_sites},
                        {"lookup_paths", setup.lookup_paths}}
      .dump();
}

bool decode_setup(const std::string& payload, WorkerSetup* setup) {
  const auto j = nlohmann::json::parse(payload, nullptr, false);
  if (!j.is_object() || j.value("protocol", 0) != k_protocol_version) return false;
  try {
    setup->name = j.at("name").get<std::string>();
    setup->source = j.at("source").get<std::string>();
    setup->fast_cancel = j.at("fast_cancel").get<bool>();
    setup->cancel_sites = j.at("cancel_sites").get<std::size_t>();
    setup->lookup_paths = j.at("lookup_paths").get<std::vector<std::vector<std::string>>>();
  } catch (const nlohmann::json::exception&) {
    return false;
  }
  return true;
}

ChildReport parse_report(const std::string& out) {
  ChildReport r;
  if (out.size() < 9) return r;
  const std::uint64_t count = get_u64(out, 0);
  std::size_t at = 8;
  for (std::uint64_t i = 0; i < count; ++i) {
    if (at + 8 > out.size()) return ChildReport{};
    const std::size_t n = get_u64(out, at);
    if (at + 8 + n > out.size()) return ChildReport{};
    r.results.push_back(out.substr(at + 8, n));
    at += 8 + n;
  }
  if (at >= out.size()) return ChildReport{};
  r.end = out[at];
  r.text = out.substr(at + 1);
  return r;
}

}  // namespace core::wire
