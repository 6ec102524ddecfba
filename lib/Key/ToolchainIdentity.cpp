//===- ToolchainIdentity.cpp - What identifies a compiler binary ----------===//

#include "Key/ToolchainIdentity.h"
#include "Key/CacheKey.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace ltocache {

static Expected<std::string> runVersion(StringRef Exe) {
  SmallString<128> OutPath;
  if (std::error_code EC =
          sys::fs::createTemporaryFile("ltocache-version", "txt", OutPath))
    return createFileError("temporary file", EC);
  std::optional<StringRef> Redirects[] = {StringRef(""), StringRef(OutPath),
                                          StringRef("")};
  std::string ErrMsg;
  int RC = sys::ExecuteAndWait(Exe, {Exe, "--version"}, std::nullopt, Redirects,
                               0, 0, &ErrMsg);
  auto Buf = MemoryBuffer::getFile(OutPath);
  sys::fs::remove(OutPath);
  if (RC != 0)
    return createStringError("'%s --version' failed: %s", Exe.str().c_str(),
                             ErrMsg.empty()
                                 ? ("exit code " + Twine(RC)).str().c_str()
                                 : ErrMsg.c_str());
  if (!Buf)
    return createFileError(OutPath, Buf.getError());
  return (*Buf)->getBuffer().str();
}

Expected<std::string> computeCompilerIdentity(StringRef Path, StringRef MemoDir,
                                              function_ref<void()> BeforeRun) {
  std::string Exe = Path.str();
  if (!Path.contains('/')) {
    auto Found = sys::findProgramByName(Path);
    if (!Found)
      return createStringError("remote compiler '%s' not found on PATH",
                               Path.str().c_str());
    Exe = *Found;
  }
  auto Content = hashFile(Exe);
  if (!Content)
    return createStringError("remote compiler: %s",
                             toString(Content.takeError()).c_str());
  std::string ContentHex = toHex(*Content);

  SmallString<256> Memo;
  if (!MemoDir.empty()) {
    Memo = MemoDir;
    sys::path::append(Memo, ContentHex + ".version");
    if (auto Buf = MemoryBuffer::getFile(Memo))
      return "blake3:" + ContentHex + "\n" + (*Buf)->getBuffer().str();
  }
  if (BeforeRun)
    BeforeRun();
  auto Version = runVersion(Exe);
  if (!Version)
    return Version.takeError();
  if (!Memo.empty()) {
    // Best effort, atomically: a failure only costs a --version next time.
    SmallString<256> Tmp;
    int FD;
    if (!sys::fs::create_directories(MemoDir) &&
        !sys::fs::createUniqueFile(Memo + ".%%%%%%%%", FD, Tmp)) {
      raw_fd_ostream OS(FD, true);
      OS << *Version;
      OS.close();
      if (OS.has_error() || sys::fs::rename(Tmp, Memo)) {
        OS.clear_error();
        sys::fs::remove(Tmp);
      }
    }
  }
  return "blake3:" + ContentHex + "\n" + *Version;
}

} // namespace ltocache
