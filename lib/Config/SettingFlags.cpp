//===- SettingFlags.cpp - The settings table's command-line flags ---------===//

#include "Config/SettingFlags.h"

#include "llvm/ADT/StringExtras.h"

using namespace llvm;

namespace ltocache {

namespace {
/// Puts an option on a set of subcommands known only at run time.
struct OnSubcommands {
  std::vector<cl::SubCommand *> Subs;
  template <class Opt> void apply(Opt &O) const {
    for (cl::SubCommand *S : Subs)
      if (S)
        O.addSubCommand(*S);
  }
};
/// Puts an option in a category, if there is one.
struct InCategory {
  cl::OptionCategory *Category;
  template <class Opt> void apply(Opt &O) const {
    if (Category)
      O.addCategory(*Category);
  }
};
} // namespace

/// A row's options: one for its flag, one for its alias (if any).
struct SettingFlags::Flag {
  const SettingRow *Row;
  std::string Help, AliasHelp;
  std::unique_ptr<cl::opt<std::string>> Text, AliasText;
  std::unique_ptr<cl::opt<bool>> Switch;
  std::unique_ptr<cl::list<std::string>> List;
};

/// The row's help: its text, where else it can come from, its default.
static std::string helpOf(const SettingRow &Row) {
  // README's markdown, plain.
  std::string H = join(split(Row.Help, '`'), "");
  H += " (also $" + Row.Env.str();
  if (!Row.FileKey.empty())
    H += ", file key '" + Row.FileKey.str() + "'";
  H += "; default: ";
  std::string D = !Row.DefaultDoc.empty() ? Row.DefaultDoc.str()
                  : Row.Default.empty()   ? "none"
                                          : Row.Default.str();
  H += join(split(D, '`'), "");
  H += ")";
  return H;
}

static StringRef valueName(const SettingRow &Row) {
  switch (Row.Type) {
  case SettingType::Path:
    return "path";
  case SettingType::Count:
    return "N";
  case SettingType::Millis:
  case SettingType::PositiveMillis:
    return "ms";
  default:
    return "value";
  }
}

SettingFlags::SettingFlags(SubsFor Subs, cl::OptionCategory *Category) {
  for (const SettingRow &Row : settingsTable()) {
    if (!Row.hasFlag())
      continue;
    std::vector<cl::SubCommand *> On = Subs(Row);
    if (On.empty())
      continue;
    auto F = std::make_unique<Flag>();
    F->Row = &Row;
    F->Help = helpOf(Row);
    OnSubcommands Where{On};
    InCategory Cat{Category};
    switch (Row.Type) {
    case SettingType::Switch:
      F->Switch = std::make_unique<cl::opt<bool>>(
          StringRef(Row.Name), cl::desc(F->Help), Where, Cat);
      break;
    case SettingType::List:
      F->List = std::make_unique<cl::list<std::string>>(
          StringRef(Row.Name), cl::desc(F->Help),
          cl::value_desc(valueName(Row)), Where, Cat);
      break;
    default:
      F->Text = std::make_unique<cl::opt<std::string>>(
          StringRef(Row.Name), cl::desc(F->Help),
          cl::value_desc(valueName(Row)), Where, Cat);
      break;
    }
    if (!Row.Alias.empty() && F->Text) {
      F->AliasHelp = "Alias for --" + Row.Name.str();
      if (Row.AliasIsPrefix)
        F->AliasText = std::make_unique<cl::opt<std::string>>(
            StringRef(Row.Alias), cl::desc(F->AliasHelp),
            cl::value_desc(valueName(Row)), cl::Prefix, Where, Cat);
      else
        F->AliasText = std::make_unique<cl::opt<std::string>>(
            StringRef(Row.Alias), cl::desc(F->AliasHelp),
            cl::value_desc(valueName(Row)), Where, Cat);
    }
    Flags.push_back(std::move(F));
  }
}

SettingFlags::~SettingFlags() {
  for (auto &F : Flags)
    for (cl::Option *O : std::initializer_list<cl::Option *>{
             F->Text.get(), F->AliasText.get(), F->Switch.get(), F->List.get()})
      if (O)
        O->removeArgument();
}

SettingFlags::SubsFor SettingFlags::topLevel(unsigned Uses) {
  return [Uses](const SettingRow &Row) -> std::vector<cl::SubCommand *> {
    if (Row.Uses & Uses)
      return {nullptr};
    return {};
  };
}

GivenFlags SettingFlags::given() const {
  GivenFlags Out;
  for (const auto &F : Flags) {
    const SettingRow &Row = *F->Row;
    std::string Flag = "--" + Row.Name.str();
    if (F->Switch && F->Switch->getNumOccurrences())
      Out[Row.Id] = {*F->Switch ? "true" : "false", Flag};
    if (F->List && F->List->getNumOccurrences())
      Out[Row.Id] = {join(*F->List, " "), Flag};
    if (F->Text) {
      // Both spellings given: the later one counts, as with one flag given
      // twice.
      bool Main = F->Text->getNumOccurrences();
      bool Alias = F->AliasText && F->AliasText->getNumOccurrences();
      if (Main && Alias && F->AliasText->getPosition() > F->Text->getPosition())
        Main = false;
      if (Main)
        Out[Row.Id] = {*F->Text, Flag};
      else if (Alias)
        Out[Row.Id] = {*F->AliasText,
                       (Row.AliasIsPrefix ? "-" : "--") + Row.Alias.str()};
    }
  }
  return Out;
}

} // namespace ltocache
