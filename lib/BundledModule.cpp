//===- BundledModule.cpp - Modules installed beside the programs ----------===//

#include "ltocache/BundledModule.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace ltocache {

std::string bundledModulePath(StringRef FileName) {
  static int Anchor;
  std::string Exe = sys::fs::getMainExecutable(nullptr, &Anchor);
  SmallString<256> P(sys::path::parent_path(sys::path::parent_path(Exe)));
  sys::path::append(P, "lib", FileName);
  return std::string(P);
}

} // namespace ltocache
