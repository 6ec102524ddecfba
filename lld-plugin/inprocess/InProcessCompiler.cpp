//===- InProcessCompiler.cpp - clang's backend compile as a library -------===//
//
// Runs in ltocache-compile, the link's compile server. Process-global LLVM
// options (-mllvm) are applied once, by the first job; a job that would
// need others is refused (the distributor runs it as a subprocess).
//
//===----------------------------------------------------------------------===//

#include "InProcessCompiler.h"
#include "MemoizingFileSystem.h"

#include "clang/Basic/DiagnosticOptions.h"
#include "clang/Basic/Version.h"
#include "clang/CodeGen/CodeGenAction.h"
#include "clang/Driver/Compilation.h"
#include "clang/Driver/Driver.h"
#include "clang/Driver/Job.h"
#include "clang/Driver/ToolChain.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/CompilerInvocation.h"
#include "clang/Frontend/TextDiagnosticPrinter.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/StringSaver.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/TimeProfiler.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/Support/VirtualOutputBackends.h"
#include "llvm/Support/VirtualOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

using namespace llvm;

namespace {

/// Hands the output written to one path to a sink instead of the disk;
/// every other output goes to disk as usual.
class CaptureOutputBackend : public vfs::ProxyOutputBackend {
public:
  CaptureOutputBackend(std::string Path, SmallVectorImpl<char> &Captured)
      : ProxyOutputBackend(makeIntrusiveRefCnt<vfs::OnDiskOutputBackend>()),
        Path(std::move(Path)), Captured(Captured) {}

protected:
  IntrusiveRefCntPtr<vfs::OutputBackend> cloneImpl() const override {
    return makeIntrusiveRefCnt<CaptureOutputBackend>(Path, Captured);
  }
  Expected<std::unique_ptr<vfs::OutputFileImpl>>
  createFileImpl(StringRef P, std::optional<vfs::OutputConfig> C) override {
    if (P != Path)
      return ProxyOutputBackend::createFileImpl(P, C);
    return std::make_unique<CapturedFile>(Captured);
  }

private:
  class CapturedFile final : public vfs::OutputFileImpl {
  public:
    explicit CapturedFile(SmallVectorImpl<char> &Captured)
        : Captured(Captured), OS(Bytes) {}
    Error keep() override {
      Captured = std::move(Bytes);
      return Error::success();
    }
    Error discard() override { return Error::success(); }
    raw_pwrite_stream &getOS() override { return OS; }

  private:
    SmallVectorImpl<char> &Captured;
    SmallVector<char, 0> Bytes;
    raw_svector_ostream OS;
  };

  std::string Path;
  SmallVectorImpl<char> &Captured;
};

/// As clang's main(): the program name's target and mode become the first
/// arguments, so the command line's own override them.
void insertTargetAndModeArgs(const clang::driver::ParsedClangName &Name,
                             SmallVectorImpl<const char *> &Args,
                             StringSet<> &Saved) {
  auto Save = [&](StringRef S) { return Saved.insert(S).first->getKeyData(); };
  size_t At = Args.empty() ? 0 : 1;
  if (Name.DriverMode)
    Args.insert(Args.begin() + At, Save(Name.DriverMode));
  if (Name.TargetIsValid) {
    const char *Target[] = {"-target", Save(Name.TargetPrefix)};
    Args.insert(Args.begin() + At, std::begin(Target), std::end(Target));
  }
}

/// As clang's main() reads CL and _CL_ in clang-cl mode: Windows quoting,
/// the first '#' of each option meaning '='.
void clEnvironmentOptions(StringRef Name, StringSaver &Saver,
                          SmallVectorImpl<const char *> &Out) {
  std::optional<std::string> Value = sys::Process::GetEnv(Name);
  if (!Value)
    return;
  SmallVector<const char *, 8> Opts;
  cl::TokenizeWindowsCommandLine(*Value, Saver, Opts);
  for (const char *O : Opts) {
    std::string S = O;
    size_t Hash = S.find('#');
    if (Hash != std::string::npos)
      S[Hash] = '=';
    Out.push_back(Saver.save(S).data());
  }
}

} // namespace

namespace ltocache {

InProcessCompiler::InProcessCompiler(std::string ClangExecutable)
    : ClangExecutable(std::move(ClangExecutable)),
      DriverFS(createMemoizingFileSystem(vfs::getRealFileSystem())) {
  InitializeAllTargetInfos();
  InitializeAllTargets();
  InitializeAllTargetMCs();
  InitializeAllAsmPrinters();
  InitializeAllAsmParsers();
}

std::string InProcessCompiler::clangVersion() {
  return clang::getClangFullVersion();
}

std::string InProcessCompiler::driverPath(StringRef Argv0,
                                          bool CanonicalPrefixes) const {
  // clang's GetExecutablePath: without canonical prefixes the path it was
  // started by, else the executable itself (/proc/self/exe), links
  // resolved.
  std::string Path = ClangExecutable;
  if (!CanonicalPrefixes && sys::fs::exists(Argv0))
    Path = Argv0.str();
  else if (!CanonicalPrefixes || Path.empty())
    if (ErrorOr<std::string> P = sys::findProgramByName(Argv0))
      Path = *P;
  if (Path.empty())
    Path = Argv0.str();
  SmallString<256> Real;
  if (CanonicalPrefixes && !sys::fs::real_path(Path, Real))
    Path = Real.str().str();
  return Path;
}

InProcessCompiler::Status
InProcessCompiler::compile(ArrayRef<const char *> Argv, StringRef CapturePath,
                           SmallVectorImpl<char> &Object,
                           std::string &Message) {
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
  // What clang's main() does before its driver, in its order
  // (clang/tools/driver/driver.cpp); this process runs in the compiler's
  // environment.
  BumpPtrAllocator Alloc;
  StringSaver Saver(Alloc);
  SmallVector<const char *, 256> Args(Argv.begin(), Argv.end());
  const char *ProgName = Args.front();
  bool CLMode = clang::driver::IsClangCL(
      clang::driver::getDriverMode(ProgName, ArrayRef(Args).slice(1)));
  if (Error E = clang::driver::expandResponseFiles(
          Args, CLMode, Alloc, vfs::getRealFileSystem().get())) {
    Message = toString(std::move(E));
    return Status::Failed;
  }
  bool CanonicalPrefixes = true;
  for (size_t I = 1; I < Args.size(); ++I) {
    if (!Args[I])
      continue; // A response file's end-of-line mark.
    if (StringRef(Args[I]) == "-canonical-prefixes")
      CanonicalPrefixes = true;
    else if (StringRef(Args[I]) == "-no-canonical-prefixes")
      CanonicalPrefixes = false;
  }
  if (CLMode) {
    SmallVector<const char *, 8> Prepended, Appended;
    clEnvironmentOptions("CL", Saver, Prepended);
    clEnvironmentOptions("_CL_", Saver, Appended);
    Args.insert(Args.begin() + 1, Prepended.begin(), Prepended.end());
    Args.append(Appended.begin(), Appended.end());
  }
  StringSet<> Saved;
  if (const char *Override = ::getenv("CCC_OVERRIDE_OPTIONS")) {
    // What it did, as clang prints it; in one write, as jobs run at once.
    std::string Edits;
    raw_string_ostream EditsOS(Edits);
    clang::driver::applyOverrideOptions(Args, Override, Saved,
                                        "CCC_OVERRIDE_OPTIONS", &EditsOS);
    errs() << Edits;
  }
  // The driver turns the job's arguments into one cc1 command, exactly
  // as the remote compiler's own driver would.
  clang::driver::Driver Driver(driverPath(ProgName, CanonicalPrefixes),
                               sys::getDefaultTargetTriple(), *Diags,
                               "clang LLVM compiler", DriverFS);
  auto TargetAndMode =
      clang::driver::ToolChain::getTargetAndModeFromProgramName(ProgName);
  Driver.setTargetAndMode(TargetAndMode);
  insertTargetAndModeArgs(TargetAndMode, Args, Saved);
  std::unique_ptr<clang::driver::Compilation> C(Driver.BuildCompilation(Args));
  const clang::driver::Command *CC1 = nullptr;
  if (C && !Diags->hasErrorOccurred() && C->getJobs().size() == 1)
    CC1 = &*C->getJobs().begin();
  if (!CC1 || CC1->getArguments().empty() ||
      StringRef(CC1->getArguments().front()) != "-cc1") {
    Message = "the driver made no single cc1 command for '" + Module +
              "': " + DiagText;
    return Status::Failed;
  }
  auto Inv = std::make_shared<clang::CompilerInvocation>();
  // cc1's argv[0] is the driver's executable, as clang runs it.
  if (!clang::CompilerInvocation::CreateFromArgs(
          *Inv, ArrayRef(CC1->getArguments()).drop_front(), *Diags,
          CC1->getExecutable())) {
    Message = "bad cc1 arguments for '" + Module + "': " + DiagText;
    return Status::Failed;
  }
  // A configuration file or CCC_OVERRIDE_OPTIONS may ask for plugins,
  // built against clang's shared libraries: not for this process.
  if (!Inv->getFrontendOpts().Plugins.empty() ||
      !Inv->getCodeGenOpts().PassPlugins.empty()) {
    Message = "job '" + Module + "' loads plugins";
    return Status::Refused;
  }
  // cc1 leaks on purpose when it is about to exit; this process goes on.
  Inv->getFrontendOpts().DisableFree = false;
  Message = applyGlobalOptions(Inv->getFrontendOpts().LLVMArgs);
  if (!Message.empty())
    return Status::Refused;

  // -ftime-trace: as clang's cc1 does, one profile per job (the profiler
  // is per thread).
  std::string TracePath = Inv->getFrontendOpts().TimeTracePath;
  if (!TracePath.empty())
    timeTraceProfilerInitialize(Inv->getFrontendOpts().TimeTraceGranularity,
                                Argv.front(),
                                Inv->getFrontendOpts().TimeTraceVerbose);
  scope_exit WriteTrace([&] {
    if (TracePath.empty())
      return;
    std::error_code EC;
    raw_fd_ostream OS(TracePath, EC, sys::fs::OF_TextWithCRLF);
    if (!EC)
      timeTraceProfilerWrite(OS);
    else // What clang says, and like clang the job still succeeds.
      errs() << "error: unable to open output file '" << TracePath << "': '"
             << EC.message() << "'\n";
    timeTraceProfilerCleanup();
  });

  clang::CompilerInstance CI(Inv);
  CI.createVirtualFileSystem(vfs::getRealFileSystem(), Printer);
  CI.createDiagnostics(
      new clang::TextDiagnosticPrinter(DiagOS, CI.getDiagnosticOpts()));
  CI.setOutputManager(
      makeIntrusiveRefCnt<CaptureOutputBackend>(CapturePath.str(), Object));
  clang::EmitObjAction Act;
  bool OK = CI.ExecuteAction(Act);
  if (!OK || CI.getDiagnostics().hasErrorOccurred()) {
    Message =
        "in-process backend compile of '" + Module + "' failed: " + DiagText;
    return Status::Failed;
  }
  // Warnings: clang would have printed them.
  if (!DiagText.empty())
    errs() << DiagText;
  return Status::Compiled;
}

std::string
InProcessCompiler::applyGlobalOptions(const std::vector<std::string> &Args) {
  std::lock_guard<std::mutex> G(Lock);
  if (Applied) {
    if (Args != *Applied)
      return "job needs -mllvm options '" + join(Args, " ") +
             "' but this process runs with '" + join(*Applied, " ") + "'";
    return "";
  }
  // One option at a time: parsing a whole command line again would also
  // re-check the server's own options.
  auto &Registered = cl::getRegisteredOptions();
  for (StringRef Arg : Args) {
    StringRef Name = Arg.ltrim('-'), Value;
    std::tie(Name, Value) = Name.split('=');
    auto It = Registered.find(Name);
    if (It == Registered.end())
      return ("unknown -mllvm option '" + Arg + "'").str();
    if (It->second->addOccurrence(1, Name, Value))
      return ("bad -mllvm option '" + Arg + "'").str();
  }
  Applied = Args;
  return "";
}

} // namespace ltocache
