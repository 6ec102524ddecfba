//===- FileSystem.cpp - The real filesystem -------------------------------===//

#include "ltocache/FileSystem.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace ltocache {

FileSystem::~FileSystem() = default;

Error RealFileSystem::createDirectories(const Twine &Path) {
  if (std::error_code EC = sys::fs::create_directories(Path))
    return createFileError(Path, EC);
  return Error::success();
}

Expected<std::string> RealFileSystem::writeUniqueFile(const Twine &Model,
                                                      StringRef Data) {
  int FD;
  SmallString<256> Path;
  if (std::error_code EC = sys::fs::createUniqueFile(Model, FD, Path))
    return createFileError(Model, EC);
  raw_fd_ostream OS(FD, /*shouldClose=*/true);
  OS << Data;
  OS.close();
  if (OS.has_error()) {
    std::error_code EC = OS.error();
    OS.clear_error();
    sys::fs::remove(Path);
    return createFileError(Path, EC);
  }
  return std::string(Path);
}

Error RealFileSystem::rename(const Twine &From, const Twine &To) {
  if (std::error_code EC = sys::fs::rename(From, To))
    return createFileError(To, EC);
  return Error::success();
}

Error RealFileSystem::remove(const Twine &Path) {
  if (std::error_code EC = sys::fs::remove(Path))
    return createFileError(Path, EC);
  return Error::success();
}

Expected<std::unique_ptr<MemoryBuffer>>
RealFileSystem::readFile(const Twine &Path) {
  auto Buf = MemoryBuffer::getFile(Path, /*IsText=*/false,
                                   /*RequiresNullTerminator=*/false);
  if (!Buf)
    return createFileError(Path, Buf.getError());
  return std::move(*Buf);
}

Expected<std::unique_ptr<FileSystem>> createFileSystem(StringRef FaultSpec) {
  std::unique_ptr<FileSystem> Real = std::make_unique<RealFileSystem>();
  if (FaultSpec.empty())
    return std::move(Real);
  return createFaultInjectingFileSystem(FaultSpec, std::move(Real));
}

} // namespace ltocache
