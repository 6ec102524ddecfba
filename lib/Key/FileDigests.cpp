//===- FileDigests.cpp - Input digests, once per link ---------------------===//

#include "Key/FileDigests.h"

using namespace llvm;

namespace ltocache {

Expected<Digest> FileDigests::get(StringRef Path) {
  {
    std::lock_guard<std::mutex> G(Lock);
    auto It = Known.find(Path);
    if (It != Known.end())
      return It->second;
  }
  auto D = hashFile(Path);
  if (!D)
    return D.takeError();
  remember(Path, *D);
  return *D;
}

void FileDigests::remember(StringRef Path, const Digest &D) {
  std::lock_guard<std::mutex> G(Lock);
  Known.try_emplace(Path, D);
}

} // namespace ltocache
