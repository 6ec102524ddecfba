//===- CompilerCommand.cpp - What lld's remote-compiler command runs ------===//

#include "Key/CompilerCommand.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <optional>

using namespace llvm;

namespace ltocache {

StringRef launcherName(LauncherKind K) {
  switch (K) {
  case LauncherKind::Env:
    return "env";
  case LauncherKind::Ccache:
    return "ccache";
  case LauncherKind::Sccache:
    return "sccache";
  case LauncherKind::Distcc:
    return "distcc";
  case LauncherKind::Icecc:
    return "icecc";
  }
  return "?";
}

static std::optional<LauncherKind> launcherNamed(StringRef FileName) {
  return StringSwitch<std::optional<LauncherKind>>(FileName)
      .Case("env", LauncherKind::Env)
      .Case("ccache", LauncherKind::Ccache)
      .Case("sccache", LauncherKind::Sccache)
      .Case("distcc", LauncherKind::Distcc)
      .Case("icecc", LauncherKind::Icecc)
      .Default(std::nullopt);
}

size_t lldArgumentsStart(ArrayRef<std::string> Args) {
  for (size_t I = 1; I + 1 < Args.size(); ++I)
    if (Args[I] == "-c" && StringRef(Args[I + 1]).starts_with("--target="))
      return I;
  return std::min<size_t>(1, Args.size());
}

static std::string realFileName(StringRef Path) {
  SmallString<256> Real;
  if (sys::fs::real_path(Path, Real))
    return sys::path::filename(Path).str();
  return sys::path::filename(Real).str();
}

static bool isExecutableFile(const Twine &Path) {
  return sys::fs::can_execute(Path) && !sys::fs::is_directory(Path);
}

/// The executable \p Word runs, as execvp(3) finds it in \p Dirs: a word
/// with a slash is a path. \p SkipRealName: skip files whose real name is
/// this (a launcher's own masquerading links).
static std::optional<std::string> findProgram(StringRef Word,
                                              ArrayRef<std::string> Dirs,
                                              StringRef SkipRealName = "") {
  if (Word.contains('/'))
    return isExecutableFile(Word) ? std::optional(Word.str()) : std::nullopt;
  for (const std::string &D : Dirs) {
    SmallString<256> Candidate(D);
    sys::path::append(Candidate, Word);
    if (!isExecutableFile(Candidate))
      continue;
    if (!SkipRealName.empty() && realFileName(Candidate) == SkipRealName)
      continue;
    return Candidate.str().str();
  }
  return std::nullopt;
}

/// GNU env's options and NAME=VALUE words from \p W[I], applied to \p E;
/// \p I ends at the command. Returns what is not understood, or "".
static std::string parseEnv(ArrayRef<std::string> W, size_t &I,
                            Environment &E) {
  bool Clear = false;
  std::vector<std::string> Unsets;
  for (; I < W.size(); ++I) {
    StringRef A = W[I];
    if (A == "--") {
      ++I;
      break;
    }
    if (A.consume_front("--")) {
      auto [Name, Value] = A.split('=');
      if (Name == "ignore-environment" && !A.contains('=')) {
        Clear = true;
      } else if (Name == "debug" && !A.contains('=')) {
      } else if (Name == "unset") {
        if (!A.contains('=')) {
          if (++I == W.size())
            return "env --unset without a name";
          Value = W[I];
        }
        Unsets.push_back(Value.str());
      } else {
        return ("env option '--" + A + "'").str();
      }
      continue;
    }
    if (!A.starts_with("-") || A == "-")
      break;
    for (size_t C = 1; C < A.size(); ++C) {
      if (A[C] == 'i') {
        Clear = true;
      } else if (A[C] == 'v') {
      } else if (A[C] == 'u') {
        StringRef Value = A.drop_front(C + 1);
        if (Value.empty()) {
          if (++I == W.size())
            return "env -u without a name";
          Value = W[I];
        }
        Unsets.push_back(Value.str());
        break;
      } else {
        return ("env option '-" + Twine(A[C]) + "'").str();
      }
    }
  }
  if (I < W.size() && W[I] == "-") {
    Clear = true;
    ++I;
  }
  if (Clear)
    E.clear();
  else
    for (const std::string &U : Unsets)
      E.unset(U);
  for (; I < W.size() && StringRef(W[I]).contains('='); ++I) {
    auto [Name, Value] = StringRef(W[I]).split('=');
    E.set(Name, Value);
  }
  if (I == W.size())
    return "env runs no command of the remote compiler's arguments";
  return "";
}

Expected<CompilerCommand> resolveCompilerCommand(ArrayRef<std::string> Args,
                                                 const Environment &Env) {
  if (Args.empty())
    return createStringError("the job file names no remote compiler");
  size_t PrefixEnd = lldArgumentsStart(Args);
  ArrayRef<std::string> Prefix = Args.take_front(PrefixEnd);
  CompilerCommand C;
  C.Env = Env;
  // The program named by Word (Prefix[I], or the same word for a
  // masquerading launcher), run by the launcher Via (none at first).
  std::string Word = Prefix[0];
  size_t I = 0;
  std::optional<LauncherKind> Via;
  for (unsigned Depth = 0;; ++Depth) {
    std::vector<std::string> Dirs = C.Env.searchPath();
    std::string Skip; // A compiler cache skips its own links on PATH.
    if (Via && *Via != LauncherKind::Env) {
      Skip = launcherName(*Via).str();
      std::optional<StringRef> CachePath = C.Env.get("CCACHE_PATH");
      if (*Via == LauncherKind::Ccache && CachePath && !CachePath->empty())
        Dirs = splitSearchPath(*CachePath);
    }
    std::optional<std::string> Path = findProgram(Word, Dirs, Skip);
    if (!Path)
      return createStringError(Via ? "'%s' (run by %s) not found"
                                   : "remote compiler '%s' not found on PATH",
                               Word.c_str(),
                               Via ? launcherName(*Via).data() : "");
    CommandProgram Prog{Word, *Path};
    std::optional<LauncherKind> Kind = launcherNamed(sys::path::filename(Word));
    bool Masquerade = false;
    if (!Kind) {
      Kind = launcherNamed(realFileName(*Path));
      Masquerade = Kind && *Kind != LauncherKind::Env;
      if (!Masquerade)
        Kind.reset();
    }
    std::string Problem;
    size_t Next = I + 1;
    if (Kind && Depth < 8 && !Masquerade) {
      if (*Kind == LauncherKind::Env)
        Problem = parseEnv(Prefix, Next, C.Env);
      else if (Next == Prefix.size() ||
               StringRef(Prefix[Next]).starts_with("-"))
        Problem = (launcherName(*Kind) + " is given no compiler").str();
    }
    if (!Kind || Depth == 8 || !Problem.empty()) {
      // The compiler, or a program whose work is not known: it stands for
      // the compiler, and the programs its arguments name are noted.
      C.Compiler = Prog;
      C.Args.assign(Prefix.begin() + I + 1, Prefix.end());
      for (size_t N = I + 1; N < Prefix.size(); ++N) {
        StringRef A = Prefix[N];
        if (A.starts_with("-") || A.contains('/') || A.contains('='))
          continue;
        if (std::optional<std::string> P = findProgram(A, Dirs))
          C.Named.push_back({A.str(), *P});
      }
      C.NotUnderstood = Problem;
      if (C.NotUnderstood.empty() && !C.Named.empty())
        C.NotUnderstood =
            "'" + Word + "' may run programs named in its arguments";
      break;
    }
    C.Launchers.push_back({*Kind, Prog});
    if (Masquerade) {
      // /usr/lib/ccache/clang: the compiler is "clang" further on PATH.
      Word = sys::path::filename(Word).str();
    } else {
      I = Next;
      Word = Prefix[I];
    }
    if (*Kind == LauncherKind::Ccache) {
      if (std::optional<StringRef> Compiler = C.Env.get("CCACHE_COMPILER");
          Compiler && !Compiler->empty())
        Word = Compiler->str();
      if (std::optional<StringRef> P = C.Env.get("CCACHE_PREFIX");
          P && !P->empty())
        C.MayRunElsewhere =
            ("ccache runs the compiler through CCACHE_PREFIX '" + *P + "'")
                .str();
    }
    if (*Kind == LauncherKind::Distcc || *Kind == LauncherKind::Icecc)
      C.MayRunElsewhere =
          (launcherName(*Kind) + " may compile on another machine").str();
    Via = Kind;
  }
  C.Args.insert(C.Args.end(), Args.begin() + PrefixEnd, Args.end());
  return C;
}

} // namespace ltocache
