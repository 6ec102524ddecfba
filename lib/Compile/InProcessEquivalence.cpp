//===- InProcessEquivalence.cpp - When in-process is the same compile -----===//

#include "Compile/InProcessEquivalence.h"
#include "Key/DriverFiles.h"

#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;

namespace ltocache {

/// The compile server is clang linked statically: it cannot load plugins
/// built against clang's shared libraries.
static bool mayLoadCode(StringRef Arg) {
  return Arg.contains("plugin") || Arg == "-load" || Arg == "-Xclang";
}

CommandObstacle inProcessCommandObstacle(const CompilerCommand &Command) {
  auto Magic = MemoryBuffer::getFileSlice(Command.Compiler.Path, 4, 0);
  if (!Magic || (*Magic)->getBuffer() != "\x7f"
                                         "ELF")
    return {"the remote compiler '" + Command.Compiler.Path +
                "' is not the clang executable itself (a wrapper?)",
            false};
  for (StringRef Arg : Command.Args)
    if (mayLoadCode(Arg))
      return {("argument '" + Arg + "' may load code into the compiler").str(),
              false};
  if (!Command.NotUnderstood.empty())
    return {"the remote compiler's launcher is not understood (" +
                Command.NotUnderstood + ")",
            true};
  if (!Command.MayRunElsewhere.empty())
    return {Command.MayRunElsewhere, true};
  if (std::optional<StringRef> O = Command.Env.get("CCC_OVERRIDE_OPTIONS"))
    if (O->contains("plugin") || O->contains("-load") || O->contains("Xclang"))
      return {"CCC_OVERRIDE_OPTIONS may load code into the compiler", true};
  return {};
}

std::string inProcessVersionObstacle(const ToolchainIdentity &Toolchain,
                                     StringRef ServerVersion) {
  StringRef FirstLine =
      compilerVersionText(Toolchain.Compiler).split('\n').first.rtrim();
  if (FirstLine != ServerVersion)
    return ("the remote compiler is '" + FirstLine + "', not '" +
            ServerVersion + "'")
        .str();
  return "";
}

std::string inProcessToolchainObstacle(const ToolchainIdentity &Toolchain,
                                       const CompilerCommand &Command) {
  if (!Toolchain.Mismatch.empty())
    return Toolchain.Mismatch;
  for (const std::string &Config : Toolchain.ConfigFiles) {
    auto Read = readDriverConfigFile(Config, Toolchain.ConfigSearchDirs);
    if (!Read)
      return toString(Read.takeError());
    for (StringRef Arg : Read->Args)
      if (mayLoadCode(Arg))
        return ("option '" + Arg + "' of configuration file '" + Config +
                "' may load code into the compiler")
            .str();
  }
  return "";
}

} // namespace ltocache
