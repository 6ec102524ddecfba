//===- RecipeScan.cpp - A module's recipe, read from the bitstream --------===//

#include "Key/RecipeScan.h"
#include "Key/ModuleRecipe.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/LLVMBitCodes.h"
#include "llvm/Bitstream/BitstreamReader.h"

#include <optional>

using namespace llvm;

namespace ltocache {
namespace {

/// How many metadata IDs a module-level metadata record takes, as LLVM's
/// MetadataLoader numbers them: none, one, or a code this scanner does not
/// know (then it gives up rather than guess).
enum class Numbering { None, One, Unknown };

Numbering numberingOf(unsigned Code) {
  switch (Code) {
  case bitc::METADATA_NAME:
  case bitc::METADATA_KIND:
  case bitc::METADATA_NAMED_NODE:
  case bitc::METADATA_ATTACHMENT:
  case bitc::METADATA_GLOBAL_DECL_ATTACHMENT:
  case bitc::METADATA_INDEX_OFFSET:
  case bitc::METADATA_INDEX:
    return Numbering::None;
  case bitc::METADATA_STRING_OLD:
  case bitc::METADATA_VALUE:
  case bitc::METADATA_NODE:
  case bitc::METADATA_DISTINCT_NODE:
  case bitc::METADATA_LOCATION:
  case bitc::METADATA_OLD_NODE:
  case bitc::METADATA_OLD_FN_NODE:
  case bitc::METADATA_GLOBAL_VAR_EXPR:
  case bitc::METADATA_LABEL:
  case bitc::METADATA_STRING_TYPE:
  case bitc::METADATA_COMMON_BLOCK:
  case bitc::METADATA_GENERIC_SUBRANGE:
  case bitc::METADATA_ASSIGN_ID:
  case bitc::METADATA_SUBRANGE_TYPE:
  case bitc::METADATA_FIXED_POINT_TYPE:
    return Numbering::One;
  default:
    // The debug-info records, METADATA_GENERIC_DEBUG .. METADATA_MACRO_FILE.
    if (Code >= bitc::METADATA_GENERIC_DEBUG &&
        Code <= bitc::METADATA_MACRO_FILE)
      return Numbering::One;
    return Numbering::Unknown;
  }
}

/// True (and the error dropped: the caller falls back) if \p E failed.
bool failed(Error E) {
  if (!E)
    return false;
  consumeError(std::move(E));
  return true;
}

template <typename T> bool failed(Expected<T> &V) {
  if (V)
    return false;
  consumeError(V.takeError());
  return true;
}

/// What a metadata ID stands for, as far as a recipe needs to know.
struct MetadataSlot {
  enum KindType : uint8_t {
    Other,
    String,  ///< Where: index in Strings.
    Tuple,   ///< Where: the record's bit, after its abbreviation ID.
    Indexed, ///< Where: the record's bit, before its abbreviation ID.
  } Kind = Other;
  unsigned AbbrevID = 0; // Tuple: how its record is encoded.
  uint64_t Where = 0;
};

class Scanner {
public:
  explicit Scanner(MemoryBufferRef Bitcode) : Bitcode(Bitcode) {}

  /// std::nullopt: unsure.
  std::optional<RecipeScan> run();

private:
  bool scanModule();
  bool scanMetadata();
  bool reread(uint64_t At, unsigned AbbrevID, uint64_t After,
              SmallVectorImpl<uint64_t> &Record, StringRef *Blob = nullptr);
  bool readTuple(uint64_t ID, SmallVectorImpl<uint64_t> &Ops);
  std::optional<StringRef> stringAt(uint64_t ID) const;
  bool readRecipes(ArrayRef<uint64_t> RecipeIDs);

  MemoryBufferRef Bitcode;
  BitstreamCursor Stream;
  BitstreamBlockInfo BlockInfo;
  std::vector<MetadataSlot> Slots;
  std::vector<StringRef> Strings;
  uint64_t NonStrings = 0;
  std::optional<std::string> SourceFileName;
  bool SawRecipeNode = false;
  std::vector<std::vector<RecipeField>> Recipes;
};

std::optional<RecipeScan> Scanner::run() {
  const auto *Begin =
      reinterpret_cast<const unsigned char *>(Bitcode.getBufferStart());
  const auto *End = Begin + Bitcode.getBufferSize();
  if (isBitcodeWrapper(Begin, End) &&
      SkipBitcodeWrapperHeader(Begin, End, /*VerifyBufferSize=*/true))
    return std::nullopt;
  if (!isRawBitcode(Begin, End))
    return std::nullopt;
  Stream = BitstreamCursor(ArrayRef<uint8_t>(Begin, End));
  Stream.setBlockInfo(&BlockInfo);
  if (!Stream.canSkipToPos(4) || failed(Stream.JumpToBit(32)))
    return std::nullopt;

  unsigned Modules = 0;
  bool SawStrtab = false;
  // Top level: an identification block, the module, the string and symbol
  // tables. Like LLVM's reader, ignore a tail too short to hold a module.
  while (Stream.getCurrentByteNo() + 8 < Stream.getBitcodeBytes().size()) {
    Expected<BitstreamEntry> E = Stream.advance();
    if (failed(E))
      return std::nullopt;
    if (E->Kind != BitstreamEntry::SubBlock)
      return std::nullopt;
    if (E->ID == bitc::MODULE_BLOCK_ID) {
      if (++Modules > 1 || !scanModule())
        return std::nullopt;
      continue;
    }
    // The module's global names are in the string table after it: without
    // one, LLVM's reader fails, so must the scan.
    SawStrtab |= E->ID == bitc::STRTAB_BLOCK_ID && Modules == 1;
    if (failed(Stream.SkipBlock()))
      return std::nullopt;
  }
  if (Modules != 1 || !SawStrtab || !SourceFileName)
    return std::nullopt;

  RecipeScan Result;
  if (!SawRecipeNode) {
    Result.Outcome = RecipeScan::Absent;
    return Result;
  }
  for (const std::vector<RecipeField> &Fields : Recipes)
    for (const RecipeField &F : Fields)
      if (F.Name == "source" && F.Values.size() == 1 &&
          F.Values[0] == *SourceFileName) {
        Result.Outcome = RecipeScan::Found;
        Result.Text = recipeToText(Fields);
        return Result;
      }
  // Recipes, none of them this module's: LLVM's reader says "absent", but a
  // miscounted ID could look the same. Let it say so.
  return std::nullopt;
}

bool Scanner::scanModule() {
  if (failed(Stream.EnterSubBlock(bitc::MODULE_BLOCK_ID)))
    return false;
  SmallVector<uint64_t, 64> Record;
  while (true) {
    Expected<BitstreamEntry> E = Stream.advance();
    if (failed(E))
      return false;
    switch (E->Kind) {
    case BitstreamEntry::Error:
      return false;
    case BitstreamEntry::EndBlock:
      return true;
    case BitstreamEntry::SubBlock:
      if (E->ID == bitc::BLOCKINFO_BLOCK_ID) {
        Expected<std::optional<BitstreamBlockInfo>> Info =
            Stream.ReadBlockInfoBlock();
        if (failed(Info) || !*Info)
          return false;
        BlockInfo = std::move(**Info);
        break;
      }
      if (E->ID == bitc::METADATA_BLOCK_ID) {
        if (!scanMetadata())
          return false;
        break;
      }
      if (failed(Stream.SkipBlock()))
        return false;
      break;
    case BitstreamEntry::Record: {
      // Only the source file name matters here: skip, and read it again
      // if it was that.
      uint64_t At = Stream.GetCurrentBitNo();
      Expected<unsigned> Code = Stream.skipRecord(E->ID);
      if (failed(Code))
        return false;
      if (*Code != bitc::MODULE_CODE_SOURCE_FILENAME)
        break;
      if (!reread(At, E->ID, Stream.GetCurrentBitNo(), Record))
        return false;
      SourceFileName.emplace(Record.begin(), Record.end());
      break;
    }
    }
  }
}

bool Scanner::scanMetadata() {
  if (failed(Stream.EnterSubBlock(bitc::METADATA_BLOCK_ID)))
    return false;
  SmallVector<uint64_t, 64> Record;
  std::string PendingName;
  bool NameSeen = false;
  std::optional<uint64_t> IndexedRecords;
  const uint64_t NonStringsBefore = NonStrings;
  while (true) {
    Expected<BitstreamEntry> E = Stream.advance();
    if (failed(E))
      return false;
    if (E->Kind == BitstreamEntry::EndBlock)
      // The index, when there is one, lists one position per non-string
      // record: a check of the count.
      return !IndexedRecords ||
             *IndexedRecords == NonStrings - NonStringsBefore;
    if (E->Kind != BitstreamEntry::Record)
      return false;

    uint64_t At = Stream.GetCurrentBitNo();
    Expected<unsigned> Code = Stream.skipRecord(E->ID);
    if (failed(Code))
      return false;
    if (NameSeen && *Code != bitc::METADATA_NAMED_NODE)
      return false;
    uint64_t After = Stream.GetCurrentBitNo();
    auto Reread = [&](StringRef *Blob) {
      return reread(At, E->ID, After, Record, Blob);
    };

    switch (*Code) {
    case bitc::METADATA_STRINGS: {
      // Strings come first; after a jump to the index they would be
      // numbered out of order.
      StringRef Blob;
      if (IndexedRecords || !Reread(&Blob) || Record.size() != 2 ||
          Record[0] == 0 || Record[1] > Blob.size())
        return false;
      uint64_t Count = Record[0];
      SimpleBitstreamCursor Lengths(
          ArrayRef<uint8_t>(Blob.bytes_begin(), Record[1]));
      StringRef Chars = Blob.drop_front(Record[1]);
      for (uint64_t I = 0; I < Count; ++I) {
        if (Lengths.AtEndOfStream())
          return false;
        Expected<uint32_t> Size = Lengths.ReadVBR(6);
        if (failed(Size) || Chars.size() < *Size)
          return false;
        Slots.push_back({MetadataSlot::String, 0, Strings.size()});
        Strings.push_back(Chars.take_front(*Size));
        Chars = Chars.drop_front(*Size);
      }
      continue;
    }
    case bitc::METADATA_NODE:
    case bitc::METADATA_DISTINCT_NODE:
      Slots.push_back({MetadataSlot::Tuple, E->ID, At});
      ++NonStrings;
      continue;
    case bitc::METADATA_NAME:
      if (!Reread(nullptr))
        return false;
      PendingName.assign(Record.begin(), Record.end());
      NameSeen = true;
      continue;
    case bitc::METADATA_NAMED_NODE:
      if (!NameSeen)
        return false;
      NameSeen = false;
      if (PendingName != RecipeMetadataName)
        continue;
      if (!Reread(nullptr) || SawRecipeNode)
        return false;
      SawRecipeNode = true;
      if (!readRecipes(
              SmallVector<uint64_t, 4>(Record.begin(), Record.end())) ||
          failed(Stream.JumpToBit(After)))
        return false;
      continue;
    case bitc::METADATA_INDEX_OFFSET: {
      // Written after the strings when the block is large (a -g module's
      // debug info): how far METADATA_INDEX is, which gives the position
      // of every record. Jump there, as LLVM's lazy loader does, instead of
      // walking the records.
      if (NonStrings != NonStringsBefore || !Reread(nullptr) ||
          Record.size() != 2)
        return false;
      uint64_t Index = After + Record[0] + (Record[1] << 32);
      if (!Stream.canSkipToPos(Index / 8) || failed(Stream.JumpToBit(Index)))
        return false;
      Expected<BitstreamEntry> IE = Stream.advance();
      if (failed(IE) || IE->Kind != BitstreamEntry::Record)
        return false;
      Record.clear();
      Expected<unsigned> ICode = Stream.readRecord(IE->ID, Record);
      if (failed(ICode) || *ICode != bitc::METADATA_INDEX)
        return false;
      uint64_t Pos = After;
      for (uint64_t Delta : Record) {
        Pos += Delta;
        Slots.push_back({MetadataSlot::Indexed, 0, Pos});
      }
      NonStrings += Record.size();
      IndexedRecords = Record.size();
      continue;
    }
    case bitc::METADATA_INDEX:
      // Reached by walking: the index was not jumped to.
      if (!Reread(nullptr))
        return false;
      IndexedRecords = Record.size();
      continue;
    default:
      break;
    }
    switch (numberingOf(*Code)) {
    case Numbering::None:
      break;
    case Numbering::One:
      Slots.push_back({});
      ++NonStrings;
      break;
    case Numbering::Unknown:
      return false;
    }
  }
}

/// Reads again the record at bit \p At, which skipRecord took to \p After.
bool Scanner::reread(uint64_t At, unsigned AbbrevID, uint64_t After,
                     SmallVectorImpl<uint64_t> &Record, StringRef *Blob) {
  Record.clear();
  if (failed(Stream.JumpToBit(At)))
    return false;
  Expected<unsigned> Again = Stream.readRecord(AbbrevID, Record, Blob);
  return !failed(Again) && Stream.GetCurrentBitNo() == After;
}

std::optional<StringRef> Scanner::stringAt(uint64_t ID) const {
  if (ID >= Slots.size() || Slots[ID].Kind != MetadataSlot::String)
    return std::nullopt;
  return Strings[Slots[ID].Where];
}

bool Scanner::readTuple(uint64_t ID, SmallVectorImpl<uint64_t> &Ops) {
  if (ID >= Slots.size())
    return false;
  const MetadataSlot &Slot = Slots[ID];
  if (Slot.Kind != MetadataSlot::Tuple && Slot.Kind != MetadataSlot::Indexed)
    return false;
  Ops.clear();
  if (!Stream.canSkipToPos(Slot.Where / 8) ||
      failed(Stream.JumpToBit(Slot.Where)))
    return false;
  unsigned AbbrevID = Slot.AbbrevID;
  if (Slot.Kind == MetadataSlot::Indexed) {
    Expected<BitstreamEntry> E = Stream.advance();
    if (failed(E) || E->Kind != BitstreamEntry::Record)
      return false;
    AbbrevID = E->ID;
  }
  Expected<unsigned> Code = Stream.readRecord(AbbrevID, Ops);
  return !failed(Code) && (*Code == bitc::METADATA_NODE ||
                           *Code == bitc::METADATA_DISTINCT_NODE);
}

/// Each recipe is a tuple of fields, each field a non-empty tuple of strings
/// (operands are ID + 1; 0 is null). Anything else is malformed: LLVM's
/// reader reports it.
bool Scanner::readRecipes(ArrayRef<uint64_t> RecipeIDs) {
  SmallVector<uint64_t, 16> FieldIDs, ValueIDs;
  for (uint64_t RecipeID : RecipeIDs) {
    if (!readTuple(RecipeID, FieldIDs))
      return false;
    std::vector<RecipeField> Fields;
    for (uint64_t FieldOp : FieldIDs) {
      if (FieldOp == 0 || !readTuple(FieldOp - 1, ValueIDs) || ValueIDs.empty())
        return false;
      RecipeField F;
      for (size_t I = 0; I < ValueIDs.size(); ++I) {
        std::optional<StringRef> S =
            ValueIDs[I] ? stringAt(ValueIDs[I] - 1) : std::nullopt;
        if (!S)
          return false;
        if (I == 0)
          F.Name = S->str();
        else
          F.Values.push_back(S->str());
      }
      Fields.push_back(std::move(F));
    }
    Recipes.push_back(std::move(Fields));
  }
  return true;
}

} // namespace

RecipeScan scanRecipe(MemoryBufferRef Bitcode) {
  Scanner S(Bitcode);
  if (std::optional<RecipeScan> R = S.run())
    return std::move(*R);
  return RecipeScan();
}

} // namespace ltocache
