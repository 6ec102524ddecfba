//===- Settings.cpp - The one table of settings ---------------------------===//

#include "Config/Settings.h"

#include "Compile/BackendSelector.h"
#include "Remote/RemoteStore.h"
#include "Remote/SigningKeys.h"
#include "Store/Pruner.h"
#include "Support/Environment.h"
#include "Support/FileSystem.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <climits>
#include <cstdio>

using namespace llvm;

namespace ltocache {

//===----------------------------------------------------------------------===//
// Checks and displays the rows use
//===----------------------------------------------------------------------===//

static Setting defaultCacheDir(const Settings &) {
  if (auto Xdg = nonEmptyEnv("XDG_CACHE_HOME")) {
    SmallString<256> P(*Xdg);
    sys::path::append(P, "ltocache");
    return {std::string(P), "default ($XDG_CACHE_HOME/ltocache)"};
  }
  SmallString<256> P;
  if (!sys::path::home_directory(P))
    P = "/tmp";
  sys::path::append(P, ".cache", "ltocache");
  return {std::string(P), "default ($HOME/.cache/ltocache)"};
}

static Setting defaultReportDir(const Settings &Above) {
  SmallString<256> P(Above.value(SettingId::CacheDir));
  sys::path::append(P, "determinism-reports");
  return {std::string(P), "default (<cache dir>/determinism-reports)"};
}

static Error checkPolicy(std::string &Value) {
  if (auto P = parsePolicy(Value); !P)
    return P.takeError();
  return Error::success();
}

static Error checkBackend(std::string &Value) {
  if (auto C = parseBackendChoice(Value); !C)
    return C.takeError();
  return Error::success();
}

static Error checkFaultSpec(std::string &Value) {
  if (auto FS = createFileSystem(Value); !FS)
    return FS.takeError();
  return Error::success();
}

/// An http:// or https:// URL with a host (and, if \p AllowS3, an
/// s3://<bucket>[/<prefix>]).
static Error checkUrl(std::string &Value, bool AllowS3) {
  Value = StringRef(Value).trim().str();
  if (Value.empty())
    return Error::success();
  StringRef U = Value;
  size_t Scheme = U.find("://");
  StringRef Name = Scheme == StringRef::npos ? "" : U.take_front(Scheme);
  bool S3 = AllowS3 && Name.equals_insensitive("s3");
  if (!S3 && !Name.equals_insensitive("http") &&
      !Name.equals_insensitive("https"))
    return createStringError(AllowS3
                                 ? "expected an http://, https:// or s3:// URL"
                                 : "expected an http:// or https:// URL");
  if (U.substr(Scheme + 3).empty() || U.substr(Scheme + 3).front() == '/')
    return createStringError(S3 ? "no bucket" : "no host");
  return Error::success();
}

static Error checkRemoteUrl(std::string &Value) {
  return checkUrl(Value, /*AllowS3=*/true);
}

static Error checkEndpoint(std::string &Value) {
  return checkUrl(Value, /*AllowS3=*/false);
}

/// An octal mode mask, as umask(1) takes it; normalised to 4 digits.
static Error checkUmask(std::string &Value) {
  StringRef V = StringRef(Value).trim();
  unsigned Mask;
  if (V.empty() || V.getAsInteger(8, Mask) || Mask > 0777)
    return createStringError("expected an octal mask from 000 to 777, as "
                             "umask(1) takes (e.g. 002)");
  char Octal[8];
  snprintf(Octal, sizeof(Octal), "%04o", Mask);
  Value = Octal;
  return Error::success();
}

static void expandTilde(std::string &Path) {
  SmallString<256> P;
  sys::fs::expand_tilde(Path, P);
  Path = std::string(P);
}

/// Comma-separated files, trimmed, "~/" expanded. They are read where the
/// remote is set up (remoteConfig), only if there is a remote.
static Error checkKeyFileList(std::string &Value) {
  std::vector<std::string> Files = splitKeyFiles(Value);
  for (std::string &F : Files)
    expandTilde(F);
  Value = join(Files, ",");
  return Error::success();
}

/// "<file> (<fingerprint>)": never the key's bytes.
static std::string showSigningKey(StringRef Value) {
  if (Value.empty())
    return "";
  auto K = readSigningKey(Value);
  if (!K) {
    consumeError(K.takeError());
    return (Value + " (unreadable)").str();
  }
  return (Value + " (" + (*K)->publicKey().fingerprint() + ")").str();
}

static std::string showTrustedKeys(StringRef Value) {
  std::string Out;
  for (const std::string &F : splitKeyFiles(Value)) {
    if (!Out.empty())
      Out += ", ";
    auto K = readPublicKey(F);
    Out += F + " (" + (K ? K->fingerprint() : "unreadable") + ")";
    if (!K)
      consumeError(K.takeError());
  }
  return Out;
}

static Error checkRemoteLayout(std::string &Value) {
  Value = StringRef(Value).trim().str();
  auto Layout = parseRemoteLayout(Value);
  if (!Layout)
    return Layout.takeError();
  Value = remoteLayoutName(*Layout).str();
  return Error::success();
}

/// RFC 9110 token characters, as in a header name.
static bool isTokenChar(char C) {
  return isAlnum(C) || StringRef("!#$%&'*+-.^_`|~").contains(C);
}

/// "Name: value" lines; the message never quotes a line (values are
/// secrets).
static Error checkHeaders(std::string &Value) {
  SmallVector<StringRef, 4> Lines;
  StringRef(Value).split(Lines, '\n');
  for (size_t I = 0; I < Lines.size(); ++I) {
    StringRef Line = Lines[I].trim();
    if (Line.empty())
      continue;
    StringRef Name = Line.split(':').first.rtrim();
    if (!Line.contains(':') || Name.empty() || !all_of(Name, isTokenChar))
      return createStringError(
          "bad LTOCACHE_REMOTE_HEADERS line %zu: expected 'Name: value' "
          "(the value is not shown)",
          I + 1);
  }
  return Error::success();
}

static std::string showUrl(StringRef Value) {
  return maskUrlCredentials(Value);
}

/// "Name: ***" per header line, comma-separated.
static std::string showHeaders(StringRef Value) {
  std::string Out;
  SmallVector<StringRef, 4> Lines;
  Value.split(Lines, '\n');
  for (StringRef Line : Lines) {
    Line = Line.trim();
    if (Line.empty())
      continue;
    if (!Out.empty())
      Out += ", ";
    Out += (Line.split(':').first.rtrim() + ": ***").str();
  }
  return Out;
}

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

/// Builds a row: the columns every row has, then the optional ones.
struct Row : SettingRow {
  Row(SettingId Id, StringRef Name, StringRef Env, StringRef Key,
      StringRef What, SettingType Type, StringRef Default, StringRef Help,
      StringRef Group) {
    this->Id = Id;
    this->Name = Name;
    this->Env = Env;
    FileKey = Key;
    this->What = What;
    this->Type = Type;
    this->Default = Default;
    this->Help = Help;
    this->Group = Group;
  }
  Row &usedBy(unsigned U) {
    Uses = U;
    return *this;
  }
  Row &alias(StringRef A, bool Prefix = false) {
    Alias = A;
    AliasIsPrefix = Prefix;
    return *this;
  }
  Row &emptyIsValue() {
    EmptyIsValue = true;
    return *this;
  }
  Row &onlyFromEnv(StringRef Why) {
    OnlyFromEnvBecause = Why;
    return *this;
  }
  Row &check(Error (*C)(std::string &)) {
    Check = C;
    return *this;
  }
  Row &errors(ErrorStyle E) {
    Errors = E;
    return *this;
  }
  Row &show(std::string (*S)(StringRef)) {
    Show = S;
    return *this;
  }
  Row &example(StringRef E) {
    Example = E;
    return *this;
  }
  Row &defaultOf(Setting (*D)(const Settings &)) {
    DefaultOf = D;
    return *this;
  }
  Row &defaultDoc(StringRef D) {
    DefaultDoc = D;
    return *this;
  }
};

/// Built on first use: programs register their flags from it while static
/// objects are constructed.
static const std::vector<SettingRow> &table() {
  static const std::vector<SettingRow> Rows = {
      Row(SettingId::CacheDir, "cache-dir", "LTOCACHE_DIR", "cache_dir",
          "cache directory", SettingType::Path, "", "Cache directory", "cache")
          .usedBy(UsedByDistributor | UsedByCacheCommands)
          .example("/var/cache/ltocache")
          .defaultOf(defaultCacheDir)
          .defaultDoc("`$XDG_CACHE_HOME/ltocache`, else `~/.cache/ltocache`"),
      Row(SettingId::CachePolicy, "cache-policy", "LTOCACHE_POLICY",
          "cache_policy", "cache policy", SettingType::Text, DefaultPolicy,
          "Pruning policy, in the grammar of lld's `--thinlto-cache-policy`",
          "cache")
          .alias("policy")
          .usedBy(UsedByDistributor | UsedByPrune)
          .check(checkPolicy)
          .errors(ErrorStyle::WithSource)
          .example("prune_after=24h:cache_size=10%"),
      Row(SettingId::SyncEntries, "sync-entries", "LTOCACHE_SYNC_ENTRIES",
          "sync_entries", "sync-entries setting", SettingType::Switch, "false",
          "Flush each new cache entry to disk (fsync) before naming it (1, 0, "
          "true, false). Off by default, as in lld's own cache: every read "
          "checks "
          "an entry's length and checksum, so one torn by a power loss is a "
          "miss",
          "cache")
          .example("true"),
      Row(SettingId::Umask, "umask", "LTOCACHE_UMASK", "umask", "umask",
          SettingType::Text, "",
          "The umask (octal, as umask(1) takes) for every file and directory "
          "ltocache-dtlto creates, cache and job outputs alike: `002` lets a "
          "cache directory be shared by a Unix group (README, *A cache shared "
          "by a group*)",
          "cache")
          .usedBy(UsedByDistributor | UsedByCacheCommands)
          .check(checkUmask)
          .example("0002")
          .defaultDoc("the process's own"),
      Row(SettingId::Jobs, "jobs", "LTOCACHE_JOBS", "jobs", "jobs count",
          SettingType::Count, "0",
          "Backend jobs to run at once (0: one per core)", "compile")
          .alias("j", /*Prefix=*/true)
          .example("4"),
      Row(SettingId::Backend, "backend", "LTOCACHE_BACKEND", "backend",
          "backend", SettingType::Text, "auto",
          "How misses are compiled: `auto`, `in-process`, `process` or "
          "`distributor:<program>`",
          "compile")
          .check(checkBackend)
          .errors(ErrorStyle::WithSource)
          .example("process"),
      Row(SettingId::BackendArgs, "backend-arg", "LTOCACHE_BACKEND_ARGS",
          "backend_args", "backend arguments", SettingType::List, "",
          "An argument for `--backend=distributor:<program>` (repeatable; "
          "blank-separated in the environment and the file)",
          "compile")
          .example("--verbose"),
      Row(SettingId::CompileServer, "compile-server", "LTOCACHE_COMPILE_SERVER",
          "compile_server", "compile server", SettingType::Path, "",
          "The in-process backend's server program (for tests and profiling)",
          "compile")
          .example("/opt/ltocache/bin/ltocache-compile")
          .defaultDoc("`ltocache-compile` beside `ltocache-dtlto`"),
      Row(SettingId::KeyLog, "key-log", "LTOCACHE_KEY_LOG", "key_log",
          "key log", SettingType::Path, "",
          "Write each job's module, key and key fields to this file (to see "
          "why "
          "two links do not share results)",
          "checks")
          .example("/tmp/keys.txt"),
      Row(SettingId::DeterminismCheck, "determinism-check",
          "LTOCACHE_DETERMINISM_CHECK", "determinism_check",
          "determinism-check setting", SettingType::Switch, "false",
          "Compile every remote hit locally too and compare byte for byte; a "
          "difference keeps both objects, uses the local one and ends the link "
          "with a `determinism check:` warning (exit status 0)",
          "checks")
          .example("true"),
      Row(SettingId::DeterminismReportDir, "determinism-report-dir",
          "LTOCACHE_DETERMINISM_REPORT_DIR", "determinism_report_dir",
          "determinism report directory", SettingType::Path, "",
          "Where differing objects are kept (`<key>/local.o`, `remote.o`, "
          "`job.txt`)",
          "checks")
          .example("/tmp/reports")
          .defaultOf(defaultReportDir)
          .defaultDoc("`<cache dir>/determinism-reports`"),
      Row(SettingId::VerifyHits, "verify-hits", "LTOCACHE_VERIFY_HITS",
          "verify_hits", "verify-hits fraction", SettingType::Fraction, "0",
          "Also compile this fraction of local hits (0 to 1), chosen at "
          "random, and compare byte for byte before lld gets them; a "
          "difference keeps both objects in the determinism report "
          "directory, uses the fresh one and ends the link with a "
          "`verify-hits:` warning (exit status 0)",
          "checks")
          .example("0.25"),
      Row(SettingId::Quiet, "quiet", "LTOCACHE_QUIET", "quiet", "quiet setting",
          SettingType::Switch, "false", "No summary line", "checks")
          .example("true"),
      Row(SettingId::FaultInject, "fault-inject", "LTOCACHE_FAULT_INJECT",
          "fault_inject", "fault injection", SettingType::Text, "",
          "Testing only: make cache filesystem operations misbehave, e.g. "
          "`rename=EXDEV,write=ENOSPC@0.5,delay:rename=5`",
          "checks")
          .check(checkFaultSpec)
          .errors(ErrorStyle::AsIs)
          .example("rename=EXDEV"),
      Row(SettingId::Trace, "trace", "LTOCACHE_TRACE", "trace", "trace file",
          SettingType::Path, "",
          "Write a timeline of the link to this file (Chrome trace-event "
          "JSON, for Perfetto UI or chrome://tracing): phases, every job's "
          "key, lookup, compile, remote lookup, race and publication per "
          "worker, uploads, counters. A directory (or a value ending in `/`) "
          "gets one `<output>.<pid>.trace.json` per link",
          "checks")
          .example("/tmp/link.trace.json"),
      Row(SettingId::LinkRecords, "link-records", "LTOCACHE_LINK_RECORDS",
          "link_records", "link-records count", SettingType::Count, "4",
          "How many of each linker output's last links keep a record (each "
          "job's key fields, one small file per link) for `ltocache "
          "explain`; 0: none is written",
          "checks")
          .example("8"),
      Row(SettingId::Remote, "remote", "LTOCACHE_REMOTE", "remote",
          "remote URL", SettingType::Text, "",
          "Base URL of the remote cache (`http://`, `https://`, or "
          "`s3://<bucket>/<prefix>`); empty: no remote",
          "remote")
          .emptyIsValue()
          .check(checkRemoteUrl)
          .show(showUrl)
          .example("https://cache.example.com/lto"),
      Row(SettingId::RemoteLayout, "remote-layout", "LTOCACHE_REMOTE_LAYOUT",
          "remote_layout", "remote layout", SettingType::Text, "subdirs",
          "Key layout under the URL: `flat` (`<url>/<key>`), `subdirs` "
          "(`<url>/<2 "
          "hex>/<62 hex>`), `bazel` (`<url>/ac/<key>`, bazel-remote with AC "
          "validation off)",
          "remote")
          .check(checkRemoteLayout)
          .example("flat"),
      Row(SettingId::RemoteConnectTimeout, "remote-connect-timeout",
          "LTOCACHE_REMOTE_CONNECT_TIMEOUT", "remote_connect_timeout",
          "remote connect timeout", SettingType::PositiveMillis, "1000",
          "Connect timeout, ms", "remote")
          .example("250"),
      Row(SettingId::RemoteRequestTimeout, "remote-request-timeout",
          "LTOCACHE_REMOTE_REQUEST_TIMEOUT", "remote_request_timeout",
          "remote request timeout", SettingType::PositiveMillis, "10000",
          "Per-request timeout, ms", "remote")
          .example("5000"),
      Row(SettingId::RemoteBudget, "remote-budget", "LTOCACHE_REMOTE_BUDGET",
          "remote_budget", "remote budget", SettingType::Millis, "10000",
          "Lookup budget, ms: how long a link's lookups may still win; after "
          "it "
          "the remote is a miss for the rest of the link",
          "remote")
          .example("3000"),
      Row(SettingId::RemoteUploadBudget, "remote-upload-budget",
          "LTOCACHE_REMOTE_UPLOAD_BUDGET", "remote_upload_budget",
          "remote upload budget", SettingType::Millis, "2000",
          "Upload budget, ms: how long uploads may take after a link's work",
          "remote")
          .example("500"),
      Row(SettingId::RemoteHeadStart, "remote-head-start",
          "LTOCACHE_REMOTE_HEAD_START", "remote_head_start",
          "remote head start", SettingType::Millis, "50",
          "Head start, ms: how long work a remote answer would save "
          "(identifying the compiler, parsing bitcode, compiling) waits for "
          "it before racing it; a remote that does not answer costs a link "
          "at most this",
          "remote")
          .example("200"),
      Row(SettingId::RemoteReadOnly, "remote-read-only",
          "LTOCACHE_REMOTE_READ_ONLY", "remote_read_only",
          "remote read-only setting", SettingType::Switch, "false",
          "Never upload to the remote (1, 0, true, false)", "remote")
          .example("true"),
      Row(SettingId::RemoteHeaders, "remote-headers", "LTOCACHE_REMOTE_HEADERS",
          "", "remote headers", SettingType::Text, "",
          "Extra request headers, one `Name: value` per line (e.g. "
          "`Authorization: Bearer ...`); values are never shown",
          "remote")
          .onlyFromEnv("secrets stay out of the configuration file and "
                       "off command lines")
          .check(checkHeaders)
          .errors(ErrorStyle::AsIs)
          .show(showHeaders)
          .example("X-Team: build"),
      Row(SettingId::RemoteSigningKey, "remote-signing-key",
          "LTOCACHE_REMOTE_SIGNING_KEY", "remote_signing_key",
          "remote signing key", SettingType::Path, "",
          "Secret key file (`ltocache keygen <name>` writes `<name>.key`) that "
          "signs every entry this link uploads; shown by its fingerprint, "
          "never its bytes",
          "remote")
          .show(showSigningKey)
          .example("/etc/ltocache/ci.key"),
      Row(SettingId::RemoteTrustedKeys, "remote-trusted-keys",
          "LTOCACHE_REMOTE_TRUSTED_KEYS", "remote_trusted_keys",
          "remote trusted keys", SettingType::Text, "",
          "Public key files (`<name>.pub`), comma-separated (several for key "
          "rotation): only remote entries signed by one of them are used; "
          "others count as untrusted and are compiled locally. None: every "
          "writer is trusted",
          "remote")
          .check(checkKeyFileList)
          .show(showTrustedKeys)
          .example("/etc/ltocache/ci.pub,/etc/ltocache/ci-old.pub"),
      Row(SettingId::RemoteS3Region, "remote-s3-region",
          "LTOCACHE_REMOTE_S3_REGION", "remote_s3_region", "remote S3 region",
          SettingType::Text, "us-east-1",
          "Region an `s3://` remote's requests are signed for (AWS Signature "
          "V4); credentials come from `AWS_ACCESS_KEY_ID`, "
          "`AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, never shown",
          "remote")
          .example("eu-west-1"),
      Row(SettingId::RemoteS3Endpoint, "remote-s3-endpoint",
          "LTOCACHE_REMOTE_S3_ENDPOINT", "remote_s3_endpoint",
          "remote S3 endpoint", SettingType::Text, "",
          "An `s3://` remote's server, addressed path-style "
          "(`<endpoint>/<bucket>/<prefix>`: MinIO, Ceph RGW, R2, GCS's XML "
          "API)",
          "remote")
          .check(checkEndpoint)
          .example("http://127.0.0.1:9000")
          .defaultDoc("AWS: `https://<bucket>.s3.<region>.amazonaws.com`"),
  };
  return Rows;
}

ArrayRef<SettingRow> settingsTable() { return table(); }

const SettingRow &settingRow(SettingId Id) {
  const SettingRow &R = table()[static_cast<unsigned>(Id)];
  assert(R.Id == Id && "rows in SettingId order");
  return R;
}

static constexpr StringLiteral Groups[] = {"cache", "compile", "checks",
                                           "remote"};
ArrayRef<StringLiteral> settingGroups() { return Groups; }

//===----------------------------------------------------------------------===//
// Resolution
//===----------------------------------------------------------------------===//

/// The type's check; normalises switches ("true"/"false") and numbers.
static Error checkType(SettingType T, std::string &Value) {
  StringRef V = StringRef(Value).trim();
  switch (T) {
  case SettingType::Text:
  case SettingType::Path:
  case SettingType::List:
    return Error::success();
  case SettingType::Fraction: {
    double F;
    if (V.getAsDouble(F) || !(F >= 0 && F <= 1))
      return createStringError("expected a number from 0 to 1");
    Value = V.str();
    return Error::success();
  }
  case SettingType::Switch:
    if (V == "1" || V.equals_insensitive("true")) {
      Value = "true";
      return Error::success();
    }
    if (V == "0" || V.equals_insensitive("false")) {
      Value = "false";
      return Error::success();
    }
    return createStringError("expected 1, 0, true or false");
  case SettingType::Count:
  case SettingType::Millis:
  case SettingType::PositiveMillis: {
    uint64_t N;
    bool Ms = T != SettingType::Count;
    if (V.getAsInteger(10, N) || N > INT_MAX)
      return createStringError(Ms ? "expected a whole number of milliseconds"
                                  : "expected a whole number");
    if (T == SettingType::PositiveMillis && N == 0)
      return createStringError("must be at least 1 ms");
    Value = std::to_string(N);
    return Error::success();
  }
  }
  llvm_unreachable("unknown setting type");
}

Settings Settings::resolve(const GivenFlags &Flags, const ConfigFile &File) {
  Settings S;
  S.File = File;
  S.Rows.resize(table().size());
  for (const SettingRow &Row : table()) {
    Resolved &R = S.Rows[static_cast<unsigned>(Row.Id)];
    auto Counts = [&](const std::string &V) {
      return Row.EmptyIsValue || !V.empty();
    };
    std::optional<Setting> Found;
    if (auto It = Flags.find(Row.Id);
        It != Flags.end() && Counts(It->second.Value))
      Found = It->second;
    if (!Found) {
      std::optional<std::string> Env = sys::Process::GetEnv(Row.Env);
      if (Env && Counts(*Env))
        Found = Setting{*Env, Row.Env.str()};
    }
    if (!Found && !Row.FileKey.empty())
      if (auto FromFile = File.get(Row.FileKey);
          FromFile && Counts(FromFile->Value)) {
        Found = *FromFile;
        if (Row.Type == SettingType::Path) {
          SmallString<256> P;
          sys::fs::expand_tilde(Found->Value, P);
          Found->Value = std::string(P);
        }
      }
    if (!Found) {
      if (Row.DefaultOf)
        R.Value = Row.DefaultOf(S);
      else if (!Row.Default.empty())
        R.Value = {Row.Default.str(), "default"};
      else if (!Row.DefaultDoc.empty())
        R.Value = {"",
                   "default (" + join(split(Row.DefaultDoc, '`'), "") + ")"};
      else
        R.Value = {"", "default (none)"};
      continue;
    }
    R.Value = std::move(*Found);
    R.Given = true;
    Error E = checkType(Row.Type, R.Value.Value);
    if (!E && Row.Check)
      E = Row.Check(R.Value.Value);
    if (!E)
      continue;
    std::string Why = toString(std::move(E));
    switch (Row.Errors) {
    case ErrorStyle::Framed:
      R.Error = ("bad " + Row.What + " '" + S.shown(Row.Id) + "' (from " +
                 R.Value.Source + "): " + Why)
                    .str();
      break;
    case ErrorStyle::WithSource:
      R.Error = Why + " (from " + R.Value.Source + ")";
      break;
    case ErrorStyle::AsIs:
      R.Error = Why;
      break;
    }
  }
  return S;
}

Error Settings::check(function_ref<bool(const SettingRow &)> Filter) const {
  for (const SettingRow &Row : table())
    if (Filter(Row) && !at(Row.Id).Error.empty())
      return createStringError(at(Row.Id).Error);
  return Error::success();
}

Error Settings::checkAll() const {
  return check([](const SettingRow &) { return true; });
}

Error Settings::check(ArrayRef<SettingId> Ids) const {
  return check([&](const SettingRow &R) { return is_contained(Ids, R.Id); });
}

std::string Settings::shown(SettingId Id) const {
  const SettingRow &Row = settingRow(Id);
  return Row.Show ? Row.Show(value(Id)) : value(Id);
}

unsigned Settings::count(SettingId Id) const {
  unsigned N = 0;
  if (StringRef(value(Id)).trim().getAsInteger(10, N))
    return 0;
  return N;
}

std::chrono::milliseconds Settings::millis(SettingId Id) const {
  return std::chrono::milliseconds(count(Id));
}

double Settings::fraction(SettingId Id) const {
  double F = 0;
  if (StringRef(value(Id)).trim().getAsDouble(F))
    return 0;
  return F;
}

std::vector<std::string> Settings::list(SettingId Id) const {
  SmallVector<StringRef, 8> Items;
  SplitString(value(Id), Items, " \t\n");
  std::vector<std::string> Out;
  for (StringRef I : Items)
    Out.push_back(I.str());
  return Out;
}

//===----------------------------------------------------------------------===//
// README's tables
//===----------------------------------------------------------------------===//

std::string settingsMarkdown(StringRef Group) {
  std::string Out;
  raw_string_ostream OS(Out);
  OS << "| setting | flag | environment | file key | default |\n"
     << "| --- | --- | --- | --- | --- |\n";
  auto Code = [](StringRef S) {
    return S.empty() ? "—" : ("`" + S + "`").str();
  };
  for (const SettingRow &Row : table()) {
    if (Row.Group != Group)
      continue;
    std::string Flag = "—";
    if (Row.hasFlag()) {
      Flag = Row.Type == SettingType::Switch || Row.Type == SettingType::List
                 ? ("`--" + Row.Name + "`").str()
                 : ("`--" + Row.Name + "=`").str();
      if (!Row.Alias.empty())
        Flag += Row.AliasIsPrefix ? (", `-" + Row.Alias + "<N>`").str()
                                  : (" (`--" + Row.Alias + "=`)").str();
    }
    std::string Default = !Row.DefaultDoc.empty() ? Row.DefaultDoc.str()
                          : Row.Default.empty()   ? "none"
                                                : "`" + Row.Default.str() + "`";
    std::string Help = Row.Help.str();
    if (!Row.hasFlag())
      Help += " (environment only: " + Row.OnlyFromEnvBecause.str() + ")";
    // A '|' would end the cell.
    Help = join(split(Help, '|'), "\\|");
    OS << "| " << Help << " | " << Flag << " | " << Code(Row.Env) << " | "
       << Code(Row.FileKey) << " | " << Default << " |\n";
  }
  return Out;
}

} // namespace ltocache
