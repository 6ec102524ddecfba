//===- ToolchainIdentity.cpp - What identifies the compiler that runs -----===//

#include "Key/ToolchainIdentity.h"
#include "Key/CacheKey.h"
#include "Key/CompilerLibraries.h"
#include "Key/DriverEnvironment.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Chrono.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <chrono>
#include <set>
#include <sys/stat.h>

using namespace llvm;

namespace ltocache {

StringRef compilerVersionText(StringRef CompilerIdentity) {
  return CompilerIdentity.split('\n').second;
}

namespace {

/// Bumped whenever what a memo holds, or how it is found, changes.
constexpr unsigned MemoVersion = 1;

/// A file modified this recently may change again within the same
/// timestamp tick, unseen by its stat signature: no memo relies on it.
constexpr std::chrono::seconds Settled(2);

struct Signature {
  std::string Text; ///< "absent", or device, inode, size, mtime, ctime.
  std::optional<sys::TimePoint<>> Modified;
};

Signature statSignature(StringRef Path) {
  struct stat St;
  if (::stat(Path.str().c_str(), &St) != 0) {
    if (errno == ENOENT || errno == ENOTDIR)
      return {"absent", std::nullopt};
    return {"error " + std::to_string(errno), std::nullopt};
  }
  Signature S;
  S.Text = formatv("{0}:{1}:{2}:{3}.{4}:{5}.{6}", uint64_t(St.st_dev),
                   uint64_t(St.st_ino), uint64_t(St.st_size),
                   int64_t(St.st_mtim.tv_sec), int64_t(St.st_mtim.tv_nsec),
                   int64_t(St.st_ctim.tv_sec), int64_t(St.st_ctim.tv_nsec))
               .str();
  S.Modified = sys::toTimePoint(St.st_mtim.tv_sec, St.st_mtim.tv_nsec);
  return S;
}

/// What the probe prints about the compiler.
struct ProbeAnswer {
  std::string Version;
  std::string InstalledDir, SystemConfigDir, UserConfigDir;
  std::vector<std::string> ConfigFiles;
};

Expected<ProbeAnswer> parseProbe(StringRef Out, StringRef Command) {
  SmallVector<StringRef, 32> Lines;
  Out.split(Lines, '\n');
  ProbeAnswer A;
  bool HaveVersion = false;
  for (size_t I = 0; I < Lines.size(); ++I) {
    StringRef L = Lines[I].rtrim('\r');
    if (!HaveVersion) {
      // What CCC_OVERRIDE_OPTIONS did (its value is keyed): not the version.
      if (L.starts_with("### "))
        continue;
      A.Version += (L + "\n").str();
      if (L.consume_front("InstalledDir: ")) {
        A.InstalledDir = L.str();
        HaveVersion = true;
        // Printed for builds other than the default (assertions, ...).
        if (I + 1 < Lines.size() && Lines[I + 1].starts_with("Build config:"))
          A.Version += (Lines[++I] + "\n").str();
      }
      continue;
    }
    if (L.consume_front("Configuration file: "))
      A.ConfigFiles.push_back(L.str());
    else if (L.consume_front("System configuration file directory: "))
      A.SystemConfigDir = L.str();
    else if (L.consume_front("User configuration file directory: "))
      A.UserConfigDir = L.str();
  }
  if (!HaveVersion)
    return createStringError("'%s' printed no 'InstalledDir:' line: not a "
                             "clang?",
                             Command.str().c_str());
  return A;
}

/// Runs lld's command with "-v -###": clang prints what it is and which
/// configuration files it read, and runs nothing.
Expected<ProbeAnswer> runProbe(StringRef Program,
                               ArrayRef<std::string> CommonArgs) {
  SmallString<128> ErrPath;
  if (std::error_code EC =
          sys::fs::createTemporaryFile("ltocache-probe", "txt", ErrPath))
    return createFileError("temporary file", EC);
  std::vector<StringRef> Argv(CommonArgs.begin(), CommonArgs.end());
  for (StringRef A : {"-v", "-###", "-x", "ir", "/dev/null"})
    Argv.push_back(A);
  std::string Command = join(Argv, " ");
  std::optional<StringRef> Redirects[] = {StringRef(""), StringRef(""),
                                          StringRef(ErrPath)};
  std::string ErrMsg;
  int RC = sys::ExecuteAndWait(Program, Argv, std::nullopt, Redirects, 0, 0,
                               &ErrMsg);
  auto Buf = MemoryBuffer::getFile(ErrPath);
  sys::fs::remove(ErrPath);
  if (!Buf)
    return createFileError(ErrPath, Buf.getError());
  StringRef Out = (*Buf)->getBuffer();
  if (RC != 0)
    return createStringError("'%s' failed (%s): %s", Command.c_str(),
                             ErrMsg.empty()
                                 ? ("exit code " + Twine(RC)).str().c_str()
                                 : ErrMsg.c_str(),
                             Out.rtrim().str().c_str());
  return parseProbe(Out, Command);
}

bool isElf(StringRef Path) {
  auto Magic = MemoryBuffer::getFileSlice(Path, 4, 0);
  return Magic && (*Magic)->getBuffer() == "\x7f"
                                           "ELF";
}

std::string realPath(StringRef Path) {
  SmallString<256> Real;
  if (sys::fs::real_path(Path, Real))
    return Path.str();
  return Real.str().str();
}

/// Whether clang's installation directory \p InstalledDir is that of the
/// executable \p Exe (found through symbolic links, or not: with
/// -no-canonical-prefixes clang keeps the path it was run by).
bool installedAt(StringRef InstalledDir, StringRef Exe) {
  std::string Dir = realPath(InstalledDir);
  return Dir == realPath(sys::path::parent_path(Exe)) ||
         Dir == sys::path::parent_path(realPath(Exe));
}

/// Whether the configuration-file paths clang resolves may be relative to
/// the current directory.
bool mayReadRelativeConfig(ArrayRef<std::string> Args, const Environment &E) {
  auto Relative = [](StringRef S) {
    return S.contains("--config") || S.contains("working-directory") ||
           S.starts_with("@");
  };
  if (std::optional<StringRef> O = E.get("CCC_OVERRIDE_OPTIONS"))
    if (Relative(*O))
      return true;
  return any_of(Args, [&](StringRef A) { return Relative(A); });
}

/// A program of the command, and how it is named in the identity.
struct Program {
  std::string Name, Path;
  Signature Sig;
};

std::vector<Program> programsOf(const CompilerCommand &C) {
  std::vector<Program> Out;
  for (const auto &[Kind, P] : C.Launchers)
    Out.push_back({launcherName(Kind).str(), P.Path, statSignature(P.Path)});
  for (const CommandProgram &P : C.Named)
    Out.push_back({P.Word, P.Path, statSignature(P.Path)});
  Out.push_back({"", C.Compiler.Path, statSignature(C.Compiler.Path)});
  return Out;
}

/// One input of the memo key: what it is, then its value.
void addInput(KeyBuilder &KB, StringRef What, StringRef Value) {
  std::string S = What.str();
  S += '\0';
  S += Value;
  KB.add(KeyField::MemoInput, S);
}

Digest memoKey(const CompilerCommand &C, ArrayRef<std::string> CommonArgs,
               ArrayRef<Program> Programs) {
  KeyBuilder KB("toolchain-memo", MemoVersion);
  KB.add(KeyField::ToolVersion, LLVM_VERSION_STRING);
  for (const std::string &A : CommonArgs)
    addInput(KB, "arg", A);
  addInput(KB, "argv0", C.Compiler.Word);
  for (const Program &P : Programs)
    addInput(KB, "program", P.Path + '\0' + P.Sig.Text);
  // What the driver and the loader read: the keyed variables, HOME (the
  // user's configuration directory), LD_LIBRARY_PATH (the libraries).
  for (const std::string &V : driverEnvironment(C.Env))
    addInput(KB, "env", V);
  for (StringRef Name : {"HOME", "LD_LIBRARY_PATH"})
    if (std::optional<StringRef> V = C.Env.get(Name))
      addInput(KB, "env", (Name + "=" + *V).str());
  if (mayReadRelativeConfig(CommonArgs, C.Env)) {
    SmallString<256> Cwd;
    if (!sys::fs::current_path(Cwd))
      addInput(KB, "cwd", Cwd);
  }
  return KB.finish();
}

/// A memo: the identity and the signatures it depends on.
struct Memo {
  ToolchainIdentity Identity;
  std::vector<std::pair<std::string, std::string>> Watched; ///< Path, sig.
};

json::Value toJSON(const Memo &M) {
  const ToolchainIdentity &T = M.Identity;
  json::Array Watched;
  for (const auto &[Path, Sig] : M.Watched)
    Watched.push_back(json::Array{Path, Sig});
  return json::Object{
      {"compiler", T.Compiler},
      {"launchers", json::Array(T.Launchers)},
      {"libraries", json::Array(T.Libraries)},
      {"installed_dir", T.InstalledDir},
      {"config_search_dirs", json::Array(T.ConfigSearchDirs)},
      {"config_files", json::Array(T.ConfigFiles)},
      {"mismatch", T.Mismatch},
      {"watched", std::move(Watched)},
  };
}

bool fromJSON(const json::Value &V, Memo &M, json::Path P) {
  json::ObjectMapper O(V, P);
  ToolchainIdentity &T = M.Identity;
  std::vector<std::vector<std::string>> Watched;
  if (!O || !O.map("compiler", T.Compiler) ||
      !O.map("launchers", T.Launchers) || !O.map("libraries", T.Libraries) ||
      !O.map("installed_dir", T.InstalledDir) ||
      !O.map("config_search_dirs", T.ConfigSearchDirs) ||
      !O.map("config_files", T.ConfigFiles) || !O.map("mismatch", T.Mismatch) ||
      !O.map("watched", Watched))
    return false;
  for (auto &W : Watched) {
    if (W.size() != 2)
      return false;
    M.Watched.push_back({W[0], W[1]});
  }
  return true;
}

/// The memo at \p Path, if it holds and everything it watched is as it was.
std::optional<ToolchainIdentity> readMemo(StringRef Path) {
  auto Buf = MemoryBuffer::getFile(Path);
  if (!Buf)
    return std::nullopt;
  Expected<Memo> M = json::parse<Memo>((*Buf)->getBuffer());
  if (!M) {
    consumeError(M.takeError());
    return std::nullopt;
  }
  for (const auto &[File, Sig] : M->Watched)
    if (statSignature(File).Text != Sig)
      return std::nullopt;
  return std::move(M->Identity);
}

/// Best effort, atomically: a failure only costs a probe next time.
void writeMemo(StringRef MemoDir, StringRef Path, const Memo &M) {
  SmallString<256> Tmp;
  int FD;
  if (sys::fs::create_directories(MemoDir) ||
      sys::fs::createUniqueFile(Path + ".%%%%%%%%", FD, Tmp))
    return;
  raw_fd_ostream OS(FD, true);
  OS << toJSON(M);
  OS.close();
  if (OS.has_error() || sys::fs::rename(Tmp, Path)) {
    OS.clear_error();
    sys::fs::remove(Tmp);
  }
}

} // namespace

Expected<ToolchainIdentity>
computeToolchainIdentity(const CompilerCommand &Command,
                         ArrayRef<std::string> CommonArgs, StringRef MemoDir,
                         function_ref<void()> BeforeRun) {
  std::vector<Program> Programs = programsOf(Command);
  SmallString<256> MemoPath;
  if (!MemoDir.empty()) {
    MemoPath = MemoDir;
    sys::path::append(MemoPath, toHex(memoKey(Command, CommonArgs, Programs)) +
                                    ".toolchain");
    if (std::optional<ToolchainIdentity> T = readMemo(MemoPath))
      return std::move(*T);
  }

  auto Start = std::chrono::system_clock::now();
  if (BeforeRun)
    BeforeRun();
  Memo M;
  ToolchainIdentity &T = M.Identity;
  bool Settles = true;
  auto Settle = [&](const Signature &S) {
    if (S.Modified && *S.Modified >= Start - Settled)
      Settles = false;
  };
  auto Watch = [&](StringRef Path, const Signature &S) {
    M.Watched.push_back({Path.str(), S.Text});
    Settle(S);
  };
  std::string CompilerDigest;
  for (const Program &P : Programs) {
    auto D = hashFile(P.Path);
    if (!D)
      return createStringError("remote compiler: %s",
                               toString(D.takeError()).c_str());
    Settle(P.Sig); // Watched as part of the memo's key.
    if (P.Name.empty())
      CompilerDigest = toHex(*D);
    else
      T.Launchers.push_back(P.Name + "=blake3:" + toHex(*D));
  }

  StringRef First = Command.Launchers.empty()
                        ? StringRef(Command.Compiler.Path)
                        : StringRef(Command.Launchers.front().second.Path);
  std::vector<std::string> Argv(CommonArgs.begin(), CommonArgs.end());
  Expected<ProbeAnswer> A = runProbe(First, Argv);
  if (!A)
    return A.takeError();
  T.Compiler = "blake3:" + CompilerDigest + "\n" + A->Version;
  T.InstalledDir = A->InstalledDir;
  T.ConfigSearchDirs = {A->UserConfigDir, A->SystemConfigDir, A->InstalledDir};
  T.ConfigFiles = A->ConfigFiles;
  bool Elf = isElf(Command.Compiler.Path);
  if (Elf && !installedAt(T.InstalledDir, Command.Compiler.Path))
    T.Mismatch = "the compiler that runs is installed in '" + T.InstalledDir +
                 "', not with '" + Command.Compiler.Path + "'";

  // Where a configuration file could appear: clang's search directories
  // and those of the files it read.
  std::set<std::string> Dirs;
  for (const std::string &D : T.ConfigSearchDirs)
    if (!D.empty())
      Dirs.insert(D);
  for (const std::string &F : T.ConfigFiles)
    Dirs.insert(sys::path::parent_path(F).str());

  if (Elf) {
    auto Libs = findCompilerLibraries(Command.Compiler.Path, Command.Env);
    if (!Libs)
      return Libs.takeError();
    for (const std::string &D : Libs->Searched)
      Dirs.insert(D);
    for (const CompilerLibrary &L : Libs->Libraries) {
      Signature S = statSignature(L.Path);
      auto Id = libraryIdentity(L.Path);
      if (!Id)
        return Id.takeError();
      Watch(L.Path, S);
      T.Libraries.push_back(L.Name + "=" + *Id);
    }
  }
  for (const std::string &D : Dirs)
    Watch(D, statSignature(D));

  if (!MemoPath.empty() && Settles)
    writeMemo(MemoDir, MemoPath, M);
  return std::move(T);
}

} // namespace ltocache
