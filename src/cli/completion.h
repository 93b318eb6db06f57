// `lakehouse completion bash`: a bash completion script made from the CLI11
// definition of the commands themselves, so it names every subcommand, flag
// and fixed choice the binary accepts, and nothing it does not.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace lakehouse::cli {

// The script: a function completing subcommands at each level, the options
// of the command typed so far, the values of options with a fixed set of
// choices (CLI::IsMember), and file names where an argument must be an
// existing file (CLI::ExistingFile); `complete` binds it to each name in
// `commands` (say "lakehouse" and "build/lakehouse"). Source it from
// ~/.bashrc, or save it under ~/.local/share/bash-completion/completions/.
std::string BashCompletion(const CLI::App& app, const std::vector<std::string>& commands);

}  // namespace lakehouse::cli
