//===- Warning.h - One warning line, written at once ------------*- C++ -*-===//
#ifndef LTOCACHE_SUPPORT_WARNING_H
#define LTOCACHE_SUPPORT_WARNING_H

#include "llvm/ADT/Twine.h"

namespace ltocache {

/// Prints "ltocache: warning: <Message>" to stderr in one write, so that
/// warnings from several threads never interleave mid-line.
void warnLine(const llvm::Twine &Message);

} // namespace ltocache

#endif
