//===- ShardIdentity.cpp - A summary shard's digest without paths ---------===//

#include "Key/ShardIdentity.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/LLVMBitCodes.h"
#include "llvm/Bitstream/BitstreamReader.h"
#include "llvm/Support/BLAKE3.h"
#include "llvm/Support/Endian.h"

using namespace llvm;

namespace ltocache {

namespace {

class Walker {
public:
  Walker(BitstreamCursor &Stream,
         function_ref<std::optional<std::string>(StringRef)> Identity)
      : Stream(Stream), Identity(Identity) {
    Stream.setBlockInfo(&BlockInfo);
  }

  /// Hashes the block just entered (its ID given), up to its end.
  bool block(unsigned ID) {
    u64('{');
    u64(ID);
    SmallVector<uint64_t, 64> Ops;
    while (true) {
      Expected<BitstreamEntry> E = Stream.advance();
      if (!E) {
        consumeError(E.takeError());
        return false;
      }
      switch (E->Kind) {
      case BitstreamEntry::Error:
        return false;
      case BitstreamEntry::EndBlock:
        u64('}');
        return true;
      case BitstreamEntry::SubBlock:
        if (E->ID == bitc::BLOCKINFO_BLOCK_ID) {
          Expected<std::optional<BitstreamBlockInfo>> Info =
              Stream.ReadBlockInfoBlock();
          if (!Info) {
            consumeError(Info.takeError());
            return false;
          }
          if (!*Info)
            return false;
          BlockInfo = std::move(**Info);
          break;
        }
        if (Error Err = Stream.EnterSubBlock(E->ID)) {
          consumeError(std::move(Err));
          return false;
        }
        if (!block(E->ID))
          return false;
        break;
      case BitstreamEntry::Record: {
        Ops.clear();
        StringRef Blob;
        Expected<unsigned> Code = Stream.readRecord(E->ID, Ops, &Blob);
        if (!Code) {
          consumeError(Code.takeError());
          return false;
        }
        u64('r');
        u64(*Code);
        if (ID == bitc::MODULE_STRTAB_BLOCK_ID &&
            *Code == bitc::MST_CODE_ENTRY && !Ops.empty()) {
          // [modid, namechar x N]: the path, as what is behind it.
          std::string Path;
          for (uint64_t C : ArrayRef<uint64_t>(Ops).drop_front())
            Path.push_back(static_cast<char>(C));
          std::optional<std::string> Who = Identity(Path);
          if (!Who)
            return false;
          u64(Ops[0]);
          str(*Who);
        } else {
          u64(Ops.size());
          for (uint64_t Op : Ops)
            u64(Op);
        }
        str(Blob);
        break;
      }
      }
    }
  }

  Digest finish() { return Hasher.final<32>(); }

  void u64(uint64_t V) {
    uint8_t B[8];
    support::endian::write64le(B, V);
    Hasher.update(B);
  }
  void str(StringRef S) {
    u64(S.size());
    Hasher.update(arrayRefFromStringRef(S));
  }

private:
  BitstreamCursor &Stream;
  function_ref<std::optional<std::string>(StringRef)> Identity;
  BitstreamBlockInfo BlockInfo;
  BLAKE3 Hasher;
};

} // namespace

/// The generic walk: every record of every block.
static std::optional<Digest>
walkAll(BitstreamCursor Stream,
        function_ref<std::optional<std::string>(StringRef)> Identity) {
  Walker W(Stream, Identity);
  while (!Stream.AtEndOfStream()) {
    // A tail too short to hold a block is padding.
    if (Stream.getCurrentByteNo() + 4 > Stream.getBitcodeBytes().size())
      break;
    Expected<BitstreamEntry> E = Stream.advance();
    if (!E) {
      consumeError(E.takeError());
      return std::nullopt;
    }
    if (E->Kind != BitstreamEntry::SubBlock)
      return std::nullopt;
    if (Error Err = Stream.EnterSubBlock(E->ID)) {
      consumeError(std::move(Err));
      return std::nullopt;
    }
    if (!W.block(E->ID))
      return std::nullopt;
  }
  return W.finish();
}

/// The usual shard, fast: a module block whose first sub-block is the module
/// string table. Every byte outside that block is hashed as it is, but for
/// the two length words that depend on the paths (the module block's and the
/// table's); blocks end on 32-bit boundaries, so what follows the table is
/// the same bytes whatever its size. Only the table itself is walked.
static std::optional<Digest>
quickWalk(ArrayRef<uint8_t> Bytes,
          function_ref<std::optional<std::string>(StringRef)> Identity) {
  BitstreamCursor Stream(Bytes);
  if (Stream.JumpToBit(32))
    return std::nullopt;
  Expected<BitstreamEntry> Top = Stream.advance();
  if (!Top || Top->Kind != BitstreamEntry::SubBlock ||
      Top->ID != bitc::MODULE_BLOCK_ID) {
    if (!Top)
      consumeError(Top.takeError());
    return std::nullopt;
  }
  if (Error E = Stream.EnterSubBlock(bitc::MODULE_BLOCK_ID)) {
    consumeError(std::move(E));
    return std::nullopt;
  }
  uint64_t ModuleLength = Stream.GetCurrentBitNo() / 8 - 4;
  while (true) {
    Expected<BitstreamEntry> E = Stream.advance();
    if (!E) {
      consumeError(E.takeError());
      return std::nullopt;
    }
    if (E->Kind == BitstreamEntry::Record) {
      if (Expected<unsigned> C = Stream.skipRecord(E->ID); !C) {
        consumeError(C.takeError());
        return std::nullopt;
      }
      continue;
    }
    if (E->Kind != BitstreamEntry::SubBlock ||
        E->ID != bitc::MODULE_STRTAB_BLOCK_ID)
      return std::nullopt;
    break;
  }
  if (Error E = Stream.EnterSubBlock(bitc::MODULE_STRTAB_BLOCK_ID)) {
    consumeError(std::move(E));
    return std::nullopt;
  }
  uint64_t TableLength = Stream.GetCurrentBitNo() / 8 - 4;
  Walker W(Stream, Identity);
  if (!W.block(bitc::MODULE_STRTAB_BLOCK_ID))
    return std::nullopt;
  uint64_t TableEnd = Stream.GetCurrentBitNo();
  if (TableEnd % 32 || TableLength < ModuleLength + 4)
    return std::nullopt;
  StringRef All(reinterpret_cast<const char *>(Bytes.data()), Bytes.size());
  W.str(All.slice(0, ModuleLength));
  W.str(All.slice(ModuleLength + 4, TableLength));
  W.str(All.drop_front(TableEnd / 8));
  return W.finish();
}

std::optional<Digest> shardIdentity(
    MemoryBufferRef Shard,
    function_ref<std::optional<std::string>(StringRef Path)> Identity) {
  const auto *Begin =
      reinterpret_cast<const unsigned char *>(Shard.getBufferStart());
  const auto *End = Begin + Shard.getBufferSize();
  if (isBitcodeWrapper(Begin, End) &&
      SkipBitcodeWrapperHeader(Begin, End, /*VerifyBufferSize=*/true))
    return std::nullopt;
  if (!isRawBitcode(Begin, End))
    return std::nullopt;
  ArrayRef<uint8_t> Bytes(Begin, End);
  if (std::optional<Digest> D = quickWalk(Bytes, Identity)) {
    // Domain-separated from the generic walk's digests.
    KeyBuilder KB("shard-identity-quick", 1);
    KB.add(KeyField::SummaryShard, *D);
    return KB.finish();
  }
  BitstreamCursor Stream(Bytes);
  if (!Stream.canSkipToPos(4) || Stream.JumpToBit(32))
    return std::nullopt;
  return walkAll(std::move(Stream), Identity);
}

} // namespace ltocache
