//===- LinkRecord.cpp - What one link keyed, for ltocache explain ---------===//

#include "Link/LinkRecord.h"
#include "Key/ToolchainIdentity.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstdio>
#include <ctime>

using namespace llvm;

namespace ltocache {

/// Digests are kept to 64 bits: they tell two values apart, nothing more.
constexpr size_t DigestChars = 16;

static std::string shortDigest(StringRef Value) {
  Value.consume_front("blake3:");
  return Value.take_front(DigestChars).str();
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
    auto [Head, Pid] = Rest.rsplit('.');
    auto [Head2, Task] = Head.rsplit('.');
    size_t At = Head2.rfind(" at ");
    if (!Pid.empty() && all_of(Pid, isHexDigit) && !Task.empty() &&
        all_of(Task, isDigit) && Head2.ends_with(")") &&
        At != StringRef::npos &&
        all_of(Head2.slice(At + 4, Head2.size() - 1), isDigit))
      return (Head2.take_front(At) + ")").str();
  }
  return Module.str();
}

LinkRecordBuilder::LinkRecordBuilder(StringRef Output,
                                     const LinkKeyBasis &Basis) {
  R.Output = Output.str();
  R.KeyRecipe = (JobKeyRecipeName + "/" + Twine(JobKeyRecipeVersion)).str();
  StringRef Identity = Basis.CompilerIdentity;
  R.CompilerExecutable = shortDigest(Identity.split('\n').first);
  R.CompilerVersion = compilerVersionText(Identity).rtrim().str();
  for (size_t I = 0; I < Basis.Fields.size(); ++I) {
    auto Name = Basis.FileNames.find(I);
    R.LinkFields.push_back(
        {keyFieldName(Basis.Fields[I].first).str(), Basis.Fields[I].second,
         Name == Basis.FileNames.end() ? "" : Name->second});
  }
}

unsigned LinkRecordBuilder::definition(StringRef Source, StringRef Name,
                                       StringRef Key) {
  std::string Id = (Source + "\0" + Name + "\0" + Key).str();
  auto [It, New] = DefinitionIndex.try_emplace(Id, R.Definitions.size());
  if (New)
    R.Definitions.push_back({Source.str(), Name.str(), Key.str()});
  return It->second;
}

int LinkRecordBuilder::recipe(StringRef Text, std::string &Source) {
  if (Text == "<none>")
    return -1;
  // The source line is the module's own; the rest is usually the same for
  // every module of a link, and kept once.
  std::string Rest;
  SmallVector<StringRef, 20> Lines;
  Text.split(Lines, '\n', -1, /*KeepEmpty=*/false);
  for (StringRef Line : Lines) {
    if (Line.consume_front("source="))
      Source = Line.str();
    else
      Rest += (Line + "\n").str();
  }
  auto [It, New] = RecipeIndex.try_emplace(Rest, R.Recipes.size());
  if (New)
    R.Recipes.push_back(std::move(Rest));
  return It->second;
}

void LinkRecordBuilder::addJob(StringRef Module, const JobKey *Key,
                               const Digest &EntryKey,
                               ArrayRef<unsigned> Carried,
                               const JobOutcome &O) {
  LinkRecord::Job J;
  J.Module = stableModuleName(Module);
  switch (O.What) {
  case JobOutcome::Hit:
    J.What = LinkRecord::Outcome::Hit;
    break;
  case JobOutcome::RemoteHit:
    J.What = LinkRecord::Outcome::RemoteHit;
    break;
  case JobOutcome::Miss:
    J.What = LinkRecord::Outcome::Miss;
    break;
  case JobOutcome::Uncached:
    J.What = LinkRecord::Outcome::Uncached;
    break;
  }
  J.Bypassed = O.Bypassed;
  if (!Key) {
    R.Jobs.push_back(std::move(J));
    return;
  }
  J.Key = toHex(EntryKey).substr(0, DigestChars);
  J.Base = toHex(Key->Base).substr(0, DigestChars);
  J.Recipe = recipe(Key->Recipe, J.Source);
  // The job's own fields, as finishJobKey adds them (docs/KEYS.md).
  for (size_t I = Key->SharedFields; I < Key->Trace.size(); ++I) {
    const KeyFieldTrace &T = Key->Trace[I];
    StringRef V = T.Value;
    switch (T.Field) {
    case KeyField::Module:
      J.ModuleDigest = shortDigest(V);
      break;
    case KeyField::ModuleRecipe:
      break; // Key->Recipe, above.
    case KeyField::SummaryShard:
      J.Shard = shortDigest(V);
      break;
    case KeyField::ImportedPart: {
      // "<source> <digest>".
      auto [Source, Hex] = V.rsplit(' ');
      J.Parts.push_back({Source.str(), shortDigest(Hex), {}});
      break;
    }
    case KeyField::ImportedDefinition: {
      // "<source> <name> <key>", after its part.
      if (J.Parts.empty() || !V.consume_front(J.Parts.back().Source + " "))
        break;
      auto [Name, Hex] = V.rsplit(' ');
      LinkRecord::Part &P = J.Parts.back();
      P.Definitions.push_back(definition(P.Source, Name, shortDigest(Hex)));
      break;
    }
    case KeyField::ImportedModule:
      J.Whole.push_back(shortDigest(V));
      break;
    default:
      J.Fields.push_back({keyFieldName(T.Field).str(), T.Value, ""});
    }
  }
  for (unsigned C : Carried)
    J.Carried.push_back(Key->Candidates[C].Source + " " +
                        Key->Candidates[C].HashSuffix);
  R.Jobs.push_back(std::move(J));
}

LinkRecord LinkRecordBuilder::finish() {
  auto Now = std::chrono::system_clock::now();
  R.TimeMicros = std::chrono::duration_cast<std::chrono::microseconds>(
                     Now.time_since_epoch())
                     .count();
  // "20261201T232112.123456-4242": names sort as the links ran.
  std::time_t Seconds = R.TimeMicros / 1000000;
  std::tm UTC;
  gmtime_r(&Seconds, &UTC);
  char Time[32], Id[64];
  std::strftime(Time, sizeof(Time), "%Y%m%dT%H%M%S", &UTC);
  std::snprintf(Id, sizeof(Id), "%s.%06lld-%d", Time,
                static_cast<long long>(R.TimeMicros % 1000000),
                static_cast<int>(sys::Process::getProcessId()));
  R.Id = Id;
  return std::move(R);
}

//===----------------------------------------------------------------------===//
// The JSON form
//===----------------------------------------------------------------------===//

static void writeField(json::OStream &J, const LinkRecord::Field &F) {
  J.array([&] {
    J.value(F.Name);
    J.value(F.Value);
    if (!F.File.empty())
      J.value(F.File);
  });
}

static void writeStrings(json::OStream &J, StringRef Key,
                         ArrayRef<std::string> Values) {
  if (Values.empty())
    return;
  J.attributeArray(Key, [&] {
    for (const std::string &V : Values)
      J.value(V);
  });
}

std::string serializeLinkRecord(const LinkRecord &R) {
  std::string Out;
  raw_string_ostream OS(Out);
  json::OStream J(OS);
  J.object([&] {
    J.attribute("format", LinkRecordFormat);
    J.attribute("id", R.Id);
    J.attribute("output", R.Output);
    J.attribute("time_us", R.TimeMicros);
    J.attribute("key_recipe", R.KeyRecipe);
    J.attributeObject("compiler", [&] {
      J.attribute("executable", R.CompilerExecutable);
      J.attribute("version", R.CompilerVersion);
    });
    J.attributeArray("link_fields", [&] {
      for (const LinkRecord::Field &F : R.LinkFields)
        writeField(J, F);
    });
    writeStrings(J, "recipes", R.Recipes);
    J.attributeArray("definitions", [&] {
      for (const LinkRecord::Definition &D : R.Definitions)
        J.array([&] {
          J.value(D.Source);
          J.value(D.Name);
          J.value(D.Key);
        });
    });
    J.attributeArray("jobs", [&] {
      for (const LinkRecord::Job &Job : R.Jobs)
        J.object([&] {
          J.attribute("module", Job.Module);
          if (!Job.Source.empty())
            J.attribute("source", Job.Source);
          J.attribute("outcome", outcomeName(Job.What));
          if (Job.Bypassed)
            J.attribute("bypassed", true);
          if (!Job.keyed())
            return;
          J.attribute("key", Job.Key);
          J.attribute("base", Job.Base);
          J.attribute("module_digest", Job.ModuleDigest);
          J.attribute("recipe", Job.Recipe);
          J.attribute("shard", Job.Shard);
          if (!Job.Fields.empty())
            J.attributeArray("fields", [&] {
              for (const LinkRecord::Field &F : Job.Fields)
                writeField(J, F);
            });
          if (!Job.Parts.empty())
            J.attributeArray("parts", [&] {
              for (const LinkRecord::Part &P : Job.Parts)
                J.array([&] {
                  J.value(P.Source);
                  J.value(P.Digest);
                  J.array([&] {
                    for (unsigned D : P.Definitions)
                      J.value(D);
                  });
                });
            });
          writeStrings(J, "whole", Job.Whole);
          writeStrings(J, "carried", Job.Carried);
        });
    });
  });
  OS << "\n";
  return Out;
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
  Error strings(const json::Object &O, StringRef Key,
                std::vector<std::string> &Out) {
    const json::Value *V = O.get(Key);
    if (!V)
      return Error::success();
    const json::Array *A = V->getAsArray();
    if (!A)
      return error("'" + Key + "' is not an array");
    for (const json::Value &E : *A) {
      std::optional<StringRef> S = E.getAsString();
      if (!S)
        return error("'" + Key + "' holds a value that is not a string");
      Out.push_back(S->str());
    }
    return Error::success();
  }
  Error fields(const json::Object &O, StringRef Key,
               std::vector<LinkRecord::Field> &Out) {
    const json::Value *V = O.get(Key);
    if (!V)
      return Error::success();
    const json::Array *A = V->getAsArray();
    if (!A)
      return error("'" + Key + "' is not an array");
    for (const json::Value &E : *A) {
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
        LinkRecord::Part Part{(*A)[0].getAsString()->str(),
                              (*A)[1].getAsString()->str(),
                              {}};
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
    return Read.error("format " +
                      (Format ? Twine(*Format) : Twine("missing")) +
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
