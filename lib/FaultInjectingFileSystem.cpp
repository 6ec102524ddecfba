//===- FaultInjectingFileSystem.cpp - A filesystem that fails on demand ---===//

#include "ltocache/FileSystem.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"

#include <cerrno>

using namespace llvm;

namespace ltocache {
namespace {

enum Op { Mkdir, Write, Rename, Remove, Read, NumOps };

std::optional<int> parseErrno(StringRef Name) {
  return StringSwitch<std::optional<int>>(Name)
      .Case("EACCES", EACCES)
      .Case("EPERM", EPERM)
      .Case("EXDEV", EXDEV)
      .Case("ENOSPC", ENOSPC)
      .Case("EBUSY", EBUSY)
      .Case("EIO", EIO)
      .Case("EROFS", EROFS)
      .Case("EDQUOT", EDQUOT)
      .Case("ENOENT", ENOENT)
      .Default(std::nullopt);
}

class FaultInjectingFileSystem : public FileSystem {
public:
  FaultInjectingFileSystem(std::unique_ptr<FileSystem> Base,
                           std::array<int, NumOps> Faults)
      : Base(std::move(Base)), Faults(Faults) {}

  Error createDirectories(const Twine &Path) override {
    if (Error E = fault(Mkdir, Path))
      return E;
    return Base->createDirectories(Path);
  }
  Expected<std::string> writeUniqueFile(const Twine &Model,
                                        StringRef Data) override {
    if (Error E = fault(Write, Model))
      return std::move(E);
    return Base->writeUniqueFile(Model, Data);
  }
  Error rename(const Twine &From, const Twine &To) override {
    if (Error E = fault(Rename, To))
      return E;
    return Base->rename(From, To);
  }
  Error remove(const Twine &Path) override {
    if (Error E = fault(Remove, Path))
      return E;
    return Base->remove(Path);
  }
  Expected<std::unique_ptr<MemoryBuffer>> readFile(const Twine &Path) override {
    if (Error E = fault(Read, Path))
      return std::move(E);
    return Base->readFile(Path);
  }

private:
  Error fault(Op O, const Twine &Path) {
    if (!Faults[O])
      return Error::success();
    return createFileError(Path,
                           std::error_code(Faults[O], std::generic_category()));
  }

  std::unique_ptr<FileSystem> Base;
  std::array<int, NumOps> Faults;
};

} // namespace

Expected<std::unique_ptr<FileSystem>>
createFaultInjectingFileSystem(StringRef Spec,
                               std::unique_ptr<FileSystem> Base) {
  std::array<int, NumOps> Faults{};
  SmallVector<StringRef, 4> Items;
  Spec.split(Items, ',', -1, /*KeepEmpty=*/false);
  for (StringRef Item : Items) {
    auto [OpName, ErrName] = Item.split('=');
    std::optional<Op> O = StringSwitch<std::optional<Op>>(OpName.trim())
                              .Case("mkdir", Mkdir)
                              .Case("write", Write)
                              .Case("rename", Rename)
                              .Case("remove", Remove)
                              .Case("read", Read)
                              .Default(std::nullopt);
    if (!O)
      return createStringError(
          "fault injection '%s': unknown operation '%s' (expected mkdir, "
          "write, rename, remove or read)",
          Spec.str().c_str(), OpName.str().c_str());
    std::optional<int> Errno = parseErrno(ErrName.trim());
    if (!Errno)
      return createStringError(
          "fault injection '%s': unknown errno '%s' (expected EACCES, EPERM, "
          "EXDEV, ENOSPC, EBUSY, EIO, EROFS, EDQUOT or ENOENT)",
          Spec.str().c_str(), ErrName.str().c_str());
    Faults[*O] = *Errno;
  }
  return std::make_unique<FaultInjectingFileSystem>(std::move(Base), Faults);
}

} // namespace ltocache
