//===- FaultInjectingFileSystem.cpp - A filesystem that fails on demand ---===//

#include "Support/FileSystem.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Process.h"

#include <array>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>

using namespace llvm;

namespace ltocache {
namespace {

enum Op {
  Mkdir,
  Open,
  Write,
  Fsync,
  Rename,
  Remove,
  Read,
  Touch,
  Clone,
  Link,
  NumOps
};

std::optional<Op> parseOp(StringRef Name) {
  return StringSwitch<std::optional<Op>>(Name)
      .Case("mkdir", Mkdir)
      .Case("open", Open)
      .Case("write", Write)
      .Case("fsync", Fsync)
      .Case("rename", Rename)
      .Case("remove", Remove)
      .Case("read", Read)
      .Case("touch", Touch)
      .Case("clone", Clone)
      .Case("link", Link)
      .Default(std::nullopt);
}

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
      .Case("EOPNOTSUPP", EOPNOTSUPP)
      .Case("EMLINK", EMLINK)
      .Case("EINVAL", EINVAL)
      .Default(std::nullopt);
}

struct OpFaults {
  int Errno = 0;
  double Probability = 1.0;
  unsigned DelayMs = 0;
  bool ShortWrite = false;
};

class Faults {
public:
  std::array<OpFaults, NumOps> PerOp;

  /// Stalls if asked, then fails if this call is one that should fail.
  Error hit(Op O, const Twine &Path) {
    const OpFaults &F = PerOp[O];
    if (F.DelayMs)
      std::this_thread::sleep_for(std::chrono::milliseconds(F.DelayMs));
    if (!F.Errno || !roll(F.Probability))
      return Error::success();
    return createFileError(Path,
                           std::error_code(F.Errno, std::generic_category()));
  }

private:
  bool roll(double P) {
    if (P >= 1.0)
      return true;
    std::lock_guard<std::mutex> G(Lock);
    return std::uniform_real_distribution<double>(0, 1)(Rng) < P;
  }
  std::mutex Lock;
  std::mt19937_64 Rng{sys::Process::GetRandomNumber()};
};

class FaultyWritableFile : public WritableFile {
public:
  FaultyWritableFile(std::unique_ptr<WritableFile> Base, Faults &F)
      : Base(std::move(Base)), F(F) {}
  Error write(StringRef Data) override {
    if (Error E = F.hit(Write, Base->path()))
      return E;
    if (F.PerOp[Write].ShortWrite)
      Data = Data.take_front(Data.size() / 2);
    return Base->write(Data);
  }
  Error sync() override {
    if (Error E = F.hit(Fsync, Base->path()))
      return E;
    return Base->sync();
  }
  Error close() override { return Base->close(); }
  const std::string &path() const override { return Base->path(); }
  Error linkTo(const Twine &Dest) override {
    if (Error E = F.hit(Link, Dest))
      return E;
    return Base->linkTo(Dest);
  }

private:
  std::unique_ptr<WritableFile> Base;
  Faults &F;
};

class FaultyReadableFile : public ReadableFile {
public:
  FaultyReadableFile(std::unique_ptr<ReadableFile> Base, Faults &F)
      : Base(std::move(Base)), F(F) {}
  StringRef contents() const override { return Base->contents(); }
  const std::string &path() const override { return Base->path(); }
  sys::TimePoint<> modified() const override { return Base->modified(); }
  bool ownedByCaller() const override { return Base->ownedByCaller(); }
  Error cloneTailTo(uint64_t Offset, const Twine &Dest) override {
    if (Error E = F.hit(Clone, Dest))
      return E;
    return Base->cloneTailTo(Offset, Dest);
  }
  Error linkTo(const Twine &Dest) override {
    if (Error E = F.hit(Link, Dest))
      return E;
    return Base->linkTo(Dest);
  }

private:
  std::unique_ptr<ReadableFile> Base;
  Faults &F;
};

class FaultInjectingFileSystem : public FileSystem {
public:
  FaultInjectingFileSystem(std::unique_ptr<FileSystem> Base,
                           std::unique_ptr<Faults> F)
      : Base(std::move(Base)), F(std::move(F)) {}

  Error createDirectories(const Twine &Path) override {
    if (Error E = F->hit(Mkdir, Path))
      return E;
    return Base->createDirectories(Path);
  }
  Expected<std::unique_ptr<WritableFile>>
  createUniqueFile(const Twine &Model) override {
    if (Error E = F->hit(Open, Model))
      return std::move(E);
    auto File = Base->createUniqueFile(Model);
    if (!File)
      return File.takeError();
    return std::make_unique<FaultyWritableFile>(std::move(*File), *F);
  }
  Error rename(const Twine &From, const Twine &To) override {
    if (Error E = F->hit(Rename, To))
      return E;
    return Base->rename(From, To);
  }
  Error remove(const Twine &Path) override {
    if (Error E = F->hit(Remove, Path))
      return E;
    return Base->remove(Path);
  }
  Expected<std::unique_ptr<ReadableFile>> openFile(const Twine &Path) override {
    if (Error E = F->hit(Read, Path))
      return std::move(E);
    auto File = Base->openFile(Path);
    if (!File)
      return File.takeError();
    return std::make_unique<FaultyReadableFile>(std::move(*File), *F);
  }
  Error touch(const Twine &Path) override {
    if (Error E = F->hit(Touch, Path))
      return E;
    return Base->touch(Path);
  }

private:
  std::unique_ptr<FileSystem> Base;
  std::unique_ptr<Faults> F;
};

} // namespace

Expected<std::unique_ptr<FileSystem>>
createFaultInjectingFileSystem(StringRef Spec,
                               std::unique_ptr<FileSystem> Base) {
  auto F = std::make_unique<Faults>();
  auto Bad = [&](const Twine &Why) {
    return createStringError("fault injection '%s': %s", Spec.str().c_str(),
                             Why.str().c_str());
  };
  SmallVector<StringRef, 4> Items;
  Spec.split(Items, ',', -1, /*KeepEmpty=*/false);
  for (StringRef Item : Items) {
    auto [Lhs, Rhs] = Item.trim().split('=');
    bool IsDelay = Lhs.consume_front("delay:");
    std::optional<Op> O = parseOp(Lhs);
    if (!O)
      return Bad("unknown operation '" + Lhs +
                 "' (expected mkdir, open, write, fsync, rename, remove, "
                 "read, touch or clone)");
    OpFaults &OF = F->PerOp[*O];
    if (IsDelay) {
      if (Rhs.getAsInteger(10, OF.DelayMs))
        return Bad("delay '" + Rhs + "' is not a number of milliseconds");
      continue;
    }
    if (Rhs == "short") {
      if (*O != Write)
        return Bad("only write can be short");
      OF.ShortWrite = true;
      continue;
    }
    auto [ErrName, Prob] = Rhs.split('@');
    std::optional<int> Errno = parseErrno(ErrName);
    if (!Errno)
      return Bad("unknown errno '" + ErrName +
                 "' (expected EACCES, EPERM, EXDEV, ENOSPC, EBUSY, EIO, "
                 "EROFS, EDQUOT, ENOENT, EOPNOTSUPP, EINVAL or EMLINK)");
    OF.Errno = *Errno;
    bool HasProb = Rhs.contains('@');
    if (HasProb && (Prob.getAsDouble(OF.Probability) ||
                    !(OF.Probability >= 0 && OF.Probability <= 1)))
      return Bad("probability '" + Prob + "' is not between 0 and 1");
  }
  return std::make_unique<FaultInjectingFileSystem>(std::move(Base),
                                                    std::move(F));
}

} // namespace ltocache
