//===- InProcessBackend.cpp - Misses compiled by clang's own code ---------===//
//
// Loaded by ltocache-dtlto (dlopen) when a link has misses. Each job's
// driver arguments become a CompilerInvocation (exactly as the clang driver
// would build the cc1 command), run as an EmitObjAction in this process:
// the same code the remote compiler runs, without ~100 ms of process start
// per job. Process-global LLVM options (-mllvm) are applied once, before
// the first job; a job that would need others is refused (the caller runs
// it as a subprocess).
//
//===----------------------------------------------------------------------===//

#include "MemoizingFileSystem.h"
#include "ltocache/InProcessABI.h"

#include "clang/Basic/DiagnosticOptions.h"
#include "clang/Basic/Version.h"
#include "clang/CodeGen/CodeGenAction.h"
#include "clang/Driver/Compilation.h"
#include "clang/Driver/Driver.h"
#include "clang/Driver/Job.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/CompilerInvocation.h"
#include "clang/Frontend/TextDiagnosticPrinter.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/Support/VirtualOutputBackends.h"
#include "llvm/Support/VirtualOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <mutex>

using namespace llvm;

namespace {

/// Hands the output written to one path to a sink instead of the disk;
/// every other output goes to disk as usual.
class CaptureOutputBackend : public vfs::ProxyOutputBackend {
public:
  CaptureOutputBackend(std::string Path, ltocache_inprocess_sink_fn Sink,
                       void *Ctx)
      : ProxyOutputBackend(makeIntrusiveRefCnt<vfs::OnDiskOutputBackend>()),
        Path(std::move(Path)), Sink(Sink), Ctx(Ctx) {}

protected:
  IntrusiveRefCntPtr<vfs::OutputBackend> cloneImpl() const override {
    return makeIntrusiveRefCnt<CaptureOutputBackend>(Path, Sink, Ctx);
  }
  Expected<std::unique_ptr<vfs::OutputFileImpl>>
  createFileImpl(StringRef P, std::optional<vfs::OutputConfig> C) override {
    if (P != Path)
      return ProxyOutputBackend::createFileImpl(P, C);
    return std::make_unique<CapturedFile>(Sink, Ctx);
  }

private:
  class CapturedFile final : public vfs::OutputFileImpl {
  public:
    CapturedFile(ltocache_inprocess_sink_fn Sink, void *Ctx)
        : Sink(Sink), Ctx(Ctx), OS(Bytes) {}
    Error keep() override {
      Sink(Ctx, Bytes.data(), Bytes.size());
      return Error::success();
    }
    Error discard() override { return Error::success(); }
    raw_pwrite_stream &getOS() override { return OS; }

  private:
    ltocache_inprocess_sink_fn Sink;
    void *Ctx;
    SmallVector<char, 0> Bytes;
    raw_svector_ostream OS;
  };

  std::string Path;
  ltocache_inprocess_sink_fn Sink;
  void *Ctx;
};

class InProcessCompiler {
public:
  Error compile(ArrayRef<const char *> Argv, const char *CapturePath,
                ltocache_inprocess_sink_fn Sink, void *SinkCtx) {
    // For messages: the module compiled, i.e. the first non-option input.
    std::string Module = "?";
    for (const char *A : Argv.drop_front())
      if (A[0] != '-') {
        Module = A;
        break;
      }

    std::string DiagText;
    raw_string_ostream DiagOS(DiagText);
    clang::DiagnosticOptions DiagOpts;
    auto *Printer = new clang::TextDiagnosticPrinter(DiagOS, DiagOpts);
    IntrusiveRefCntPtr<clang::DiagnosticsEngine> Diags =
        clang::CompilerInstance::createDiagnostics(*vfs::getRealFileSystem(),
                                                   DiagOpts, Printer);
    // The driver turns the job's arguments into one cc1 command, exactly
    // as the remote compiler's own driver would.
    clang::driver::Driver Driver(Argv.front(), sys::getDefaultTargetTriple(),
                                 *Diags, "clang (ltocache in-process)",
                                 DriverFS);
    std::unique_ptr<clang::driver::Compilation> C(
        Driver.BuildCompilation(Argv));
    const clang::driver::Command *CC1 = nullptr;
    if (C && !Diags->hasErrorOccurred() && C->getJobs().size() == 1)
      CC1 = &*C->getJobs().begin();
    if (!CC1 || CC1->getArguments().empty() ||
        StringRef(CC1->getArguments().front()) != "-cc1")
      return createStringError(
          "the driver made no single cc1 command for '%s': %s", Module.c_str(),
          DiagText.c_str());
    auto Inv = std::make_shared<clang::CompilerInvocation>();
    if (!clang::CompilerInvocation::CreateFromArgs(
            *Inv, ArrayRef(CC1->getArguments()).drop_front(), *Diags,
            Argv.front()))
      return createStringError("bad cc1 arguments for '%s': %s", Module.c_str(),
                               DiagText.c_str());
    // cc1 leaks on purpose when it is about to exit; this process goes on.
    Inv->getFrontendOpts().DisableFree = false;
    if (Error E = applyGlobalOptions(Inv->getFrontendOpts().LLVMArgs))
      return E;

    clang::CompilerInstance CI(Inv);
    CI.createVirtualFileSystem(vfs::getRealFileSystem(), Printer);
    CI.createDiagnostics(
        new clang::TextDiagnosticPrinter(DiagOS, CI.getDiagnosticOpts()));
    if (CapturePath)
      CI.setOutputManager(makeIntrusiveRefCnt<CaptureOutputBackend>(
          CapturePath, Sink, SinkCtx));
    clang::EmitObjAction Act;
    bool OK = CI.ExecuteAction(Act);
    if (!OK || CI.getDiagnostics().hasErrorOccurred())
      return createStringError("in-process backend compile of '%s' failed: %s",
                               Module.c_str(), DiagText.c_str());
    if (!DiagText.empty())
      errs() << DiagText;
    return Error::success();
  }

private:
  /// -mllvm options are process-global: the first job sets them, every
  /// later job must ask for the same.
  Error applyGlobalOptions(const std::vector<std::string> &Args) {
    std::lock_guard<std::mutex> G(Lock);
    if (Applied) {
      if (Args != *Applied)
        return createStringError(
            "job needs -mllvm options '%s' but this process runs with '%s'",
            join(Args, " ").c_str(), join(*Applied, " ").c_str());
      return Error::success();
    }
    // One option at a time: parsing a whole command line again would also
    // re-check the distributor's own options.
    auto &Registered = cl::getRegisteredOptions();
    for (StringRef Arg : Args) {
      StringRef Name = Arg.ltrim('-'), Value;
      std::tie(Name, Value) = Name.split('=');
      auto It = Registered.find(Name);
      if (It == Registered.end())
        return createStringError("unknown -mllvm option '%s'",
                                 Arg.str().c_str());
      if (It->second->addOccurrence(1, Name, Value))
        return createStringError("bad -mllvm option '%s'", Arg.str().c_str());
    }
    Applied = Args;
    return Error::success();
  }

  std::mutex Lock;
  std::optional<std::vector<std::string>> Applied;
  /// The driver's view of the filesystem, shared by every job of the link.
  IntrusiveRefCntPtr<vfs::FileSystem> DriverFS =
      ltocache::createMemoizingFileSystem(vfs::getRealFileSystem());
};

} // namespace

static InProcessCompiler &compiler() {
  static InProcessCompiler *C = [] {
    InitializeAllTargetInfos();
    InitializeAllTargets();
    InitializeAllTargetMCs();
    InitializeAllAsmPrinters();
    InitializeAllAsmParsers();
    return new InProcessCompiler();
  }();
  return *C;
}

extern "C" {
LLVM_ATTRIBUTE_VISIBILITY_DEFAULT unsigned ltocacheInProcessABIVersion() {
  return LTOCACHE_INPROCESS_ABI_VERSION;
}

LLVM_ATTRIBUTE_VISIBILITY_DEFAULT const char *ltocacheInProcessClangVersion() {
  static const std::string V = clang::getClangFullVersion();
  return V.c_str();
}

LLVM_ATTRIBUTE_VISIBILITY_DEFAULT int
ltocacheInProcessCompile(const char *const *Argv, size_t Argc,
                         const char *CapturePath,
                         ltocache_inprocess_sink_fn Sink, void *SinkCtx,
                         char *ErrBuf, size_t ErrBufSize) {
  Error E = compiler().compile(ArrayRef<const char *>(Argv, Argc), CapturePath,
                               Sink, SinkCtx);
  if (!E)
    return 0;
  std::string Message = toString(std::move(E));
  if (ErrBufSize) {
    size_t N = std::min(Message.size(), ErrBufSize - 1);
    memcpy(ErrBuf, Message.data(), N);
    ErrBuf[N] = 0;
  }
  return 1;
}
}
