//===- ltocache.cpp - Look after an ltocache cache directory --------------===//
//
//   ltocache config           effective configuration and its sources
//   ltocache stats [--json]   what the cache holds
//   ltocache verify           check every entry (exit 1 if any is bad)
//   ltocache clear            remove every entry
//
//===----------------------------------------------------------------------===//

#include "ltocache/Config.h"
#include "ltocache/Entry.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace ltocache;

static cl::SubCommand ConfigCmd("config",
                                "Show the effective configuration and where "
                                "each value came from");
static cl::SubCommand StatsCmd("stats", "Show what the cache holds");
static cl::SubCommand VerifyCmd("verify",
                                "Check every entry's header, key and checksum");
static cl::SubCommand ClearCmd("clear", "Remove every cache entry");

static cl::opt<std::string>
    CacheDir("cache-dir",
             cl::desc("Cache directory (default: $LTOCACHE_DIR, else "
                      "$XDG_CACHE_HOME/ltocache, else ~/.cache/ltocache)"),
             cl::value_desc("dir"), cl::sub(ConfigCmd), cl::sub(StatsCmd),
             cl::sub(VerifyCmd), cl::sub(ClearCmd));
static cl::opt<bool> Json("json", cl::desc("Print JSON"), cl::sub(StatsCmd),
                          cl::sub(ConfigCmd));

static Setting cacheDir() {
  std::optional<std::string> Flag;
  if (CacheDir.getNumOccurrences())
    Flag = CacheDir;
  return resolveCacheDir(Flag);
}

struct DirUsage {
  uint64_t Files = 0, Bytes = 0;
};

static Expected<DirUsage> usage(const Twine &Dir) {
  DirUsage U;
  if (!sys::fs::exists(Dir))
    return U;
  std::error_code EC;
  for (sys::fs::recursive_directory_iterator It(Dir, EC), End; It != End && !EC;
       It.increment(EC)) {
    sys::fs::file_status St;
    if (sys::fs::status(It->path(), St) || !sys::fs::is_regular_file(St))
      continue;
    ++U.Files;
    U.Bytes += St.getSize();
  }
  if (EC)
    return createFileError(Dir, EC);
  return U;
}

static int runConfig() {
  Setting Dir = cacheDir();
  Setting Faults = resolveFaultInjection(std::nullopt);
  if (Json) {
    json::Object O{{"cache_dir",
                    json::Object{{"value", Dir.Value}, {"source", Dir.Source}}},
                   {"fault_inject", json::Object{{"value", Faults.Value},
                                                 {"source", Faults.Source}}}};
    outs() << formatv("{0:2}", json::Value(std::move(O))) << "\n";
    return 0;
  }
  outs() << "cache-dir     " << Dir.Value << "    (" << Dir.Source << ")\n";
  outs() << "fault-inject  " << (Faults.Value.empty() ? "none" : Faults.Value)
         << "    (" << Faults.Source << ")\n";
  return 0;
}

static int runStats() {
  Setting Dir = cacheDir();
  SmallString<256> Root(Dir.Value);
  sys::path::append(Root, "v1");
  auto Entries = usage(Root + "/entries");
  auto Corrupt = usage(Root + "/corrupt");
  auto Tmp = usage(Root + "/tmp");
  for (auto *E : {&Entries, &Corrupt, &Tmp})
    if (!*E) {
      WithColor::error(errs(), "ltocache") << toString(E->takeError()) << "\n";
      return 1;
    }
  if (Json) {
    json::Object O{{"cache_dir", Dir.Value},
                   {"entries", (int64_t)Entries->Files},
                   {"bytes", (int64_t)Entries->Bytes},
                   {"corrupt_kept", (int64_t)Corrupt->Files},
                   {"temporary_files", (int64_t)Tmp->Files}};
    outs() << formatv("{0:2}", json::Value(std::move(O))) << "\n";
    return 0;
  }
  outs() << "cache directory  " << Dir.Value << "\n"
         << "entries          " << Entries->Files << "\n"
         << "bytes            " << Entries->Bytes << " ("
         << format("%.1f", Entries->Bytes / 1048576.0) << " MiB)\n"
         << "corrupt (kept)   " << Corrupt->Files << "\n"
         << "temporary files  " << Tmp->Files << "\n";
  return 0;
}

static int runVerify() {
  Setting Dir = cacheDir();
  SmallString<256> Entries(Dir.Value);
  sys::path::append(Entries, "v1", "entries");
  unsigned Good = 0, Bad = 0;
  std::error_code EC;
  for (sys::fs::recursive_directory_iterator It(Entries, EC), End;
       It != End && !EC; It.increment(EC)) {
    if (It->type() != sys::fs::file_type::regular_file)
      continue;
    StringRef Path = It->path();
    std::optional<Digest> Key = digestFromHex(sys::path::filename(Path));
    auto Bytes = MemoryBuffer::getFile(Path, /*IsText=*/false,
                                       /*RequiresNullTerminator=*/false);
    Error Problem = Error::success();
    if (!Key)
      Problem = createStringError("file name is not a key");
    else if (!Bytes)
      Problem = createFileError(Path, Bytes.getError());
    else if (auto D = decodeEntry((*Bytes)->getBuffer(), *Key); !D)
      Problem = D.takeError();
    if (Problem) {
      ++Bad;
      outs() << "bad: " << Path << ": " << toString(std::move(Problem))
             << "\n";
    } else {
      ++Good;
    }
  }
  if (EC && EC != std::errc::no_such_file_or_directory) {
    WithColor::error(errs(), "ltocache")
        << "cannot read " << Entries << ": " << EC.message() << "\n";
    return 1;
  }
  outs() << (Good + Bad) << " entries verified, " << Bad << " bad\n";
  return Bad ? 1 : 0;
}

static int runClear() {
  Setting Dir = cacheDir();
  SmallString<256> Entries(Dir.Value);
  sys::path::append(Entries, "v1", "entries");
  if (!sys::fs::exists(Entries)) {
    outs() << "nothing to clear in " << Dir.Value << "\n";
    return 0;
  }
  // Move the whole tree out of the way first: readers see either every
  // entry or none, never a half-deleted directory.
  SmallString<256> Trash(Dir.Value);
  sys::path::append(Trash, "v1",
                    "entries.clearing." + Twine(sys::Process::getProcessId()));
  if (std::error_code EC = sys::fs::rename(Entries, Trash)) {
    WithColor::error(errs(), "ltocache")
        << "cannot clear " << Entries << ": " << EC.message() << "\n";
    return 1;
  }
  if (std::error_code EC = sys::fs::remove_directories(Trash)) {
    WithColor::error(errs(), "ltocache")
        << "cleared, but could not delete " << Trash << ": " << EC.message()
        << "\n";
    return 1;
  }
  outs() << "cleared " << Dir.Value << "\n";
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "ltocache: look after an ltocache cache\n");
  if (ConfigCmd)
    return runConfig();
  if (StatsCmd)
    return runStats();
  if (VerifyCmd)
    return runVerify();
  if (ClearCmd)
    return runClear();
  WithColor::error(errs(), "ltocache")
      << "expected a command: config, stats, verify or clear (see --help)\n";
  return 1;
}
