//===- LinkExplain.cpp - Why jobs of a link missed ------------------------===//

#include "Link/LinkExplain.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <map>
#include <set>
#include <tuple>

using namespace llvm;

namespace ltocache {

using Field = LinkRecord::Field;
using Job = LinkRecord::Job;

namespace {

void add(std::vector<Change> &Out, StringRef Kind, const Twine &Text,
         StringRef From = "", StringRef To = "") {
  Out.push_back({Kind.str(), Text.str(), From.str(), To.str()});
}

/// A definition's name as its source says it: demangled, without the
/// parameters ("leveldb::PutVarint32") or the suffix of a promoted local.
std::string readableName(StringRef Name) {
  size_t Promoted = Name.find(".llvm.");
  std::string Base = Name.take_front(Promoted).str();
  ItaniumPartialDemangler D;
  if (!StringRef(Base).starts_with("_Z") || D.partialDemangle(Base.c_str()))
    return Base;
  char *Readable = D.isFunction() ? D.getFunctionName(nullptr, nullptr)
                                  : D.finishDemangle(nullptr, nullptr);
  std::string Out = Readable ? Readable : Base;
  std::free(Readable);
  return Out;
}

/// "a, b and c", at most a few names, then how many more.
std::string nameList(std::vector<std::string> Names) {
  llvm::sort(Names);
  constexpr size_t Shown = 6;
  std::string Out;
  size_t N = std::min(Names.size(), Shown);
  for (size_t I = 0; I < N; ++I) {
    if (I)
      Out += I + 1 == N && Names.size() <= Shown ? " and " : ", ";
    Out += Names[I];
  }
  if (Names.size() > Shown)
    Out += " and " + std::to_string(Names.size() - Shown) + " more";
  return Out;
}

//===----------------------------------------------------------------------===//
// Key fields: the link's (shared by every job) and a job's own arguments
//===----------------------------------------------------------------------===//

/// Runs of values of \p A not in \p B and of \p B not in \p A (indices),
/// between the values both have in order (a longest common subsequence).
std::vector<std::pair<std::vector<size_t>, std::vector<size_t>>>
sequenceDiff(ArrayRef<const Field *> A, ArrayRef<const Field *> B) {
  size_t N = A.size(), M = B.size();
  std::vector<std::vector<unsigned>> L(N + 1, std::vector<unsigned>(M + 1));
  for (size_t I = N; I-- > 0;)
    for (size_t J = M; J-- > 0;)
      L[I][J] = A[I]->Value == B[J]->Value ? L[I + 1][J + 1] + 1
                                           : std::max(L[I + 1][J], L[I][J + 1]);
  std::vector<std::pair<std::vector<size_t>, std::vector<size_t>>> Runs(1);
  size_t I = 0, J = 0;
  while (I < N || J < M) {
    if (I < N && J < M && A[I]->Value == B[J]->Value) {
      if (!Runs.back().first.empty() || !Runs.back().second.empty())
        Runs.emplace_back();
      ++I, ++J;
    } else if (J < M && (I == N || L[I][J + 1] >= L[I + 1][J])) {
      Runs.back().second.push_back(J++);
    } else {
      Runs.back().first.push_back(I++);
    }
  }
  if (Runs.back().first.empty() && Runs.back().second.empty())
    Runs.pop_back();
  return Runs;
}

/// Ordered values (arguments): "argument -O2 → -O3", "... added",
/// "... removed".
void orderedChanges(StringRef Kind, StringRef Word, ArrayRef<const Field *> A,
                    ArrayRef<const Field *> B, std::vector<Change> &Out) {
  for (auto &[Removed, Added] : sequenceDiff(A, B)) {
    size_t Both = std::min(Removed.size(), Added.size());
    for (size_t K = 0; K < Both; ++K) {
      StringRef From = A[Removed[K]]->Value, To = B[Added[K]]->Value;
      add(Out, Kind, Word + " " + From + " → " + To, From, To);
    }
    for (size_t K = Both; K < Removed.size(); ++K)
      add(Out, Kind, Word + " " + A[Removed[K]]->Value + " removed",
          A[Removed[K]]->Value);
    for (size_t K = Both; K < Added.size(); ++K)
      add(Out, Kind, Word + " " + B[Added[K]]->Value + " added", "",
          B[Added[K]]->Value);
  }
}

/// The values of \p A and \p B that the other does not have (as
/// multisets), each with the name \p NameOf gives it, by name.
template <typename NameFn>
void unmatched(ArrayRef<const Field *> A, ArrayRef<const Field *> B,
               NameFn NameOf, std::map<std::string, const Field *> &OnlyA,
               std::map<std::string, const Field *> &OnlyB,
               std::vector<std::string> &Order) {
  std::multiset<std::string> InA, InB;
  for (const Field *F : A)
    InA.insert(F->Value);
  for (const Field *F : B)
    InB.insert(F->Value);
  auto Keep = [&](ArrayRef<const Field *> Side,
                  std::multiset<std::string> &Other,
                  std::map<std::string, const Field *> &Only) {
    for (const Field *F : Side) {
      auto It = Other.find(F->Value);
      if (It != Other.end()) {
        Other.erase(It);
        continue;
      }
      std::string Name = NameOf(*F);
      if (Only.emplace(Name, F).second && !is_contained(Order, Name))
        Order.push_back(Name);
    }
  };
  std::multiset<std::string> InBCopy = InB;
  Keep(B, InA, OnlyB);
  Keep(A, InBCopy, OnlyA);
}

std::string beforeEquals(const Field &F) {
  return StringRef(F.Value).split('=').first.str();
}

/// Values named before their '=' (launchers, libraries, files read).
void namedChanges(StringRef Kind, StringRef Word, ArrayRef<const Field *> A,
                  ArrayRef<const Field *> B, std::vector<Change> &Out) {
  std::map<std::string, const Field *> OnlyA, OnlyB;
  std::vector<std::string> Order;
  unmatched(A, B, beforeEquals, OnlyA, OnlyB, Order);
  for (const std::string &Name : Order) {
    bool InA = OnlyA.count(Name), InB = OnlyB.count(Name);
    add(Out, Kind,
        Word + " " + Name +
            (InA && InB ? " changed"
             : InB      ? " added"
                        : " removed"));
  }
}

void environmentChanges(ArrayRef<const Field *> A, ArrayRef<const Field *> B,
                        std::vector<Change> &Out) {
  std::map<std::string, const Field *> OnlyA, OnlyB;
  std::vector<std::string> Order;
  unmatched(A, B, beforeEquals, OnlyA, OnlyB, Order);
  auto ValueOf = [](const std::map<std::string, const Field *> &Only,
                    const std::string &Name) {
    auto It = Only.find(Name);
    return It == Only.end()
               ? std::string()
               : StringRef(It->second->Value).split('=').second.str();
  };
  for (const std::string &Name : Order) {
    std::string From = ValueOf(OnlyA, Name), To = ValueOf(OnlyB, Name);
    std::string Text = "environment variable " + Name;
    if (OnlyA.count(Name) && OnlyB.count(Name))
      Text += " changed ('" + From + "' → '" + To + "')";
    else if (OnlyB.count(Name))
      Text += " set ('" + To + "')";
    else
      Text += " unset (was '" + From + "')";
    add(Out, "environment", Text, From, To);
  }
}

/// Files known by their digest (referenced files, common inputs): by the
/// file's name where the record has it, else by the option naming it.
void fileChanges(ArrayRef<const Field *> A, ArrayRef<const Field *> B,
                 std::vector<Change> &Out) {
  std::map<std::string, const Field *> OnlyA, OnlyB;
  std::vector<std::string> Order;
  auto NameOf = [](const Field &F) {
    return F.File.empty() ? "the file of " + beforeEquals(F) : "file " + F.File;
  };
  unmatched(A, B, NameOf, OnlyA, OnlyB, Order);
  for (const std::string &Name : Order) {
    bool InA = OnlyA.count(Name), InB = OnlyB.count(Name);
    add(Out, "file",
        Name + (InA && InB ? " changed"
                : InB      ? " added"
                           : " removed"));
  }
}

void hostCPUChanges(ArrayRef<const Field *> A, ArrayRef<const Field *> B,
                    std::vector<Change> &Out) {
  auto CPU = [](ArrayRef<const Field *> S) {
    return S.empty() ? std::string("none")
                     : StringRef(S.front()->Value).split(',').first.str();
  };
  std::string From = CPU(A), To = CPU(B);
  if (From != To)
    add(Out, "host-cpu", "host CPU changed (" + From + " → " + To + ")", From,
        To);
  else
    add(Out, "host-cpu", "host CPU features changed (" + To + ")");
}

/// Every difference between two lists of key fields, by field.
void fieldChanges(ArrayRef<Field> A, ArrayRef<Field> B,
                  std::vector<Change> &Out) {
  size_t First = Out.size();
  std::vector<std::string> Names;
  std::map<std::string,
           std::pair<std::vector<const Field *>, std::vector<const Field *>>>
      ByName;
  for (const Field &F : B) {
    if (!ByName.count(F.Name))
      Names.push_back(F.Name);
    ByName[F.Name].second.push_back(&F);
  }
  for (const Field &F : A) {
    if (!ByName.count(F.Name))
      Names.push_back(F.Name);
    ByName[F.Name].first.push_back(&F);
  }
  for (const std::string &Name : Names) {
    auto &[InA, InB] = ByName[Name];
    auto Values = [](ArrayRef<const Field *> S) {
      std::vector<std::string> V;
      for (const Field *F : S)
        V.push_back(F->Value);
      return V;
    };
    if (Values(InA) == Values(InB))
      continue;
    if (Name == "compiler-arg")
      orderedChanges("argument", "argument", InA, InB, Out);
    else if (Name == "config-arg")
      orderedChanges("config-arg", "configuration option", InA, InB, Out);
    else if (Name == "launcher")
      namedChanges(Name, "launcher", InA, InB, Out);
    else if (Name == "compiler-library")
      namedChanges(Name, "compiler library", InA, InB, Out);
    else if (Name == "config-file")
      namedChanges(Name, "configuration file", InA, InB, Out);
    else if (Name == "response-file")
      namedChanges(Name, "response file", InA, InB, Out);
    else if (Name == "environment")
      environmentChanges(InA, InB, Out);
    else if (Name == "referenced-file" || Name == "common-input")
      fileChanges(InA, InB, Out);
    else if (Name == "host-cpu")
      hostCPUChanges(InA, InB, Out);
    else
      orderedChanges(Name, Name, InA, InB, Out);
  }
  // A file named by an argument is often a common input too (lld's sample
  // profile): one change.
  std::set<std::string> Said;
  Out.erase(std::remove_if(
                Out.begin() + First, Out.end(),
                [&](const Change &C) { return !Said.insert(C.Text).second; }),
            Out.end());
}

/// "22.1.8" from "Debian clang version 22.1.8 (1~deb12u1)\n...".
std::string versionNumber(StringRef VersionText) {
  StringRef Line = VersionText.split('\n').first;
  size_t At = Line.find("version ");
  if (At == StringRef::npos)
    return "";
  return Line.substr(At + 8).split(' ').first.str();
}

void compilerChanges(const LinkRecord &A, const LinkRecord &B,
                     std::vector<Change> &Out) {
  if (A.CompilerExecutable == B.CompilerExecutable &&
      A.CompilerVersion == B.CompilerVersion)
    return;
  std::string From = versionNumber(A.CompilerVersion),
              To = versionNumber(B.CompilerVersion);
  if (From.empty() || To.empty() || From == To) {
    From = StringRef(A.CompilerVersion).split('\n').first.str();
    To = StringRef(B.CompilerVersion).split('\n').first.str();
  }
  if (From != To)
    add(Out, "compiler", "compiler changed (" + From + " → " + To + ")", From,
        To);
  else if (A.CompilerVersion != B.CompilerVersion)
    add(Out, "compiler",
        "compiler changed (version " + versionNumber(B.CompilerVersion) +
            " both times, other version text)");
  else
    add(Out, "compiler",
        "compiler changed (another executable, version " +
            versionNumber(B.CompilerVersion) + " both times)");
}

//===----------------------------------------------------------------------===//
// A job's own inputs
//===----------------------------------------------------------------------===//

/// A recipe's fields as "name" → "values", values blank-separated.
std::vector<std::pair<std::string, std::string>> recipeFields(StringRef Text) {
  std::vector<std::pair<std::string, std::string>> Out;
  SmallVector<StringRef, 20> Lines;
  Text.split(Lines, '\n', -1, /*KeepEmpty=*/false);
  for (StringRef Line : Lines) {
    auto [Name, Values] = Line.split('=');
    std::string V = Values.str();
    std::replace(V.begin(), V.end(), '\x1f', ' ');
    Out.push_back({Name.str(), V.empty() ? "none" : V});
  }
  return Out;
}

/// "opt-level 2 → 3" for each recipe field that differs.
std::vector<std::string> recipeChanges(const LinkRecord &A, const Job &JA,
                                       const LinkRecord &B, const Job &JB) {
  std::vector<std::string> Out;
  if (JA.Recipe < 0 || JB.Recipe < 0) {
    if (JA.Recipe != JB.Recipe)
      Out.push_back(JB.Recipe < 0 ? "no recipe now (compiled without "
                                    "LTOCacheClang.so)"
                                  : "a recipe now (compiled with "
                                    "LTOCacheClang.so)");
    return Out;
  }
  auto FA = recipeFields(A.Recipes[JA.Recipe]);
  auto FB = recipeFields(B.Recipes[JB.Recipe]);
  std::map<std::string, std::string> InA(FA.begin(), FA.end());
  std::set<std::string> Seen;
  for (auto &[Name, To] : FB) {
    Seen.insert(Name);
    auto It = InA.find(Name);
    std::string From = It == InA.end() ? "none" : It->second;
    if (From != To)
      Out.push_back(Name + " " + From + " → " + To);
  }
  for (auto &[Name, From] : FA)
    if (!Seen.count(Name))
      Out.push_back(Name + " " + From + " → none");
  return Out;
}

struct PartView {
  std::string Digest;
  std::map<std::string, std::string> Definitions; ///< Name → key.
};

std::map<std::string, std::vector<PartView>>
partsBySource(const LinkRecord &R, const Job &J,
              std::vector<std::string> &Order) {
  std::map<std::string, std::vector<PartView>> Out;
  for (const LinkRecord::Part &P : J.Parts) {
    if (!Out.count(P.Source) && !is_contained(Order, P.Source))
      Order.push_back(P.Source);
    PartView V{P.Digest, {}};
    for (unsigned D : P.Definitions)
      V.Definitions[R.Definitions[D].Name] = R.Definitions[D].Key;
    Out[P.Source].push_back(std::move(V));
  }
  return Out;
}

std::vector<std::string> keysOf(const std::map<std::string, std::string> &M) {
  std::vector<std::string> Out;
  for (auto &[K, V] : M)
    Out.push_back(K);
  return Out;
}

/// Definitions by their readable names, each once (overloads share one).
std::string definitionList(const std::vector<std::string> &Names) {
  std::set<std::string> Readable;
  for (const std::string &N : Names)
    Readable.insert(readableName(N));
  return nameList({Readable.begin(), Readable.end()});
}

void importChanges(const LinkRecord &A, const Job &JA, const LinkRecord &B,
                   const Job &JB, std::vector<Change> &Out) {
  std::vector<std::string> Order;
  auto InB = partsBySource(B, JB, Order);
  auto InA = partsBySource(A, JA, Order);
  for (const std::string &Source : Order) {
    const std::vector<PartView> &PA = InA[Source], &PB = InB[Source];
    size_t Both = std::min(PA.size(), PB.size());
    for (size_t K = 0; K < Both; ++K) {
      if (PA[K].Digest == PB[K].Digest)
        continue;
      std::vector<std::string> Changed, Added, Removed;
      for (auto &[Name, Key] : PB[K].Definitions) {
        auto It = PA[K].Definitions.find(Name);
        if (It == PA[K].Definitions.end())
          Added.push_back(Name);
        else if (It->second != Key)
          Changed.push_back(Name);
      }
      for (auto &[Name, Key] : PA[K].Definitions)
        if (!PB[K].Definitions.count(Name))
          Removed.push_back(Name);
      if (!Changed.empty())
        add(Out, "imports",
            "imports changed: " + definitionList(Changed) + " from " + Source);
      if (!Added.empty())
        add(Out, "imports",
            "imports changed: now also " + definitionList(Added) + " from " +
                Source);
      if (!Removed.empty())
        add(Out, "imports",
            "imports changed: no longer " + definitionList(Removed) + " from " +
                Source);
      if (Changed.empty() && Added.empty() && Removed.empty())
        add(Out, "imports",
            "imports changed: what every importer takes from " + Source +
                " changed (its module flags, named metadata, data layout or "
                "inline assembly)");
    }
    for (size_t K = Both; K < PB.size(); ++K)
      add(Out, "imports",
          "imports changed: now " + definitionList(keysOf(PB[K].Definitions)) +
              " from " + Source);
    for (size_t K = Both; K < PA.size(); ++K)
      add(Out, "imports", "imports changed: nothing from " + Source + " now");
  }
}

/// Modules imported whole, named by the jobs of their link whose module
/// has the same digest.
void wholeImportChanges(const Job &JA,
                        const std::map<std::string, std::string> &NamesA,
                        const Job &JB,
                        const std::map<std::string, std::string> &NamesB,
                        std::vector<Change> &Out) {
  // Each side's digests the other does not have (as multisets).
  auto NotIn = [](const std::vector<std::string> &X,
                  const std::vector<std::string> &Y) {
    std::multiset<std::string> Rest(Y.begin(), Y.end());
    std::vector<std::string> Out;
    for (const std::string &D : X) {
      auto It = Rest.find(D);
      if (It != Rest.end())
        Rest.erase(It);
      else
        Out.push_back(D);
    }
    return Out;
  };
  std::vector<std::string> OnlyA = NotIn(JA.Whole, JB.Whole),
                           OnlyB = NotIn(JB.Whole, JA.Whole);
  auto Named = [](const std::vector<std::string> &Digests,
                  const std::map<std::string, std::string> &Names,
                  bool &Unknown) {
    std::set<std::string> Out;
    for (const std::string &D : Digests) {
      auto It = Names.find(D);
      if (It == Names.end())
        Unknown = true;
      else
        Out.insert(It->second);
    }
    return Out;
  };
  bool Unknown = false;
  std::set<std::string> FromA = Named(OnlyA, NamesA, Unknown);
  std::set<std::string> FromB = Named(OnlyB, NamesB, Unknown);
  for (const std::string &Name : FromB)
    add(Out, "imported-module",
        FromA.count(Name) ? "imported module " + Name + " changed"
                          : "imports changed: now the whole module " + Name);
  for (const std::string &Name : FromA)
    if (!FromB.count(Name))
      add(Out, "imported-module",
          "imports changed: no longer the whole module " + Name);
  if (Unknown)
    add(Out, "imported-module",
        "an imported module changed (not one of the link's jobs)");
}

void carriedChanges(const Job &JA, const Job &JB, std::vector<Change> &Out) {
  auto BySource = [](const Job &J) {
    std::map<std::string, std::string> M;
    for (const std::string &C : J.Carried) {
      auto [Source, Suffix] = StringRef(C).rsplit(' ');
      M[Source.str()] = Suffix.str();
    }
    return M;
  };
  auto CA = BySource(JA), CB = BySource(JB);
  for (auto &[Source, Suffix] : CB) {
    auto It = CA.find(Source);
    if (It == CA.end())
      add(Out, "carried-hash",
          "this object names a local symbol of module " + Source +
              " now, whose promoted name carries that module's hash",
          "", Suffix);
    else if (It->second != Suffix)
      add(Out, "carried-hash",
          "module " + Source +
              " changed: this object names one of its local symbols, whose "
              "promoted name carries that module's hash",
          It->second, Suffix);
  }
  for (auto &[Source, Suffix] : CA)
    if (!CB.count(Source))
      add(Out, "carried-hash",
          "this object names no local symbol of module " + Source +
              " now (whose promoted names carry that module's hash)",
          Suffix);
}

/// Why \p JB (of \p B) has another key than \p JA (of \p A).
void jobChanges(const LinkRecord &A, const Job &JA,
                const std::map<std::string, std::string> &NamesA,
                const LinkRecord &B, const Job &JB,
                const std::map<std::string, std::string> &NamesB,
                StringRef Name, std::vector<Change> &Out) {
  fieldChanges(JA.Fields, JB.Fields, Out);
  size_t Before = Out.size();
  std::vector<std::string> Settings = recipeChanges(A, JA, B, JB);
  std::string Module = JB.Source.empty() ? Name.str() : JB.Source;
  if (JA.ModuleDigest != JB.ModuleDigest)
    add(Out, "module",
        "module " + Module + " changed" +
            (Settings.empty() ? ""
                              : " (compiled with other settings: " +
                                    join(Settings, ", ") + ")"));
  else if (!Settings.empty())
    add(Out, "module",
        "module " + Module + "'s recipe changed (" + join(Settings, ", ") +
            ")");
  importChanges(A, JA, B, JB, Out);
  wholeImportChanges(JA, NamesA, JB, NamesB, Out);
  // The shard names the module and every part by content: it changes with
  // them. Alone, it is the thin link's decisions that changed.
  if (Out.size() == Before && JA.Shard != JB.Shard)
    add(Out, "thin-link",
        "what the thin link decided for this module changed (imports, "
        "internalization, attributes)");
  if (JA.Base == JB.Base)
    carriedChanges(JA, JB, Out);
}

//===----------------------------------------------------------------------===//
// Matching jobs across links
//===----------------------------------------------------------------------===//

/// Each job's name: its source file, else its module; with the module
/// where another job of the link has the same.
std::vector<std::string> jobNames(const LinkRecord &R) {
  StringMap<unsigned> Count;
  auto Base = [](const Job &J) {
    return J.Source.empty() ? J.Module : J.Source;
  };
  for (const Job &J : R.Jobs)
    ++Count[Base(J)];
  std::vector<std::string> Out;
  for (const Job &J : R.Jobs)
    Out.push_back(Count[Base(J)] > 1 && !J.Source.empty()
                      ? J.Source + " (" + J.Module + ")"
                      : Base(J));
  return Out;
}

/// For each job of \p B, the index of the same job in \p A, or -1: the same
/// source file and module first, then the same source file or the same
/// module where only one job of each link has it.
std::vector<int> matchJobs(const LinkRecord &A, const LinkRecord &B) {
  std::vector<int> Match(B.Jobs.size(), -1);
  std::vector<char> Used(A.Jobs.size(), 0);
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> Exact;
  for (size_t I = 0; I < A.Jobs.size(); ++I)
    Exact[{A.Jobs[I].Source, A.Jobs[I].Module}].push_back(I);
  for (size_t J = 0; J < B.Jobs.size(); ++J) {
    auto It = Exact.find({B.Jobs[J].Source, B.Jobs[J].Module});
    if (It == Exact.end())
      continue;
    for (size_t I : It->second)
      if (!Used[I]) {
        Used[I] = true;
        Match[J] = I;
        break;
      }
  }
  for (auto Key : {&Job::Source, &Job::Module}) {
    std::map<std::string, std::vector<size_t>> FreeA, FreeB;
    for (size_t I = 0; I < A.Jobs.size(); ++I)
      if (!Used[I] && !(A.Jobs[I].*Key).empty())
        FreeA[A.Jobs[I].*Key].push_back(I);
    for (size_t J = 0; J < B.Jobs.size(); ++J)
      if (Match[J] < 0 && !(B.Jobs[J].*Key).empty())
        FreeB[B.Jobs[J].*Key].push_back(J);
    for (auto &[Value, Js] : FreeB) {
      auto It = FreeA.find(Value);
      if (Js.size() != 1 || It == FreeA.end() || It->second.size() != 1)
        continue;
      Used[It->second[0]] = true;
      Match[Js[0]] = It->second[0];
    }
  }
  return Match;
}

} // namespace

LinkCounts countJobs(const LinkRecord &R) {
  LinkCounts C;
  for (const Job &J : R.Jobs) {
    ++C.Jobs;
    switch (J.What) {
    case LinkRecord::Outcome::Hit:
      ++C.Hits;
      break;
    case LinkRecord::Outcome::RemoteHit:
      ++C.FromRemote;
      ++C.Misses;
      break;
    case LinkRecord::Outcome::Miss:
      ++C.Misses;
      break;
    case LinkRecord::Outcome::Uncached:
      ++C.Uncached;
      break;
    }
  }
  return C;
}

Explanation explainLinks(const LinkRecord &A, const LinkRecord &B) {
  Explanation E;
  E.BeforeId = A.Id;
  E.BeforeOutput = A.Output;
  E.AfterId = B.Id;
  E.AfterOutput = B.Output;
  E.Before = countJobs(A);
  E.After = countJobs(B);
  if (A.KeyRecipe != B.KeyRecipe)
    add(E.ForEveryJob, "key-recipe",
        "ltocache keys jobs another way (key recipe " + A.KeyRecipe + " → " +
            B.KeyRecipe + ")",
        A.KeyRecipe, B.KeyRecipe);
  compilerChanges(A, B, E.ForEveryJob);
  fieldChanges(A.LinkFields, B.LinkFields, E.ForEveryJob);

  std::vector<std::string> NamesOfA = jobNames(A), NamesOfB = jobNames(B);
  auto ByDigest = [](const LinkRecord &R, const std::vector<std::string> &N) {
    std::map<std::string, std::string> M;
    for (size_t I = 0; I < R.Jobs.size(); ++I)
      if (R.Jobs[I].keyed())
        M.emplace(R.Jobs[I].ModuleDigest, N[I]);
    return M;
  };
  std::map<std::string, std::string> DigestsA = ByDigest(A, NamesOfA),
                                     DigestsB = ByDigest(B, NamesOfB);
  std::vector<int> Match = matchJobs(A, B);
  std::vector<char> Matched(A.Jobs.size(), 0);
  for (size_t J = 0; J < B.Jobs.size(); ++J) {
    const Job &JB = B.Jobs[J];
    JobExplanation X;
    X.Name = NamesOfB[J];
    X.Module = JB.Module;
    X.Source = JB.Source;
    X.What = JB.What;
    if (Match[J] >= 0)
      Matched[Match[J]] = true;
    if (X.missed()) {
      const Job *JA = Match[J] >= 0 ? &A.Jobs[Match[J]] : nullptr;
      if (!JB.keyed())
        add(X.Changes, "not-keyed",
            "not keyed in this link: compiled uncached (the link warned why)");
      else if (!JA)
        add(X.Changes, "new-job", "new job: not in the earlier link");
      else if (!JA->keyed())
        add(X.Changes, "not-keyed",
            "not keyed in the earlier link (compiled uncached), so not "
            "stored");
      else if (JA->Key == JB.Key)
        add(X.Changes, "entry-gone",
            JA->Bypassed
                ? "same key as in the earlier link, which could not store "
                  "its object"
                : "same key as in the earlier link: its entry was no longer "
                  "in the local cache (pruned, cleared or found corrupt)");
      else {
        jobChanges(A, *JA, DigestsA, B, JB, DigestsB, X.Name, X.Changes);
        X.SharedChanges = !E.ForEveryJob.empty();
        if (X.Changes.empty() && !X.SharedChanges)
          add(X.Changes, "unexplained",
              "its key changed, but none of the fields recorded did");
      }
    }
    E.Jobs.push_back(std::move(X));
  }
  llvm::sort(E.Jobs, [](const JobExplanation &X, const JobExplanation &Y) {
    return std::tie(X.Name, X.Module) < std::tie(Y.Name, Y.Module);
  });
  for (size_t I = 0; I < A.Jobs.size(); ++I)
    if (!Matched[I])
      E.Gone.push_back(NamesOfA[I]);
  llvm::sort(E.Gone);
  return E;
}

//===----------------------------------------------------------------------===//
// Output
//===----------------------------------------------------------------------===//

static std::string counted(unsigned N, StringRef One, StringRef Many) {
  return std::to_string(N) + " " + (N == 1 ? One : Many).str();
}

static std::string countsText(const LinkCounts &C) {
  std::string Out = counted(C.Jobs, "job", "jobs") + ", " +
                    counted(C.Hits, "hit", "hits") + ", " +
                    counted(C.Misses, "miss", "misses");
  if (C.FromRemote)
    Out += " (" + std::to_string(C.FromRemote) + " from the remote)";
  if (C.Uncached)
    Out += ", " + std::to_string(C.Uncached) + " uncached";
  return Out;
}

static StringRef outcomeText(LinkRecord::Outcome O) {
  switch (O) {
  case LinkRecord::Outcome::RemoteHit:
    return "miss (the remote had it)";
  default:
    return outcomeName(O);
  }
}

std::string explanationText(const Explanation &E) {
  std::string Out;
  raw_string_ostream OS(Out);
  auto Link = [&](StringRef Label, StringRef Id, StringRef Output,
                  const LinkCounts &C) {
    OS << Label << Id << " of " << Output << ": " << countsText(C) << "\n";
  };
  Link("before: link ", E.BeforeId, E.BeforeOutput, E.Before);
  Link("after:  link ", E.AfterId, E.AfterOutput, E.After);
  // Jobs that missed through the shared changes alone are named once.
  auto SharedOnly = [](const JobExplanation &J) {
    return J.missed() && J.SharedChanges && J.Changes.empty();
  };
  if (!E.ForEveryJob.empty()) {
    OS << "changed for every job:\n";
    for (const Change &C : E.ForEveryJob)
      OS << "  " << C.Text << "\n";
    std::vector<std::string> Names;
    for (const JobExplanation &J : E.Jobs)
      if (SharedOnly(J))
        Names.push_back(J.Name);
    if (!Names.empty())
      OS << counted(Names.size(), "miss", "misses")
         << " through these changes alone: " << nameList(Names) << "\n";
  }
  for (const JobExplanation &J : E.Jobs) {
    if (!J.missed() || SharedOnly(J))
      continue;
    OS << J.Name;
    if (J.Name != J.Module && !StringRef(J.Name).ends_with(")"))
      OS << " (" << J.Module << ")";
    OS << ": " << outcomeText(J.What) << "\n";
    for (const Change &C : J.Changes)
      OS << "  " << C.Text << "\n";
    if (J.SharedChanges)
      OS << "  and the changes for every job (above)\n";
  }
  if (!E.Gone.empty())
    OS << "not in this link: " << join(E.Gone, ", ") << "\n";
  return Out;
}

static json::Object countsJSON(StringRef Id, StringRef Output,
                               const LinkCounts &C) {
  return json::Object{{"id", Id},
                      {"output", Output},
                      {"jobs", C.Jobs},
                      {"hits", C.Hits},
                      {"misses", C.Misses},
                      {"from_remote", C.FromRemote},
                      {"uncached", C.Uncached}};
}

static json::Array changesJSON(ArrayRef<Change> Changes) {
  json::Array Out;
  for (const Change &C : Changes) {
    json::Object O{{"kind", C.Kind}, {"text", C.Text}};
    if (!C.From.empty())
      O["from"] = C.From;
    if (!C.To.empty())
      O["to"] = C.To;
    Out.push_back(std::move(O));
  }
  return Out;
}

json::Value explanationJSON(const Explanation &E) {
  json::Array Jobs;
  for (const JobExplanation &J : E.Jobs) {
    json::Object O{{"name", J.Name},
                   {"module", J.Module},
                   {"outcome", outcomeName(J.What)}};
    if (!J.Source.empty())
      O["source"] = J.Source;
    if (J.missed()) {
      O["changes"] = changesJSON(J.Changes);
      O["changed_for_every_job"] = J.SharedChanges;
    }
    Jobs.push_back(std::move(O));
  }
  json::Array Gone;
  for (const std::string &G : E.Gone)
    Gone.push_back(G);
  return json::Object{
      {"before", countsJSON(E.BeforeId, E.BeforeOutput, E.Before)},
      {"after", countsJSON(E.AfterId, E.AfterOutput, E.After)},
      {"changed_for_every_job", changesJSON(E.ForEveryJob)},
      {"jobs", std::move(Jobs)},
      {"gone", std::move(Gone)}};
}

} // namespace ltocache
