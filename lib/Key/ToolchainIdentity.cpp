//===- ToolchainIdentity.cpp - What identifies the compiler that runs -----===//

#include "Key/ToolchainIdentity.h"
#include "Key/CacheKey.h"
#include "Key/CompilerLibraries.h"
#include "Key/DriverEnvironment.h"
#include "Key/SharedKeyInputs.h"

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
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <signal.h>
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

/// lld's command with "-v -###": clang prints what it is and which
/// configuration files it read, and runs nothing.
class Probe {
public:
  Probe(StringRef Program, ArrayRef<std::string> CommonArgs) {
    std::vector<StringRef> Argv(CommonArgs.begin(), CommonArgs.end());
    for (StringRef A : {"-v", "-###", "-x", "ir", "/dev/null"})
      Argv.push_back(A);
    Command = join(Argv, " ");
    if (std::error_code EC =
            sys::fs::createTemporaryFile("ltocache-probe", "txt", ErrPath)) {
      Problem = "cannot create a temporary file: " + EC.message();
      ErrPath.clear();
      return;
    }
    std::optional<StringRef> Redirects[] = {StringRef(""), StringRef(""),
                                            StringRef(ErrPath)};
    bool Failed = false;
    PI = sys::ExecuteNoWait(Program, Argv, std::nullopt, Redirects, 0, &ErrMsg,
                            &Failed);
    if (Failed)
      PI.Pid = sys::ProcessInfo::InvalidPid;
  }
  ~Probe() {
    if (PI.Pid != sys::ProcessInfo::InvalidPid) {
      stop();
      sys::Wait(PI, std::nullopt);
    }
    if (!ErrPath.empty())
      sys::fs::remove(ErrPath);
  }

  /// Waits for the compiler to answer.
  Expected<ProbeAnswer> answer() {
    if (!Problem.empty())
      return createStringError(Problem);
    if (PI.Pid == sys::ProcessInfo::InvalidPid)
      return createStringError("'%s' failed: %s", Command.c_str(),
                               ErrMsg.c_str());
    sys::ProcessInfo Done = sys::Wait(PI, std::nullopt, &ErrMsg);
    PI.Pid = sys::ProcessInfo::InvalidPid;
    auto Buf = MemoryBuffer::getFile(ErrPath);
    if (!Buf)
      return createFileError(ErrPath, Buf.getError());
    StringRef Out = (*Buf)->getBuffer();
    if (Done.ReturnCode != 0)
      return createStringError(
          "'%s' failed (%s): %s", Command.c_str(),
          ErrMsg.empty() ? ("exit code " + Twine(Done.ReturnCode)).str().c_str()
                         : ErrMsg.c_str(),
          Out.rtrim().str().c_str());
    return parseProbe(Out, Command);
  }

  /// Stops a probe whose answer is no longer needed (answer() then
  /// returns at once).
  void stop() {
    if (PI.Pid != sys::ProcessInfo::InvalidPid)
      ::kill(PI.Pid, SIGKILL);
  }

private:
  std::string Command, ErrMsg;
  SmallString<128> ErrPath;
  sys::ProcessInfo PI;
  std::string Problem;
};

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

/// A key of what the probe's answer is a function of: lld's command, its
/// programs as \p ProgramInputs identify them, \p Libraries, what the
/// driver and the loader read from the environment (the keyed variables,
/// HOME: the user's configuration directory, LD_LIBRARY_PATH: the
/// libraries), and the current directory where a configuration path may be
/// relative to it.
Digest probeKey(StringRef Recipe, const CompilerCommand &C,
                ArrayRef<std::string> CommonArgs,
                ArrayRef<std::string> ProgramInputs,
                ArrayRef<std::string> Libraries) {
  KeyBuilder KB(Recipe, MemoVersion);
  KB.add(KeyField::ToolVersion, LLVM_VERSION_STRING);
  for (const std::string &A : CommonArgs)
    addInput(KB, "arg", A);
  addInput(KB, "argv0", C.Compiler.Word);
  for (const std::string &P : ProgramInputs)
    addInput(KB, "program", P);
  for (const std::string &L : Libraries)
    addInput(KB, "library", L);
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

/// The local memo's key: programs by path and stat signature (the
/// libraries are watched by the memo itself).
Digest memoKey(const CompilerCommand &C, ArrayRef<std::string> CommonArgs,
               ArrayRef<Program> Programs) {
  std::vector<std::string> Inputs;
  for (const Program &P : Programs)
    Inputs.push_back(P.Path + '\0' + P.Sig.Text);
  return probeKey("toolchain-memo", C, CommonArgs, Inputs, {});
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

/// Where a configuration file could appear for \p A: clang's search
/// directories and those of the files it read.
std::set<std::string> configDirs(const ProbeAnswer &A) {
  std::set<std::string> Dirs;
  for (const std::string *D :
       {&A.UserConfigDir, &A.SystemConfigDir, &A.InstalledDir})
    if (!D->empty())
      Dirs.insert(*D);
  for (const std::string &F : A.ConfigFiles)
    Dirs.insert(sys::path::parent_path(F).str());
  return Dirs;
}

/// What \p Dir holds, by name: whether a configuration file clang looks for
/// is there ("absent" if \p Dir is not a directory).
std::string listingDigest(StringRef Dir) {
  std::error_code EC;
  std::vector<std::string> Names;
  for (sys::fs::directory_iterator It(Dir, EC), End; It != End && !EC;
       It.increment(EC))
    Names.push_back(sys::path::filename(It->path()).str());
  if (EC)
    return "absent";
  llvm::sort(Names);
  KeyBuilder KB("directory-listing", 1);
  for (const std::string &N : Names)
    KB.add(KeyField::MemoInput, N);
  return toHex(KB.finish());
}

/// The key of the probe's answer as other machines may share it: by
/// content (programs by digest, libraries by build ID) where the local memo
/// key uses stat signatures. Paths stay in: clang reports where it is
/// installed.
Digest sharedProbeKey(const CompilerCommand &C,
                      ArrayRef<std::string> CommonArgs,
                      ArrayRef<Program> Programs,
                      ArrayRef<std::string> ProgramDigests,
                      ArrayRef<std::string> Libraries) {
  std::vector<std::string> Inputs;
  for (size_t I = 0; I < Programs.size(); ++I)
    Inputs.push_back(Programs[I].Path + '\0' + realPath(Programs[I].Path) +
                     '\0' + ProgramDigests[I]);
  return probeKey("toolchain-probe", C, CommonArgs, Inputs, Libraries);
}

/// The probe's answer as shared, with what each directory where a
/// configuration file could appear held: another machine takes the answer
/// only if its directories hold the same names.
std::string sharedProbeRecord(const ProbeAnswer &A) {
  json::Array Listings;
  for (const std::string &D : configDirs(A))
    Listings.push_back(json::Array{D, listingDigest(D)});
  return formatv("{0}", json::Value(json::Object{
                            {"version", A.Version},
                            {"installed_dir", A.InstalledDir},
                            {"system_config_dir", A.SystemConfigDir},
                            {"user_config_dir", A.UserConfigDir},
                            {"config_files", json::Array(A.ConfigFiles)},
                            {"listings", std::move(Listings)},
                        }))
      .str();
}

/// A shared answer, if it holds here.
std::optional<ProbeAnswer> acceptSharedProbe(StringRef Text) {
  Expected<json::Value> V = json::parse(Text);
  if (!V) {
    consumeError(V.takeError());
    return std::nullopt;
  }
  ProbeAnswer A;
  std::vector<std::vector<std::string>> Listings;
  json::Path::Root Root;
  json::ObjectMapper O(*V, Root);
  if (!O || !O.map("version", A.Version) ||
      !O.map("installed_dir", A.InstalledDir) ||
      !O.map("system_config_dir", A.SystemConfigDir) ||
      !O.map("user_config_dir", A.UserConfigDir) ||
      !O.map("config_files", A.ConfigFiles) || !O.map("listings", Listings))
    return std::nullopt;
  std::set<std::string> Listed;
  for (const auto &L : Listings) {
    if (L.size() != 2 || listingDigest(L[0]) != L[1])
      return std::nullopt;
    Listed.insert(L[0]);
  }
  if (Listed != configDirs(A))
    return std::nullopt;
  return A;
}

/// The probe's answer from \p Shared if it holds here, else from the
/// compiler. The remote gets a head start (Key/SharedKeyInputs.h): running
/// clang (~50 ms, most of it loading its libraries) on a core the link's
/// other first steps need is what its answer saves; past the head start
/// both race, so a slow or dead remote costs at most the head start.
/// \p Shareable: the compiler answered and \p Shared lacks the answer
/// (offer it).
Expected<ProbeAnswer> probeOrShared(StringRef Program,
                                    ArrayRef<std::string> CommonArgs,
                                    SharedKeyInputs &Shared, const Digest &Key,
                                    bool *FromShared, bool &Shareable) {
  struct State {
    std::mutex Lock;
    std::condition_variable Changed;
    bool Answered = false, ProbeDone = false;
    std::optional<std::string> Value;
  };
  auto S = std::make_shared<State>();
  Shared.fetch({Key}, [S](size_t, std::optional<std::string> V) {
    std::lock_guard<std::mutex> G(S->Lock);
    S->Value = std::move(V);
    S->Answered = true;
    S->Changed.notify_all();
  });
  auto Taken = [&](ProbeAnswer A) -> Expected<ProbeAnswer> {
    if (FromShared)
      *FromShared = true;
    return std::move(A);
  };
  std::unique_lock<std::mutex> L(S->Lock);
  // The remote's answer if it has come and holds here (checked unlocked:
  // it lists directories).
  auto Holds = [&]() -> std::optional<ProbeAnswer> {
    if (!S->Answered || !S->Value)
      return std::nullopt;
    std::string Text = *S->Value;
    L.unlock();
    std::optional<ProbeAnswer> A = acceptSharedProbe(Text);
    L.lock();
    return A;
  };
  S->Changed.wait_for(L, Shared.headStart(), [&] { return S->Answered; });
  if (std::optional<ProbeAnswer> A = Holds())
    return Taken(std::move(*A));

  Probe P(Program, CommonArgs);
  std::optional<Expected<ProbeAnswer>> Probed;
  std::thread Waiter([&] {
    Expected<ProbeAnswer> A = P.answer();
    std::lock_guard<std::mutex> G(S->Lock);
    Probed.emplace(std::move(A));
    S->ProbeDone = true;
    S->Changed.notify_all();
  });
  // An answer already here did not hold: only a later one is worth a wait.
  std::optional<ProbeAnswer> FromRemote;
  if (!S->Answered) {
    S->Changed.wait(L, [&] { return S->Answered || S->ProbeDone; });
    FromRemote = Holds();
    if (FromRemote && !S->ProbeDone)
      P.stop();
  }
  S->Changed.wait(L, [&] { return S->ProbeDone; });
  bool Missing = S->Answered && !S->Value;
  L.unlock();
  Waiter.join();
  if (FromRemote) {
    consumeError(Probed->takeError());
    return Taken(std::move(*FromRemote));
  }
  // A remote that answers later (or never) is not waited for; one whose
  // answer does not hold here keeps it.
  Shareable = Missing || !S->Answered;
  return std::move(*Probed);
}

} // namespace

Expected<ToolchainIdentity>
computeToolchainIdentity(const CompilerCommand &Command,
                         ArrayRef<std::string> CommonArgs, StringRef MemoDir,
                         function_ref<void()> BeforeRun,
                         SharedKeyInputs *Shared, bool *FromShared) {
  if (FromShared)
    *FromShared = false;
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
  // With a remote, the answer may come from there: the link is not known
  // to be a first one yet (phase 1 says so when memos are missing).
  if (BeforeRun && !Shared)
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
  std::vector<std::string> ProgramDigests;
  for (const Program &P : Programs) {
    auto D = hashFile(P.Path);
    if (!D)
      return createStringError("remote compiler: %s",
                               toString(D.takeError()).c_str());
    Settle(P.Sig); // Watched as part of the memo's key.
    ProgramDigests.push_back(toHex(*D));
    if (P.Name.empty())
      CompilerDigest = toHex(*D);
    else
      T.Launchers.push_back(P.Name + "=blake3:" + toHex(*D));
  }

  // The compiler's own libraries, from its ELF dynamic section.
  bool Elf = isElf(Command.Compiler.Path);
  std::set<std::string> Dirs;
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

  StringRef First = Command.Launchers.empty()
                        ? StringRef(Command.Compiler.Path)
                        : StringRef(Command.Launchers.front().second.Path);
  Digest SharedKey = sharedProbeKey(Command, CommonArgs, Programs,
                                    ProgramDigests, T.Libraries);
  bool Shareable = false;
  Expected<ProbeAnswer> A =
      Shared ? probeOrShared(First, CommonArgs, *Shared, SharedKey, FromShared,
                             Shareable)
             : Probe(First, CommonArgs).answer();
  if (!A)
    return A.takeError();
  T.Compiler = "blake3:" + CompilerDigest + "\n" + A->Version;
  T.InstalledDir = A->InstalledDir;
  T.ConfigSearchDirs = {A->UserConfigDir, A->SystemConfigDir, A->InstalledDir};
  T.ConfigFiles = A->ConfigFiles;
  if (Elf && !installedAt(T.InstalledDir, Command.Compiler.Path))
    T.Mismatch = "the compiler that runs is installed in '" + T.InstalledDir +
                 "', not with '" + Command.Compiler.Path + "'";

  // Where a configuration file could appear: clang's search directories
  // and those of the files it read.
  std::set<std::string> ConfigDirs = configDirs(*A);
  Dirs.insert(ConfigDirs.begin(), ConfigDirs.end());
  for (const std::string &D : Dirs)
    Watch(D, statSignature(D));

  if (!MemoPath.empty() && Settles)
    writeMemo(MemoDir, MemoPath, M);
  if (Shareable)
    Shared->offer(SharedKey, sharedProbeRecord(*A));
  return std::move(T);
}

} // namespace ltocache
