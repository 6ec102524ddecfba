//===- reseal-entry.cpp - A valid entry with different content ------------===//
//
// ltocache-reseal-entry <in> <out> [<other>]: reads a verified entry,
// changes the last byte of its object (or takes the object of the entry
// <other>: a valid object, only not this job's) and writes it back as a
// valid entry under the same key, as a non-deterministic (or malicious)
// builder, or a key that missed an input, would have stored it. For
// determinism-check and verify-hits tests.
//
//===----------------------------------------------------------------------===//

#include "Store/Entry.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace ltocache;

int main(int argc, char **argv) {
  if (argc != 3 && argc != 4) {
    errs() << "usage: ltocache-reseal-entry <in> <out> [<other entry>]\n";
    return 2;
  }
  auto In = MemoryBuffer::getFile(argv[1], /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  std::optional<Digest> Key;
  if (In)
    Key = claimedEntryKey((*In)->getBuffer());
  if (!Key) {
    errs() << argv[1] << ": not an entry\n";
    return 1;
  }
  auto Entry = decodeEntry((*In)->getBuffer(), *Key);
  if (!Entry) {
    errs() << argv[1] << ": " << toString(Entry.takeError()) << "\n";
    return 1;
  }
  std::string Payload = Entry->Payload.str();
  if (Payload.empty()) {
    errs() << argv[1] << ": empty object\n";
    return 1;
  }
  if (argc == 4) {
    auto Other = MemoryBuffer::getFile(argv[3], /*IsText=*/false,
                                       /*RequiresNullTerminator=*/false);
    std::optional<Digest> OtherKey;
    if (Other)
      OtherKey = claimedEntryKey((*Other)->getBuffer());
    auto OtherEntry =
        OtherKey ? decodeEntry((*Other)->getBuffer(), *OtherKey)
                 : Expected<DecodedEntry>(createStringError("not an entry"));
    if (!OtherEntry) {
      errs() << argv[3] << ": " << toString(OtherEntry.takeError()) << "\n";
      return 1;
    }
    Payload = OtherEntry->Payload.str();
  } else {
    Payload.back() ^= 0x5a;
  }
  std::error_code EC;
  raw_fd_ostream OS(argv[2], EC, sys::fs::OF_None);
  if (EC) {
    errs() << argv[2] << ": " << EC.message() << "\n";
    return 1;
  }
  OS << encodeEntry(*Key, Payload, Entry->CompileMicros);
  return 0;
}
