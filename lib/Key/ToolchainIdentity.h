//===- ToolchainIdentity.h - What identifies a compiler binary --*- C++ -*-===//
#ifndef LTOCACHE_KEY_TOOLCHAINIDENTITY_H
#define LTOCACHE_KEY_TOOLCHAINIDENTITY_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace ltocache {

/// The identity of the compiler at \p Path (found on PATH if it has no
/// slash): the content digest of the executable (a wrapper script is hashed
/// as itself) plus the text `<compiler> --version` prints. The version text
/// is remembered under \p MemoDir by content digest, so a warm link does not
/// run the compiler at all. \p MemoDir may be empty (no memo).
/// \p BeforeRun, if given, is called just before the compiler is run: the
/// memo is missing, so this link is probably the first with this compiler.
llvm::Expected<std::string>
computeCompilerIdentity(llvm::StringRef Path, llvm::StringRef MemoDir,
                        llvm::function_ref<void()> BeforeRun = {});

} // namespace ltocache

#endif
