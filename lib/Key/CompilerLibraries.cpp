//===- CompilerLibraries.cpp - The compiler's own shared libraries --------===//

#include "Key/CompilerLibraries.h"
#include "Key/CacheKey.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>
#include <optional>

using namespace llvm;

namespace ltocache {
namespace {

/// The parts of an ELF64 little-endian file that say what it loads and who
/// it is; read from the mapped file, bounds checked.
class ElfView {
public:
  static std::optional<ElfView> open(StringRef Data) {
    ELF::Elf64_Ehdr H;
    if (Data.size() < sizeof(H))
      return std::nullopt;
    std::memcpy(&H, Data.data(), sizeof(H));
    if (std::memcmp(H.e_ident, ELF::ElfMagic, 4) != 0 ||
        H.e_ident[ELF::EI_CLASS] != ELF::ELFCLASS64 ||
        H.e_ident[ELF::EI_DATA] != ELF::ELFDATA2LSB ||
        H.e_phentsize != sizeof(ELF::Elf64_Phdr))
      return std::nullopt;
    ElfView V;
    V.Data = Data;
    for (unsigned I = 0; I < H.e_phnum; ++I) {
      ELF::Elf64_Phdr P;
      if (!V.read(H.e_phoff + uint64_t(I) * sizeof(P), P))
        return std::nullopt;
      V.Segments.push_back(P);
    }
    return V;
  }

  template <typename T> bool read(uint64_t Offset, T &Out) const {
    if (Offset > Data.size() || Data.size() - Offset < sizeof(T))
      return false;
    std::memcpy(&Out, Data.data() + Offset, sizeof(T));
    return true;
  }

  /// The file offset of virtual address \p Addr.
  std::optional<uint64_t> offsetOf(uint64_t Addr) const {
    for (const ELF::Elf64_Phdr &P : Segments)
      if (P.p_type == ELF::PT_LOAD && Addr >= P.p_vaddr &&
          Addr - P.p_vaddr < P.p_filesz)
        return Addr - P.p_vaddr + P.p_offset;
    return std::nullopt;
  }

  /// The NUL-terminated string at \p Offset.
  std::optional<StringRef> string(uint64_t Offset) const {
    if (Offset >= Data.size())
      return std::nullopt;
    StringRef Rest = Data.drop_front(Offset);
    size_t End = Rest.find('\0');
    if (End == StringRef::npos)
      return std::nullopt;
    return Rest.take_front(End);
  }

  StringRef Data;
  std::vector<ELF::Elf64_Phdr> Segments;
};

struct DynamicInfo {
  std::vector<std::string> Needed;
  std::string RunPath, RPath;
};

std::optional<DynamicInfo> readDynamic(const ElfView &V) {
  const ELF::Elf64_Phdr *Dyn = nullptr;
  for (const ELF::Elf64_Phdr &P : V.Segments)
    if (P.p_type == ELF::PT_DYNAMIC)
      Dyn = &P;
  if (!Dyn)
    return std::nullopt;
  std::vector<uint64_t> Needed;
  std::optional<uint64_t> StrTab, RunPath, RPath;
  for (uint64_t Off = Dyn->p_offset; Off < Dyn->p_offset + Dyn->p_filesz;
       Off += sizeof(ELF::Elf64_Dyn)) {
    ELF::Elf64_Dyn D;
    if (!V.read(Off, D) || D.d_tag == ELF::DT_NULL)
      break;
    if (D.d_tag == ELF::DT_NEEDED)
      Needed.push_back(D.d_un.d_val);
    else if (D.d_tag == ELF::DT_STRTAB)
      StrTab = V.offsetOf(D.d_un.d_ptr);
    else if (D.d_tag == ELF::DT_RUNPATH)
      RunPath = D.d_un.d_val;
    else if (D.d_tag == ELF::DT_RPATH)
      RPath = D.d_un.d_val;
  }
  if (!StrTab)
    return std::nullopt;
  DynamicInfo Info;
  for (uint64_t N : Needed)
    if (std::optional<StringRef> S = V.string(*StrTab + N))
      Info.Needed.push_back(S->str());
  if (RunPath)
    Info.RunPath = V.string(*StrTab + *RunPath).value_or("").str();
  if (RPath)
    Info.RPath = V.string(*StrTab + *RPath).value_or("").str();
  return Info;
}

/// The directories of a DT_RUNPATH or DT_RPATH, $ORIGIN replaced; a
/// directory with another dynamic string token ($LIB, $PLATFORM) is left
/// out (the loader's value for it is not known here).
std::vector<std::string> expandSearchPath(StringRef Value, StringRef Origin) {
  SmallVector<StringRef, 8> Parts;
  Value.split(Parts, ':', -1, /*KeepEmpty=*/false);
  std::vector<std::string> Out;
  for (StringRef P : Parts) {
    std::string Dir = P.str();
    for (StringRef Token : {"${ORIGIN}", "$ORIGIN"}) {
      size_t At;
      while ((At = Dir.find(Token)) != std::string::npos)
        Dir.replace(At, Token.size(), Origin.str());
    }
    if (!StringRef(Dir).contains('$'))
      Out.push_back(Dir);
  }
  return Out;
}

std::optional<std::string> buildId(const ElfView &V) {
  for (const ELF::Elf64_Phdr &P : V.Segments) {
    if (P.p_type != ELF::PT_NOTE)
      continue;
    uint64_t Align = P.p_align == 8 ? 8 : 4;
    for (uint64_t Off = P.p_offset;
         Off + sizeof(ELF::Elf64_Nhdr) <= P.p_offset + P.p_filesz;) {
      ELF::Elf64_Nhdr N;
      if (!V.read(Off, N))
        break;
      uint64_t Name = Off + sizeof(N);
      uint64_t Desc = Name + alignTo(N.n_namesz, Align);
      uint64_t End = Desc + alignTo(N.n_descsz, Align);
      if (End > V.Data.size())
        break;
      if (N.n_type == ELF::NT_GNU_BUILD_ID && N.n_namesz == 4 &&
          V.Data.substr(Name, 4) == StringRef("GNU\0", 4) && N.n_descsz)
        return toHex(V.Data.substr(Desc, N.n_descsz), /*LowerCase=*/true);
      Off = End;
    }
  }
  return std::nullopt;
}

} // namespace

Expected<CompilerLibraries> findCompilerLibraries(StringRef Exe,
                                                  const Environment &Env) {
  CompilerLibraries Out;
  auto Buf = MemoryBuffer::getFile(Exe, /*IsText=*/false,
                                   /*RequiresNullTerminator=*/false);
  if (!Buf)
    return createFileError(Exe, Buf.getError());
  std::optional<ElfView> V = ElfView::open((*Buf)->getBuffer());
  if (!V)
    return Out;
  std::optional<DynamicInfo> Info = readDynamic(*V);
  if (!Info)
    return Out;
  // $ORIGIN: the directory of the executable as the kernel resolved it.
  SmallString<256> Real;
  if (std::error_code EC = sys::fs::real_path(Exe, Real))
    return createFileError(Exe, EC);
  StringRef Origin = sys::path::parent_path(Real);
  bool HasRunPath = !Info->RunPath.empty();
  std::vector<std::string> Own =
      expandSearchPath(HasRunPath ? Info->RunPath : Info->RPath, Origin);
  std::vector<std::string> FromEnv;
  if (std::optional<StringRef> L = Env.get("LD_LIBRARY_PATH"))
    FromEnv = expandSearchPath(*L, Origin);
  // DT_RPATH (without DT_RUNPATH) comes before LD_LIBRARY_PATH.
  std::vector<std::string> Dirs = HasRunPath ? FromEnv : Own;
  const std::vector<std::string> &Then = HasRunPath ? Own : FromEnv;
  Dirs.insert(Dirs.end(), Then.begin(), Then.end());
  Out.Searched = Dirs;
  for (const std::string &Name : Info->Needed) {
    if (StringRef(Name).contains('/'))
      continue;
    for (const std::string &D : Dirs) {
      SmallString<256> Candidate(D);
      sys::path::append(Candidate, Name);
      if (sys::fs::is_regular_file(Candidate)) {
        Out.Libraries.push_back({Name, Candidate.str().str()});
        break;
      }
    }
  }
  return Out;
}

Expected<std::string> libraryIdentity(StringRef Path) {
  auto Buf = MemoryBuffer::getFile(Path, /*IsText=*/false,
                                   /*RequiresNullTerminator=*/false);
  if (!Buf)
    return createFileError(Path, Buf.getError());
  if (std::optional<ElfView> V = ElfView::open((*Buf)->getBuffer()))
    if (std::optional<std::string> Id = buildId(*V))
      return "build-id:" + *Id;
  return "blake3:" + toHex(hashBytes((*Buf)->getBuffer()));
}

} // namespace ltocache
