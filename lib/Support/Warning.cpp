//===- Warning.cpp - One warning line, written at once --------------------===//

#include "Support/Warning.h"

#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace ltocache {

void warnLine(const Twine &Message) {
  std::string Line;
  raw_string_ostream OS(Line);
  WithColor::warning(OS, "ltocache") << Message << "\n";
  errs() << Line;
}

} // namespace ltocache
