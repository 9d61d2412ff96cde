// listen --ui in a real browser: Debian's headless Chromium, driven by
// tests/tools/listen_browser.py through python3-selenium and chromium-driver.
#include <signal.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support.hpp"

using nlohmann::json;

TEST_CASE("cli listen --ui in headless Chromium: live rows, verdicts, bodies, inert payloads") {
  for (const char* needed : {"/usr/bin/chromium", "/usr/bin/chromedriver",
                             "/usr/lib/python3/dist-packages/selenium/__init__.py"}) {
    if (!test::file_exists(needed)) {
      test::skip_unless_ci(std::string(needed) +
                           " is missing (apt-get install chromium chromium-driver "
                           "python3-selenium; scripts/deps installs them)");
      return;
    }
  }
  const std::string key = "wk_browser_1";
  test::TempDir dir;
  // The history: a message with a 1 MB trait and markup in it, and another.
  const json big = {
      {"receivedAt", "2026-12-01T10:00:00.000Z"},
      {"type", "identify"},
      {"verdict", "accepted"},
      {"reason", nullptr},
      {"message",
       {{"userId", "history-1"}, {"traits", {{"essay", std::string(1000000, 'A') + "<script>"}}}}}};
  json small = big;
  small["message"] = {{"userId", "history-2"}, {"traits", {{"email", "h2@example.com"}}}};
  const std::string jsonl = dir.write("events.jsonl", big.dump() + "\n" + small.dump() + "\n");
  test::BackgroundTool listen(
      {"listen", "--port", "0", "--ui", "--jsonl", jsonl, "--exit-after", "300", "-q"},
      {{"SEGMENT_WRITE_KEY", key}});
  const std::string url = listen.listen_url();
  // In the build directory, for docs/listen.md.
  const std::string binary = ORY_SEGMENT_BINARY;
  const std::string screenshot = binary.substr(0, binary.rfind('/')) + "/listen-ui.png";
  const auto r =
      test::run_program({"/usr/bin/python3", test::source_path("tests/tools/listen_browser.py"),
                         url, key, screenshot},
                        {});
  INFO(r.out + r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("all checks passed") != std::string::npos);
  const std::string png = test::read_file(screenshot);
  CHECK(png.rfind("\x89PNG", 0) == 0);
  listen.signal(SIGTERM);
  const auto done = listen.wait();
  CHECK(done.status == 143);
  INFO(done.out);
  CHECK(
      done.out.find("received 5 messages: 3 accepted, 1 would be dropped (identify 3, track 2); 1 "
                    "duplicate messageId") != std::string::npos);
}
