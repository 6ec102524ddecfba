//===- BundledModule.cpp - Modules installed beside the programs ----------===//

#include "Support/BundledModule.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace ltocache {

static std::string mainExecutable() {
  static int Anchor;
  return sys::fs::getMainExecutable(nullptr, &Anchor);
}

std::string bundledModulePath(StringRef FileName) {
  SmallString<256> P(
      sys::path::parent_path(sys::path::parent_path(mainExecutable())));
  sys::path::append(P, "lib", FileName);
  return std::string(P);
}

std::string bundledProgramPath(StringRef FileName) {
  SmallString<256> P(sys::path::parent_path(mainExecutable()));
  sys::path::append(P, FileName);
  return std::string(P);
}

} // namespace ltocache
