#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "support.hpp"

// What the backfill tests share.
namespace test {

// Identity `i` as Kratos's admin API lists it: email, name and consent traits, and a `bio`
// of `pad` bytes when asked (to fill batches with few identities).
inline nlohmann::json identity(int i, std::size_t pad = 0) {
  nlohmann::json traits = {{"email", "user" + std::to_string(i) + "@example.com"},
                           {"name", "User " + std::to_string(i)},
                           {"consent", {{"newsletter", i % 2 == 0}}}};
  if (pad) traits["bio"] = std::string(pad, 'b');
  return {{"id", "id-" + std::to_string(i)},
          {"schema_id", "default"},
          {"traits", traits},
          {"credentials", {{"password", {{"type", "password"}}}}},
          {"created_at", "2026-01-01T00:00:00Z"}};
}

// The values of a JSON Lines file (listen --jsonl, a failed file), blank lines skipped.
inline std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> out;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

// The lines of `text`, empty ones skipped.
inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// How many whole lines (ending in '\n') a file has so far: safe to call while it is written.
inline std::size_t complete_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::size_t n = 0;
  for (char c; in.get(c);) n += c == '\n';
  return n;
}

// The userIds of the messages `listen --jsonl` recorded.
inline std::set<std::string> received_user_ids(const std::string& jsonl) {
  std::set<std::string> ids;
  for (const auto& e : read_jsonl(jsonl)) ids.insert(e["message"]["userId"].get<std::string>());
  return ids;
}

// Carries the (padded) bio into the message, so a few identities fill several batches.
inline std::string big_template(const TempDir& dir) {
  return dir.write(
      "big.jsonnet",
      "function(ctx) { userId: ctx.identity.id, traits: { email: ctx.identity.traits.email,"
      " bio: std.get(ctx.identity.traits, 'bio', '') } }\n");
}

// A backfill of `input` (e.g. {"--identities", path}) with big_template to `url`, keeping
// its state in dir/state.json and failures in dir/failed.jsonl, slow enough to be caught in
// the middle: one batch in flight, 4 a second.
inline std::vector<std::string> resumable_backfill(const TempDir& dir, const std::string& url,
                                                   const std::vector<std::string>& input) {
  std::vector<std::string> command = {"backfill", "--jsonnet", big_template(dir)};
  command.insert(command.end(), input.begin(), input.end());
  for (const std::string& arg :
       {std::string("--url"), url, std::string("--write-key-file"), dir.write("key", "wk\n"),
        std::string("--failed"), dir.file("failed.jsonl"), std::string("--state"),
        dir.file("state.json"), std::string("--rate"), std::string("4"),
        std::string("--concurrency"), std::string("1"), std::string("--chunk"), std::string("50"),
        std::string("--progress"), std::string("never")}) {
    command.push_back(arg);
  }
  return command;
}

// A backfill of `jsonnet` over the identities in `ids` to `url` (write key "wk"), with a state
// and a failed file, and no progress line.
inline std::vector<std::string> backfill_with_state(const std::string& jsonnet,
                                                    const std::string& ids, const std::string& url,
                                                    const std::string& state,
                                                    const std::string& failed) {
  return {"backfill", "--jsonnet", jsonnet,       "--identities", ids,
          "--url",    url,         "--write-key", "wk",           "--state",
          state,      "--failed",  failed,        "--progress",   "never"};
}

// What `listen --jsonl` recorded: messages in all, and distinct messageIds among them.
struct Deliveries {
  std::size_t messages = 0;
  std::size_t message_ids = 0;
};
inline Deliveries deliveries(const std::string& jsonl) {
  const auto all = read_jsonl(jsonl);
  std::set<std::string> ids;
  for (const auto& e : all) ids.insert(e["message"]["messageId"].get<std::string>());
  return {all.size(), ids.size()};
}

}  // namespace test
