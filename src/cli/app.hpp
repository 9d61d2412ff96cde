#pragma once

namespace cli {

// The whole command line tool: parses argv, runs one verb, returns the exit status.
int run(int argc, char** argv);

}  // namespace cli
