//===- reseal-entry.cpp - A valid entry with different content ------------===//
//
// ltocache-reseal-entry [--unsign] <in> <out>: reads a verified entry,
// changes the last byte of its object and writes it back as a valid entry
// under the same key, as a non-deterministic (or malicious) builder would
// have stored it. For determinism-check tests. A remote entry's signature
// block (Remote/SignedEntry.h) is kept as it was, as a forger without the
// secret key can only do, or dropped with --unsign.
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
  bool Unsign = argc == 4 && StringRef(argv[1]) == "--unsign";
  if (argc != 3 && !Unsign) {
    errs() << "usage: ltocache-reseal-entry [--unsign] <in> <out>\n";
    return 2;
  }
  const char *InPath = argv[argc - 2], *OutPath = argv[argc - 1];
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
  Payload.back() ^= 0x5a;
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
