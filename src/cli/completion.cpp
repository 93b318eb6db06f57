// Writes the bash completion script by walking the CLI11 App's subcommands and options.
#include "cli/completion.h"

#include <CLI/CLI.hpp>

#include <cctype>
#include <map>
#include <sstream>

namespace lakehouse::cli {
namespace {

// What the script knows of each command, keyed by its path of names from
// the program ("lakehouse", "lakehouse vectors search"): bash refuses an
// empty key, so the program's own is its name.
struct Words {
  std::map<std::string, std::string> subcommands;  // path -> names
  std::map<std::string, std::string> options;      // path -> every flag and option
  std::map<std::string, std::string> valued;       // path -> options that take a value
  std::map<std::string, std::string> choices;      // "path|option" or "path|" -> values
  std::map<std::string, std::string> files;        // "path|option" or "path|" -> "1": file names
};

void Append(std::string& list, const std::string& word) {
  if (!list.empty()) list += ' ';
  list += word;
}

// The values of an IsMember check, from the "{a,b,c}" CLI11 puts in the
// type name; empty when there is none.
std::string ChoicesOf(const CLI::Option& option) {
  std::string type = option.get_type_name();
  size_t open = type.find('{'), close = type.find('}');
  if (open == type.npos || close == type.npos || close < open) return "";
  std::string values = type.substr(open + 1, close - open - 1);
  for (char& c : values) {
    if (c == ',') c = ' ';
  }
  return values;
}

// CLI::ExistingFile names itself "FILE" in the type name.
bool TakesFile(const CLI::Option& option) {
  std::string type = option.get_type_name();
  return type == "FILE" || type.ends_with(":FILE") || type.find(":FILE:") != type.npos;
}

void AddOption(const std::string& path, const CLI::Option& option, Words& words) {
  const std::string key = path + "|";
  std::string names;
  for (const auto& name : option.get_lnames()) Append(names, "--" + name);
  for (const auto& name : option.get_snames()) Append(names, "-" + name);
  if (names.empty()) {  // a positional argument
    if (std::string values = ChoicesOf(option); !values.empty()) Append(words.choices[key], values);
    if (TakesFile(option)) words.files[key] = "1";
    return;
  }
  Append(words.options[path], names);
  if (option.get_expected_max() == 0) return;  // a flag
  Append(words.valued[path], names);
  std::istringstream each(names);
  for (std::string name; each >> name;) {
    if (std::string values = ChoicesOf(option); !values.empty()) words.choices[key + name] = values;
    if (TakesFile(option)) words.files[key + name] = "1";
  }
}

void Walk(const CLI::App& app, const std::string& path, Words& words) {
  words.options[path];
  for (const CLI::Option* option : app.get_options()) AddOption(path, *option, words);
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name().empty() || sub->get_disabled()) continue;
    Append(words.subcommands[path], sub->get_name());
    Walk(*sub, path + " " + sub->get_name(), words);
  }
}

// `local -A NAME=(['key']='value' ...)`; keys and values are CLI11 names,
// which hold no quote.
void WriteMap(std::ostream& out, const char* name, const std::map<std::string, std::string>& map) {
  out << "  local -A " << name << "=(";
  for (const auto& [key, value] : map) out << "\n    ['" << key << "']='" << value << "'";
  out << "\n  )\n";
}

// Finds the command typed so far, then offers what may come next.
constexpr const char* kCompleter =
    R"(  local cur=${COMP_WORDS[COMP_CWORD]} path=lakehouse value_of="" word i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ $word == -* ]]; then
      if [[ " ${valued[$path]-} " == *" $word "* ]]; then
        if ((i + 1 == COMP_CWORD)); then value_of=$word; fi
        i=$((i + 1))
      fi
    elif [[ " ${subcommands[$path]-} " == *" $word "* ]]; then
      path="$path $word"
    fi
  done
  local key="$path|$value_of" candidates=""
  if [[ -n $value_of ]]; then
    candidates=${choices[$key]-}
  elif [[ $cur == -* ]]; then
    candidates=${options[$path]-}
  else
    candidates="${subcommands[$path]-} ${choices[$key]-}"
  fi
  mapfile -t COMPREPLY < <(compgen -W "$candidates" -- "$cur")
  if [[ -n ${files[$key]-} && $cur != -* ]]; then
    compopt -o filenames 2>/dev/null || true
    mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur")
  fi
}
)";

// A name `complete` can take as it is (no quoting needed).
bool PlainWord(const std::string& word) {
  if (word.empty()) return false;
  for (char c : word) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '/' &&
        c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string BashCompletion(const CLI::App& app, const std::vector<std::string>& commands) {
  Words words;
  Walk(app, "lakehouse", words);
  std::ostringstream out;
  out << "# bash completion for lakehouse, written by `lakehouse completion bash` from the\n"
         "# binary's own command definitions. Install: add\n"
         "#   source <(lakehouse completion bash)\n"
         "# to ~/.bashrc.\n"
         "_lakehouse() {\n";
  WriteMap(out, "subcommands", words.subcommands);
  WriteMap(out, "options", words.options);
  WriteMap(out, "valued", words.valued);
  WriteMap(out, "choices", words.choices);
  WriteMap(out, "files", words.files);
  out << kCompleter << "complete -F _lakehouse";
  for (const auto& command : commands) {
    if (PlainWord(command)) out << " " << command;
  }
  out << "\n";
  return out.str();
}

}  // namespace lakehouse::cli
