//===- BundledModule.h - Modules installed beside the programs --*- C++ -*-===//
//
// The programs load some of their code on demand (LTOCacheHttp.so) from the
// lib/ directory next to their own bin/: <dir of executable>/../lib/<name>,
// and run helpers (ltocache-compile) from their own directory, in the build
// tree and when installed.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_SUPPORT_BUNDLEDMODULE_H
#define LTOCACHE_SUPPORT_BUNDLEDMODULE_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace ltocache {

/// <dir of the running executable>/../lib/\p FileName.
std::string bundledModulePath(llvm::StringRef FileName);

/// <dir of the running executable>/\p FileName.
std::string bundledProgramPath(llvm::StringRef FileName);

} // namespace ltocache

#endif
