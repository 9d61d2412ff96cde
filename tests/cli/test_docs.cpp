// The docs' shell examples run as written (tests/tools/doc_examples.py runs a file's sh and
// console blocks in a scratch directory): one test case per Markdown file with examples, and
// every Markdown file is one of those or one without any.
#include <dirent.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "support.hpp"

namespace {

const char* const k_with_examples[] = {
    "README.md",      "docs/backfill.md", "docs/build-action.md",  "docs/ci.md",
    "docs/decode.md", "docs/encode.md",   "docs/init.md",          "docs/lint.md",
    "docs/listen.md", "docs/patch.md",    "docs/test-identify.md", "docs/workflow.md"};
const char* const k_without_examples[] = {"docs/ARCHITECTURE.md", "docs/fidelity.md",
                                          "docs/guarantees.md"};

test::RunResult run_examples(const std::string& doc) {
  const std::string bin = ORY_SEGMENT_BINARY;
  return test::run_program({"/usr/bin/python3", test::source_path("tests/tools/doc_examples.py"),
                            bin.substr(0, bin.rfind('/')), test::source_path(""),
                            test::source_path(doc)});
}

void check_examples(const std::string& doc) {
  const auto r = run_examples(doc);
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  // The count line: the runner went through the file, and ran at least one block.
  const std::string name = doc.substr(doc.rfind('/') + 1);
  CHECK(r.out.find(name + ": 0 ran") == std::string::npos);
  CHECK(r.out.find(", 0 failed\n") != std::string::npos);
}

}  // namespace

TEST_CASE("docs: every Markdown file is run by a test case here, or has no shell examples") {
  std::set<std::string> listed(std::begin(k_with_examples), std::end(k_with_examples));
  listed.insert(std::begin(k_without_examples), std::end(k_without_examples));
  std::set<std::string> found = {"README.md"};
  DIR* dir = ::opendir(test::source_path("docs").c_str());
  REQUIRE(dir != nullptr);
  while (const dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    if (name.size() > 3 && name.compare(name.size() - 3, 3, ".md") == 0) {
      found.insert("docs/" + name);
    }
  }
  ::closedir(dir);
  CHECK(found == listed);
  for (const char* doc : k_without_examples) {
    const auto r = run_examples(doc);
    CAPTURE(doc, r.out);
    CHECK(r.status == 0);
    CHECK(r.out.find(": 0 ran, 0 skipped, 0 failed\n") != std::string::npos);
  }
}

TEST_CASE("docs: README.md's examples run as written") { check_examples("README.md"); }
TEST_CASE("docs: backfill.md's examples run as written") { check_examples("docs/backfill.md"); }
TEST_CASE("docs: build-action.md's examples run as written") {
  check_examples("docs/build-action.md");
}
TEST_CASE("docs: decode.md's examples run as written") { check_examples("docs/decode.md"); }
TEST_CASE("docs: encode.md's examples run as written") { check_examples("docs/encode.md"); }
TEST_CASE("docs: init.md's examples run as written") { check_examples("docs/init.md"); }
TEST_CASE("docs: lint.md's examples run as written") { check_examples("docs/lint.md"); }
TEST_CASE("docs: listen.md's examples run as written") { check_examples("docs/listen.md"); }
TEST_CASE("docs: patch.md's examples run as written") { check_examples("docs/patch.md"); }
TEST_CASE("docs: test-identify.md's examples run as written") {
  check_examples("docs/test-identify.md");
}
TEST_CASE("docs: workflow.md's examples run as written") { check_examples("docs/workflow.md"); }
TEST_CASE("docs: ci.md's examples run as written") { check_examples("docs/ci.md"); }
