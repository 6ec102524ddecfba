//===- InProcessLoader.cpp - Loads the in-process backend on demand -------===//

#include "ltocache/InProcessLoader.h"
#include "ltocache/BundledModule.h"
#include "ltocache/InProcessABI.h"

#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace ltocache {

std::string inProcessObstacle(const CommonJobArgs &Common,
                              StringRef CompilerIdentity,
                              StringRef LibraryVersion) {
  // CompilerIdentity: "blake3:<digest>\n<--version text>".
  StringRef Version = CompilerIdentity.split('\n').second;
  StringRef FirstLine = Version.split('\n').first.rtrim();
  if (FirstLine != LibraryVersion)
    return ("the remote compiler is '" + FirstLine + "', not '" +
            LibraryVersion + "'")
        .str();
  auto Magic = MemoryBuffer::getFileSlice(Common.Args.front(), 4, 0);
  if (!Magic || (*Magic)->getBuffer() != "\x7f"
                                         "ELF")
    return "the remote compiler '" + Common.Args.front() +
           "' is not the clang executable itself (a wrapper?)";
  for (StringRef Arg : Common.Args)
    if (Arg.contains("plugin") || Arg == "-load" || Arg == "-Xclang")
      return ("argument '" + Arg + "' may load code into the compiler").str();
  return "";
}

std::string inProcessModulePath() {
  return bundledModulePath("LTOCacheInProcess.so");
}

static Expected<void *> lookup(StringRef ModulePath, const char *Symbol) {
  std::string Err;
  sys::DynamicLibrary Lib =
      sys::DynamicLibrary::getPermanentLibrary(ModulePath.str().c_str(), &Err);
  if (!Lib.isValid())
    return createStringError("cannot load %s: %s", ModulePath.str().c_str(),
                             Err.c_str());
  void *Addr = Lib.getAddressOfSymbol(Symbol);
  if (!Addr)
    return createStringError("%s has no %s", ModulePath.str().c_str(), Symbol);
  return Addr;
}

namespace {
/// The CompileBackend face of the module's C entry point.
class InProcessAdapter : public CompileBackend {
public:
  explicit InProcessAdapter(ltocache_inprocess_compile_fn Compile)
      : Compile(Compile) {}
  /// The job runs with its own arguments (so derived names, such as a
  /// split-DWARF file, stay what the remote compiler would make); the
  /// object comes back in memory and is never written by clang.
  Expected<CompiledObject> compile(const CommonJobArgs &Common,
                                   const BackendJob &Job,
                                   const CompileRequest &Request) override {
    std::vector<const char *> Argv;
    for (const std::string &A : Common.Args)
      Argv.push_back(A.c_str());
    for (const std::string &A : Job.Args)
      Argv.push_back(A.c_str());
    char Err[4096];
    CompiledObject O;
    auto OnData = [](void *Ctx, const char *Data, size_t Size) {
      auto Buf = WritableMemoryBuffer::getNewUninitMemBuffer(Size);
      memcpy(Buf->getBufferStart(), Data, Size);
      static_cast<CompiledObject *>(Ctx)->InMemory = std::move(Buf);
    };
    if (Compile(Argv.data(), Argv.size(), Job.Output.c_str(), OnData, &O, Err,
                sizeof(Err)) != 0)
      return createStringError("%s", Err);
    if (!O.InMemory)
      return createStringError("in-process compile of '%s' produced no object",
                               Job.Module.c_str());
    return O;
  }
  StringRef name() const override { return "in-process"; }

private:
  ltocache_inprocess_compile_fn Compile;
};
} // namespace

Expected<std::string> inProcessClangVersion(StringRef ModulePath) {
  auto Abi = lookup(ModulePath, "ltocacheInProcessABIVersion");
  if (!Abi)
    return Abi.takeError();
  unsigned Version =
      reinterpret_cast<ltocache_inprocess_abi_version_fn>(*Abi)();
  if (Version != LTOCACHE_INPROCESS_ABI_VERSION)
    return createStringError("%s speaks interface version %u, expected %u",
                             ModulePath.str().c_str(), Version,
                             LTOCACHE_INPROCESS_ABI_VERSION);
  auto Fn = lookup(ModulePath, "ltocacheInProcessClangVersion");
  if (!Fn)
    return Fn.takeError();
  return std::string(
      reinterpret_cast<ltocache_inprocess_clang_version_fn>(*Fn)());
}

Expected<LoadedInProcessBackend> loadInProcessBackend(StringRef ModulePath) {
  auto Version = inProcessClangVersion(ModulePath);
  if (!Version)
    return Version.takeError();
  auto Compile = lookup(ModulePath, "ltocacheInProcessCompile");
  if (!Compile)
    return Compile.takeError();
  LoadedInProcessBackend L;
  L.Backend = std::make_unique<InProcessAdapter>(
      reinterpret_cast<ltocache_inprocess_compile_fn>(*Compile));
  L.ClangVersion = *Version;
  return L;
}

} // namespace ltocache
