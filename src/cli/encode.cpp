// ory-segment encode: a Jsonnet template as the one-line base64:// body Kratos reads.
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "cli/verbs.hpp"
#include "util/base64.hpp"

namespace cli {
namespace {

struct EncodeOptions {
  std::string input = "-";
  bool raw = false;
  std::string output;
};

ExitStatus run_encode(const EncodeOptions& opts) {
  const std::string source = read_checked_template(opts.input);
  const std::string encoded = util::base64_encode(source);
  io::WriteOptions out;
  out.inputs = {opts.input};
  write_output_or_throw(opts.output, (opts.raw ? "" : "base64://") + encoded + "\n", out);
  return ExitStatus::ok;
}

}  // namespace

VerbRunner setup_encode(CLI::App& cmd) {
  auto opts = std::make_shared<EncodeOptions>();
  add_flags(
      cmd, {
               {"FILE", "FILE|-", "the Jsonnet template; '-' or nothing reads stdin", &opts->input},
               {"--raw", "", "print the base64 text without the base64:// prefix", &opts->raw},
               output_file_flag(&opts->output),
           });
  cmd.footer(R"(Encode a Jsonnet template as the body of a web_hook action: base64:// plus standard,
padded base64 of the file's exact bytes, on one line (GNU base64 wraps at 76 columns,
which Kratos's schema rejects). The template must compile under Kratos's rules:
no import/importstr/importbin, the context bound as the top-level argument 'ctx'.

Examples:
  ory-segment encode examples/segment_identify.jsonnet
  cat segment_identify.jsonnet | ory-segment encode --raw
  ory-segment encode segment_identify.jsonnet -o body.txt)");
  return [opts] { return run_encode(*opts); };
}

}  // namespace cli
