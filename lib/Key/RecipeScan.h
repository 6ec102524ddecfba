//===- RecipeScan.h - A module's recipe, read from the bitstream -*- C++
//-*-===//
//
// Reading the recipe through LLVM's bitcode reader builds a lazy Module: a
// context, every global and function declaration with its attributes, and
// all module-level metadata (the whole debug-info graph of a -g module).
// On a cold link that was ~0.3 ms of the distributor's CPU per job on
// small modules, more with debug info. This scanner walks the bitstream
// instead: it skips every block but the module-level metadata, counts
// metadata IDs, and reads only the strings and tuples the recipe is made of.
//
// It answers only when it is sure; anything it does not expect (an unknown
// metadata record, several modules in one file, a malformed recipe, no
// source file name) is Unsure, and the caller falls back to LLVM's reader,
// which gives the result or the error it always gave. A scanning mistake
// can never make a wrong cache hit: the recipe is a function of the
// module's bytes, which the job key hashes in full.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_KEY_RECIPESCAN_H
#define LTOCACHE_KEY_RECIPESCAN_H

#include "llvm/Support/MemoryBufferRef.h"

#include <string>

namespace ltocache {

struct RecipeScan {
  enum OutcomeKind {
    Found,  ///< Text holds the module's own recipe, as recipeToText.
    Absent, ///< The module carries no recipe of its own.
    Unsure, ///< Ask LLVM's reader.
  };
  OutcomeKind Outcome = Unsure;
  std::string Text;
};

RecipeScan scanRecipe(llvm::MemoryBufferRef Bitcode);

} // namespace ltocache

#endif
