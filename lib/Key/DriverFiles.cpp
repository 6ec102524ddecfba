//===- DriverFiles.cpp - Arguments clang's driver reads from files --------===//

#include "Key/DriverFiles.h"

#include "llvm/Support/Allocator.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/VirtualFileSystem.h"

using namespace llvm;

namespace ltocache {
namespace {

/// The real filesystem, noting every file opened for reading.
class RecordingFileSystem : public vfs::ProxyFileSystem {
public:
  RecordingFileSystem() : ProxyFileSystem(vfs::getRealFileSystem()) {}

  ErrorOr<std::unique_ptr<vfs::File>>
  openFileForRead(const Twine &Path) override {
    auto F = ProxyFileSystem::openFileForRead(Path);
    if (F)
      Opened.push_back(Path.str());
    return F;
  }

  std::vector<std::string> Opened;
};

Expected<DriverFileArgs> collect(ArrayRef<const char *> Argv,
                                 const RecordingFileSystem &FS) {
  DriverFileArgs Out;
  for (const char *A : Argv)
    if (A)
      Out.Args.push_back(A);
  for (const std::string &Path : FS.Opened) {
    auto D = hashFile(Path);
    if (!D)
      return D.takeError();
    Out.Files.push_back({Path, *D});
  }
  return Out;
}

} // namespace

Expected<DriverFileArgs>
readDriverConfigFile(StringRef Path, ArrayRef<std::string> SearchDirs) {
  BumpPtrAllocator Alloc;
  auto FS = makeIntrusiveRefCnt<RecordingFileSystem>();
  std::vector<StringRef> Dirs(SearchDirs.begin(), SearchDirs.end());
  cl::ExpansionContext Ctx(Alloc, cl::tokenizeConfigFile, FS.get());
  Ctx.setSearchDirs(Dirs);
  SmallVector<const char *, 32> Argv;
  if (Error E = Ctx.readConfigFile(Path, Argv))
    return createFileError(Path, std::move(E));
  return collect(Argv, *FS);
}

Expected<DriverFileArgs> expandDriverResponseFiles(ArrayRef<std::string> Args,
                                                   bool CLMode) {
  BumpPtrAllocator Alloc;
  auto FS = makeIntrusiveRefCnt<RecordingFileSystem>();
  cl::ExpansionContext Ctx(Alloc,
                           CLMode ? cl::TokenizeWindowsCommandLine
                                  : cl::TokenizeGNUCommandLine,
                           FS.get());
  SmallVector<const char *, 64> Argv;
  for (const std::string &A : Args)
    Argv.push_back(A.c_str());
  if (Error E = Ctx.expandResponseFiles(Argv))
    return createStringError("response file: %s",
                             toString(std::move(E)).c_str());
  return collect(Argv, *FS);
}

} // namespace ltocache
