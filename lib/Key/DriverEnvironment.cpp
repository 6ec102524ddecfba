//===- DriverEnvironment.cpp - Variables that change a compile ------------===//

#include "Key/DriverEnvironment.h"

using namespace llvm;

namespace ltocache {

ArrayRef<StringLiteral> driverEnvironmentVariables() {
  static constexpr StringLiteral Names[] = {
      // driver.cpp: edits the command line.
      "CCC_OVERRIDE_OPTIONS",
      // driver.cpp, in clang-cl mode: options prepended.
      "CL",
      // Driver.cpp: the z/OS customisation file.
      "CLANG_CONFIG_PATH",
      // Driver.cpp: no default configuration files.
      "CLANG_NO_DEFAULT_CONFIG",
      // Driver.cpp: where the driver looks for the programs it runs (an
      // assembler with -fno-integrated-as).
      "COMPILER_PATH",
      // ToolChains/Darwin.cpp: the OS version in the target triple.
      "DRIVERKIT_DEPLOYMENT_TARGET",
      "IPHONEOS_DEPLOYMENT_TARGET",
      // The dynamic loader: code loaded into the compiler.
      "LD_PRELOAD",
      "MACOSX_DEPLOYMENT_TARGET",
      // ToolChains/Darwin.cpp and Clang.cpp: the command line recorded in
      // debug information, debug prefix maps.
      "RC_DEBUG_OPTIONS",
      "RC_DEBUG_PREFIX_MAP",
      // ToolChains/Darwin.cpp: the SDK, and from it the OS version.
      "SDKROOT",
      "TVOS_DEPLOYMENT_TARGET",
      "WATCHOS_DEPLOYMENT_TARGET",
      "XROS_DEPLOYMENT_TARGET",
      // driver.cpp, in clang-cl mode: options appended.
      "_CL_",
  };
  return Names;
}

std::vector<std::string> driverEnvironment(const Environment &Env) {
  std::vector<std::string> Out;
  for (StringRef Name : driverEnvironmentVariables())
    if (std::optional<StringRef> V = Env.get(Name))
      Out.push_back((Name + "=" + *V).str());
  return Out;
}

} // namespace ltocache
