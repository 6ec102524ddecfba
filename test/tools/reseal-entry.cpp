//===- reseal-entry.cpp - A valid entry with different content ------------===//
//
// ltocache-reseal-entry [--unsign] <in> <out> [<other>]: reads a verified
// entry, changes the last byte of its object (or takes the object of the
// entry <other>: a valid object, only not this job's) and writes it back as
// a valid entry under the same key, as a non-deterministic (or malicious)
// builder, or a key that missed an input, would have stored it. For
// determinism-check, verify-hits and signature tests. A remote entry's
// signature block (Remote/SignedEntry.h) is kept as it was, as a forger
// without the secret key can only do, or dropped with --unsign.
//
//===----------------------------------------------------------------------===//

#include "Remote/SignedEntry.h"
#include "Store/Entry.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace ltocache;

int main(int argc, char **argv) {
  int First = argc > 1 && StringRef(argv[1]) == "--unsign" ? 2 : 1;
  bool Unsign = First == 2;
  if (argc != First + 2 && argc != First + 3) {
    errs() << "usage: ltocache-reseal-entry [--unsign] <in> <out> "
              "[<other entry>]\n";
    return 2;
  }
  const char *InPath = argv[First], *OutPath = argv[First + 1];
  const char *OtherPath = argc == First + 3 ? argv[First + 2] : nullptr;
  auto In = MemoryBuffer::getFile(InPath, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  StringRef Bytes = In ? (*In)->getBuffer() : StringRef();
  StringRef Unsigned = stripSignature(Bytes);
  StringRef Signature = Bytes.drop_front(Unsigned.size());
  std::optional<Digest> Key;
  if (In)
    Key = claimedEntryKey(Unsigned);
  if (!Key) {
    errs() << InPath << ": not an entry\n";
    return 1;
  }
  auto Entry = decodeEntry(Unsigned, *Key);
  if (!Entry) {
    errs() << InPath << ": " << toString(Entry.takeError()) << "\n";
    return 1;
  }
  std::string Payload = Entry->Payload.str();
  if (Payload.empty()) {
    errs() << InPath << ": empty object\n";
    return 1;
  }
  if (OtherPath) {
    auto Other = MemoryBuffer::getFile(OtherPath, /*IsText=*/false,
                                       /*RequiresNullTerminator=*/false);
    std::optional<Digest> OtherKey;
    if (Other)
      OtherKey = claimedEntryKey((*Other)->getBuffer());
    auto OtherEntry =
        OtherKey ? decodeEntry((*Other)->getBuffer(), *OtherKey)
                 : Expected<DecodedEntry>(createStringError("not an entry"));
    if (!OtherEntry) {
      errs() << OtherPath << ": " << toString(OtherEntry.takeError())
             << "\n";
      return 1;
    }
    Payload = OtherEntry->Payload.str();
  } else {
    Payload.back() ^= 0x5a;
  }
  std::error_code EC;
  raw_fd_ostream OS(OutPath, EC, sys::fs::OF_None);
  if (EC) {
    errs() << OutPath << ": " << EC.message() << "\n";
    return 1;
  }
  OS << encodeEntry(*Key, Payload, Entry->CompileMicros);
  if (!Unsign)
    OS << Signature;
  return 0;
}
