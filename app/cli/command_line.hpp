#pragma once

namespace sockstep::cli {

// Parses the arguments and runs the subcommand they name; returns the exit code
// (2 for usage errors, with one line on stderr).
int run_command_line(int argc, char** argv);

}  // namespace sockstep::cli
