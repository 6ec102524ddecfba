//===- LinkRecord.cpp - What one link keyed, for ltocache explain ---------===//

#include "Link/LinkRecord.h"
#include "Key/ToolchainIdentity.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstdio>
#include <tuple>

using namespace llvm;

namespace ltocache {

/// Digests are kept to 64 bits: they tell two values apart, nothing more.
constexpr size_t DigestChars = 16;

/// \p S split at its last \p C. (StringRef::rsplit(char) compares a
/// one-character string at every position: slow on a long key.)
static std::pair<StringRef, StringRef> splitLast(StringRef S, char C) {
  size_t At = S.rfind(C);
  if (At == StringRef::npos)
    return {S, ""};
  return {S.take_front(At), S.drop_front(At + 1)};
}

StringRef outcomeName(LinkRecord::Outcome O) {
  switch (O) {
  case LinkRecord::Outcome::Hit:
    return "hit";
  case LinkRecord::Outcome::RemoteHit:
    return "remote hit";
  case LinkRecord::Outcome::Miss:
    return "miss";
  case LinkRecord::Outcome::Uncached:
    return "uncached";
  }
  return "uncached";
}

static std::optional<LinkRecord::Outcome> outcomeNamed(StringRef Name) {
  for (auto O : {LinkRecord::Outcome::Hit, LinkRecord::Outcome::RemoteHit,
                 LinkRecord::Outcome::Miss, LinkRecord::Outcome::Uncached})
    if (outcomeName(O) == Name)
      return O;
  return std::nullopt;
}

std::string stableModuleName(StringRef Module) {
  // "<archive>(<member> at <offset>).<n>.<pid hex>.o" (lld's DTLTO).
  if (!Module.ends_with(").o") && Module.ends_with(".o")) {
    StringRef Rest = Module.drop_back(2);
    auto [Head, Pid] = splitLast(Rest, '.');
    auto [Head2, Task] = splitLast(Head, '.');
    size_t At = Head2.rfind(" at "); // Once per job: a short name.
    if (!Pid.empty() && all_of(Pid, isHexDigit) && !Task.empty() &&
        all_of(Task, isDigit) && Head2.ends_with(")") &&
        At != StringRef::npos &&
        all_of(Head2.slice(At + 4, Head2.size() - 1), isDigit))
      return (Head2.take_front(At) + ")").str();
  }
  return Module.str();
}

/// The proleptic Gregorian date \p Days after 1970-01-01 (the days-to-civil
/// conversion on 400-year eras). Not gmtime/strftime: glibc reads the time
/// zone's file for them, a few syscalls on every link.
static std::tuple<int, unsigned, unsigned> civilDate(int64_t Days) {
  Days += 719468; // From 0000-03-01.
  int64_t Era = (Days >= 0 ? Days : Days - 146096) / 146097;
  unsigned DayOfEra = static_cast<unsigned>(Days - Era * 146097);
  unsigned YearOfEra =
      (DayOfEra - DayOfEra / 1460 + DayOfEra / 36524 - DayOfEra / 146096) / 365;
  unsigned DayOfYear =
      DayOfEra - (365 * YearOfEra + YearOfEra / 4 - YearOfEra / 100);
  unsigned MonthFromMarch = (5 * DayOfYear + 2) / 153;
  unsigned Day = DayOfYear - (153 * MonthFromMarch + 2) / 5 + 1;
  unsigned Month =
      MonthFromMarch < 10 ? MonthFromMarch + 3 : MonthFromMarch - 9;
  int Year = static_cast<int>(YearOfEra + Era * 400) + (Month <= 2);
  return {Year, Month, Day};
}

//===----------------------------------------------------------------------===//
// The JSON form
//===----------------------------------------------------------------------===//

namespace {
/// Writes the record's JSON straight to text: a big link's record holds
/// tens of thousands of strings, and json::Value copies and checks each.
class Writer {
public:
  explicit Writer(raw_ostream &OS) : OS(OS) {}

  void string(StringRef S) {
    if (!isASCII(S) && !json::isUTF8(S)) {
      OS << json::Value(json::fixUTF8(S)); // Quoted and escaped.
      return;
    }
    OS << '"';
    size_t Start = 0;
    for (size_t I = 0; I < S.size(); ++I) {
      unsigned char C = S[I];
      if (C >= 0x20 && C != '"' && C != '\\')
        continue;
      OS << S.slice(Start, I);
      if (C == '"' || C == '\\')
        OS << '\\' << C;
      else if (C == '\n')
        OS << "\\n";
      else
        OS << format("\\u%04x", C);
      Start = I + 1;
    }
    OS << S.substr(Start) << '"';
  }
  /// [<name>, <value>(, <file>)]
  void field(StringRef Name, StringRef Value, StringRef File) {
    OS << '[';
    string(Name);
    OS << ',';
    string(Value);
    if (!File.empty()) {
      OS << ',';
      string(File);
    }
    OS << ']';
  }

  raw_ostream &OS;
};
} // namespace

static void hex16(raw_ostream &OS, const Digest &D) {
  static constexpr char Hex[] = "0123456789abcdef";
  char Out[DigestChars];
  for (size_t I = 0; I < DigestChars / 2; ++I) {
    Out[2 * I] = Hex[D[I] >> 4];
    Out[2 * I + 1] = Hex[D[I] & 15];
  }
  OS << '"' << StringRef(Out, DigestChars) << '"';
}

/// A trace's digest ("blake3:<hex>" or "<hex>"), cut.
static StringRef shortDigest(StringRef Value) {
  Value.consume_front("blake3:");
  return Value.take_front(DigestChars);
}

LinkRecordWriter::LinkRecordWriter(StringRef Output, const LinkKeyBasis &Basis,
                                   size_t Jobs)
    : OS(R.Text) {
  R.Text.reserve(1024 + Jobs * 512); // What a job usually takes, or more.
  // Buffered: the record is written a few bytes at a time.
  OS.SetBufferSize(64 << 10);
  R.Output = Output.str();
  int64_t Micros = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  // "20261201T232112.123456-4242": names sort as the links ran.
  int64_t Seconds = Micros / 1000000;
  auto [Year, Month, Day] = civilDate(Seconds / 86400);
  int64_t Second = Seconds % 86400;
  char Id[64];
  std::snprintf(
      Id, sizeof(Id), "%04d%02u%02uT%02d%02d%02d.%06lld-%d", Year, Month, Day,
      static_cast<int>(Second / 3600), static_cast<int>(Second / 60 % 60),
      static_cast<int>(Second % 60), static_cast<long long>(Micros % 1000000),
      static_cast<int>(sys::Process::getProcessId()));
  R.Id = Id;

  Writer W(OS);
  OS << "{\"format\":" << LinkRecordFormat << ",\"id\":";
  W.string(R.Id);
  OS << ",\"output\":";
  W.string(R.Output);
  OS << ",\"time_us\":" << Micros << ",\"key_recipe\":\"" << JobKeyRecipeName
     << '/' << JobKeyRecipeVersion << "\",\"compiler\":{\"executable\":";
  StringRef Identity = Basis.CompilerIdentity;
  W.string(shortDigest(Identity.split('\n').first));
  OS << ",\"version\":";
  W.string(compilerVersionText(Identity).rtrim());
  OS << "},\"link_fields\":[";
  for (size_t I = 0; I < Basis.Fields.size(); ++I) {
    auto Name = Basis.FileNames.find(I);
    OS << (I ? "," : "");
    W.field(keyFieldName(Basis.Fields[I].first), Basis.Fields[I].second,
            Name == Basis.FileNames.end() ? "" : Name->second);
  }
  OS << "],\"jobs\":[";
}

unsigned LinkRecordWriter::definition(StringRef Value, size_t SourceSize) {
  // The trace's value names the definition whole: one lookup, no copy.
  auto [It, New] = Definitions.try_emplace(
      Value, std::pair<unsigned, unsigned>(DefinitionOrder.size(), SourceSize));
  if (New)
    DefinitionOrder.push_back(It->first());
  return It->second.first;
}

int LinkRecordWriter::recipe(StringRef Text, StringRef &Source) {
  if (Text == "<none>")
    return -1;
  // The source line is the module's own; the rest is usually the same for
  // every module of a link (and for the job before), and kept once.
  StringRef Before = Text, After;
  size_t Begin = Text.starts_with("source=") ? 0 : Text.find("\nsource=");
  if (Begin != StringRef::npos) {
    Begin += Begin ? 1 : 0;
    size_t End = std::min(Text.find('\n', Begin), Text.size());
    Source = Text.slice(Begin + 7, End);
    Before = Text.take_front(Begin);
    After = Text.drop_front(std::min(End + 1, Text.size()));
  }
  if (LastRecipe >= 0) {
    StringRef Last = RecipeOrder[LastRecipe];
    if (Last.size() == Before.size() + After.size() &&
        Last.starts_with(Before) && Last.ends_with(After))
      return LastRecipe;
  }
  Scratch.assign(Before.data(), Before.size());
  Scratch.append(After.data(), After.size());
  auto [It, New] = Recipes.try_emplace(Scratch, RecipeOrder.size());
  if (New)
    RecipeOrder.push_back(It->first());
  return LastRecipe = It->second;
}

void LinkRecordWriter::addJob(StringRef Module, const JobKey *Key,
                              const Digest &EntryKey,
                              ArrayRef<unsigned> Carried, const JobOutcome &O) {
  Writer W(OS);
  OS << (FirstJob ? "\n" : ",\n") << "{\"module\":";
  FirstJob = false;
  W.string(stableModuleName(Module));
  LinkRecord::Outcome What = LinkRecord::Outcome::Uncached;
  switch (O.What) {
  case JobOutcome::Hit:
    What = LinkRecord::Outcome::Hit;
    break;
  case JobOutcome::RemoteHit:
    What = LinkRecord::Outcome::RemoteHit;
    break;
  case JobOutcome::Miss:
    What = LinkRecord::Outcome::Miss;
    break;
  case JobOutcome::Uncached:
    break;
  }
  StringRef Source;
  int Recipe = Key ? recipe(Key->Recipe, Source) : -1;
  if (!Source.empty()) {
    OS << ",\"source\":";
    W.string(Source);
  }
  OS << ",\"outcome\":\"" << outcomeName(What) << '"';
  if (O.Bypassed)
    OS << ",\"bypassed\":true";
  if (!Key) {
    OS << '}';
    return;
  }
  OS << ",\"key\":";
  hex16(OS, EntryKey);
  OS << ",\"base\":";
  hex16(OS, Key->Base);
  OS << ",\"recipe\":" << Recipe;
  // The job's own fields, as finishJobKey adds them (docs/KEYS.md).
  StringRef Part; // The source of the part being written.
  bool FirstDefinition = true;
  bool InFields = false, InParts = false, InWhole = false;
  auto Close = [&] {
    if (InFields || InWhole)
      OS << ']';
    if (InParts)
      OS << "]]]";
    InFields = InParts = InWhole = false;
  };
  for (size_t I = Key->SharedFields; I < Key->Trace.size(); ++I) {
    const KeyFieldTrace &T = Key->Trace[I];
    StringRef V = T.Value;
    switch (T.Field) {
    case KeyField::Module:
      Close();
      OS << ",\"module_digest\":\"" << shortDigest(V) << '"';
      break;
    case KeyField::ModuleRecipe:
      break; // Key->Recipe, above.
    case KeyField::SummaryShard:
      Close();
      OS << ",\"shard\":\"" << shortDigest(V) << '"';
      break;
    case KeyField::ImportedPart: {
      // "<source> <digest>".
      auto [Source, Hex] = splitLast(V, ' ');
      if (InParts) {
        OS << "]],[";
      } else {
        Close();
        OS << ",\"parts\":[[";
        InParts = true;
      }
      W.string(Source);
      OS << ",\"" << shortDigest(Hex) << "\",[";
      Part = Source;
      FirstDefinition = true;
      break;
    }
    case KeyField::ImportedDefinition:
      // "<source> <name> <key>", after its part.
      if (InParts && V.size() > Part.size() && V.starts_with(Part) &&
          V[Part.size()] == ' ') {
        OS << (FirstDefinition ? "" : ",") << definition(V, Part.size());
        FirstDefinition = false;
      }
      break;
    case KeyField::ImportedModule:
      if (!InWhole) {
        Close();
        OS << ",\"whole\":[";
        InWhole = true;
      } else {
        OS << ',';
      }
      OS << '"' << shortDigest(V) << '"';
      break;
    default:
      if (!InFields) {
        Close();
        OS << ",\"fields\":[";
        InFields = true;
      } else {
        OS << ',';
      }
      W.field(keyFieldName(T.Field), V, "");
    }
  }
  Close();
  if (!Carried.empty()) {
    OS << ",\"carried\":[";
    for (size_t C = 0; C < Carried.size(); ++C) {
      const JobKey::Candidate &Cand = Key->Candidates[Carried[C]];
      OS << (C ? "," : "");
      W.string(Cand.Source + " " + Cand.HashSuffix);
    }
    OS << ']';
  }
  OS << '}';
}

LinkRecordText LinkRecordWriter::finish() {
  Writer W(OS);
  OS << "],\n\"recipes\":[";
  for (size_t I = 0; I < RecipeOrder.size(); ++I) {
    OS << (I ? "," : "");
    W.string(RecipeOrder[I]);
  }
  OS << "],\n\"definitions\":[";
  for (size_t I = 0; I < DefinitionOrder.size(); ++I) {
    StringRef V = DefinitionOrder[I];
    size_t SourceSize = Definitions.find(V)->second.second;
    auto [Name, Key] = splitLast(V.drop_front(SourceSize + 1), ' ');
    OS << (I ? ",\n[" : "\n[");
    W.string(V.take_front(SourceSize));
    OS << ',';
    W.string(Name);
    OS << ",\"" << shortDigest(Key) << "\"]";
  }
  OS << "]}\n";
  OS.flush();
  return std::move(R);
}

namespace {
/// Reads a parsed record, with errors that name the record and the field.
class Reader {
public:
  explicit Reader(StringRef Name) : Name(Name) {}

  Error error(const Twine &What) {
    return createStringError("link record %s: %s", Name.str().c_str(),
                             What.str().c_str());
  }
  Error string(const json::Object &O, StringRef Key, std::string &Out,
               bool Required = true) {
    const json::Value *V = O.get(Key);
    if (!V)
      return Required ? error("'" + Key + "' missing") : Error::success();
    std::optional<StringRef> S = V->getAsString();
    if (!S)
      return error("'" + Key + "' is not a string");
    Out = S->str();
    return Error::success();
  }
  /// O[Key] as an array; null if it is absent.
  Expected<const json::Array *> array(const json::Object &O, StringRef Key) {
    const json::Value *V = O.get(Key);
    if (!V)
      return nullptr;
    if (const json::Array *A = V->getAsArray())
      return A;
    return error("'" + Key + "' is not an array");
  }
  Error strings(const json::Object &O, StringRef Key,
                std::vector<std::string> &Out) {
    auto A = array(O, Key);
    if (!A || !*A)
      return A.takeError();
    for (const json::Value &E : **A) {
      std::optional<StringRef> S = E.getAsString();
      if (!S)
        return error("'" + Key + "' holds a value that is not a string");
      Out.push_back(S->str());
    }
    return Error::success();
  }
  Error fields(const json::Object &O, StringRef Key,
               std::vector<LinkRecord::Field> &Out) {
    auto A = array(O, Key);
    if (!A || !*A)
      return A.takeError();
    for (const json::Value &E : **A) {
      const json::Array *F = E.getAsArray();
      std::vector<std::string> S;
      if (F)
        for (const json::Value &X : *F)
          if (std::optional<StringRef> Str = X.getAsString())
            S.push_back(Str->str());
      if (!F || S.size() != F->size() || S.size() < 2 || S.size() > 3)
        return error("'" + Key + "' holds a field that is not [name, value]");
      Out.push_back({S[0], S[1], S.size() == 3 ? S[2] : ""});
    }
    return Error::success();
  }
  Error job(const json::Value &V, LinkRecord &R) {
    const json::Object *O = V.getAsObject();
    if (!O)
      return error("a job is not an object");
    LinkRecord::Job J;
    std::string Outcome;
    if (Error E = string(*O, "module", J.Module))
      return E;
    if (Error E = string(*O, "source", J.Source, /*Required=*/false))
      return E;
    if (Error E = string(*O, "outcome", Outcome))
      return E;
    std::optional<LinkRecord::Outcome> What = outcomeNamed(Outcome);
    if (!What)
      return error("unknown outcome '" + Outcome + "'");
    J.What = *What;
    J.Bypassed = O->getBoolean("bypassed").value_or(false);
    if (O->get("key")) {
      for (auto [Key, Out] :
           {std::pair{"key", &J.Key}, std::pair{"base", &J.Base},
            std::pair{"module_digest", &J.ModuleDigest},
            std::pair{"shard", &J.Shard}})
        if (Error E = string(*O, Key, *Out))
          return E;
      std::optional<int64_t> Recipe = O->getInteger("recipe");
      if (!Recipe || *Recipe < -1 || *Recipe >= int64_t(R.Recipes.size()))
        return error("job '" + J.Module + "': bad 'recipe'");
      J.Recipe = *Recipe;
    }
    if (Error E = fields(*O, "fields", J.Fields))
      return E;
    if (const json::Array *Parts = O->getArray("parts"))
      for (const json::Value &P : *Parts) {
        const json::Array *A = P.getAsArray();
        if (!A || A->size() != 3 || !(*A)[0].getAsString() ||
            !(*A)[1].getAsString() || !(*A)[2].getAsArray())
          return error("job '" + J.Module + "': bad part");
        LinkRecord::Part Part{
            (*A)[0].getAsString()->str(), (*A)[1].getAsString()->str(), {}};
        for (const json::Value &D : *(*A)[2].getAsArray()) {
          std::optional<int64_t> I = D.getAsInteger();
          if (!I || *I < 0 || *I >= int64_t(R.Definitions.size()))
            return error("job '" + J.Module + "': bad definition index");
          Part.Definitions.push_back(*I);
        }
        J.Parts.push_back(std::move(Part));
      }
    if (Error E = strings(*O, "whole", J.Whole))
      return E;
    if (Error E = strings(*O, "carried", J.Carried))
      return E;
    R.Jobs.push_back(std::move(J));
    return Error::success();
  }

private:
  StringRef Name;
};
} // namespace

Expected<LinkRecord> parseLinkRecord(StringRef Text, StringRef Name) {
  Reader Read(Name);
  Expected<json::Value> V = json::parse(Text);
  if (!V)
    return Read.error(toString(V.takeError()));
  const json::Object *O = V->getAsObject();
  if (!O)
    return Read.error("not a JSON object");
  std::optional<int64_t> Format = O->getInteger("format");
  if (Format != int64_t(LinkRecordFormat))
    return Read.error("format " + (Format ? Twine(*Format) : Twine("missing")) +
                      ", expected " + Twine(LinkRecordFormat) +
                      " (written by another release of ltocache?)");
  LinkRecord R;
  for (auto [Key, Out] :
       {std::pair{"id", &R.Id}, std::pair{"output", &R.Output},
        std::pair{"key_recipe", &R.KeyRecipe}})
    if (Error E = Read.string(*O, Key, *Out))
      return std::move(E);
  R.TimeMicros = O->getInteger("time_us").value_or(0);
  const json::Object *Compiler = O->getObject("compiler");
  if (!Compiler)
    return Read.error("'compiler' missing");
  if (Error E = Read.string(*Compiler, "executable", R.CompilerExecutable))
    return std::move(E);
  if (Error E = Read.string(*Compiler, "version", R.CompilerVersion))
    return std::move(E);
  if (Error E = Read.fields(*O, "link_fields", R.LinkFields))
    return std::move(E);
  if (Error E = Read.strings(*O, "recipes", R.Recipes))
    return std::move(E);
  if (const json::Array *Defs = O->getArray("definitions"))
    for (const json::Value &D : *Defs) {
      const json::Array *A = D.getAsArray();
      if (!A || A->size() != 3 || !(*A)[0].getAsString() ||
          !(*A)[1].getAsString() || !(*A)[2].getAsString())
        return Read.error("bad definition");
      R.Definitions.push_back({(*A)[0].getAsString()->str(),
                               (*A)[1].getAsString()->str(),
                               (*A)[2].getAsString()->str()});
    }
  const json::Array *Jobs = O->getArray("jobs");
  if (!Jobs)
    return Read.error("'jobs' missing");
  for (const json::Value &J : *Jobs)
    if (Error E = Read.job(J, R))
      return std::move(E);
  return R;
}

} // namespace ltocache
