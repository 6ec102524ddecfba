//===- SettingFlags.h - The settings table's command-line flags -*- C++ -*-===//
//
// Registers one LLVM command-line option per row of the settings table (and
// one per alias), with the row's help text, so that a program's flags are
// derived from the table; after parsing, given() says which were given and
// how they were spelled (the source `ltocache config` shows).
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_CONFIG_SETTINGFLAGS_H
#define LTOCACHE_CONFIG_SETTINGFLAGS_H

#include "Config/Settings.h"

#include "llvm/Support/CommandLine.h"

#include <functional>
#include <memory>
#include <vector>

namespace ltocache {

class SettingFlags {
public:
  /// For each row with a flag, \p SubsFor says on which subcommands to
  /// register it: nothing (the row is not a flag of this program), or
  /// {nullptr} for the top level.
  using SubsFor =
      std::function<std::vector<llvm::cl::SubCommand *>(const SettingRow &)>;
  SettingFlags(SubsFor Subs, llvm::cl::OptionCategory *Category);
  ~SettingFlags();

  /// The rows a program takes as flags: those used by \p Uses (a
  /// SettingUse mask), registered at the top level.
  static SubsFor topLevel(unsigned Uses);

  /// The flags given on the command line (after it was parsed).
  GivenFlags given() const;

private:
  struct Flag;
  std::vector<std::unique_ptr<Flag>> Flags;
};

} // namespace ltocache

#endif
