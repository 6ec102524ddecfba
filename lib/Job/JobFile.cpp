//===- JobFile.cpp - Reads the DTLTO job file lld writes ------------------===//

#include "Job/JobFile.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace ltocache {
namespace {

class Reader {
public:
  explicit Reader(StringRef File) : File(File) {}

  Error fail(const Twine &Where, const Twine &What) {
    return createStringError("%s: %s: %s", File.str().c_str(),
                             Where.str().c_str(), What.str().c_str());
  }

  Error strings(const json::Object &O, StringRef Key, const Twine &Where,
                std::vector<std::string> &Out, bool NonEmpty) {
    const json::Value *V = O.get(Key);
    if (!V)
      return fail(Where + "." + Key, "missing");
    const json::Array *A = V->getAsArray();
    if (!A)
      return fail(Where + "." + Key, "not an array");
    if (NonEmpty && A->empty())
      return fail(Where + "." + Key, "empty");
    for (size_t I = 0; I < A->size(); ++I) {
      std::optional<StringRef> S = (*A)[I].getAsString();
      if (!S)
        return fail(Where + "." + Key + "[" + Twine(I) + "]", "not a string");
      Out.push_back(S->str());
    }
    return Error::success();
  }

  /// Lists, once, each directory that holds many of \p Paths: a job file
  /// of 2,000 jobs names 4,000 inputs in a few directories, and a listing
  /// says what a stat of each would (2 us apiece on the main thread, before
  /// any job can start).
  void listDirectories(const std::vector<const std::string *> &Paths) {
    StringMap<unsigned> PerDir;
    for (const std::string *P : Paths)
      ++PerDir[sys::path::parent_path(*P)];
    for (const auto &D : PerDir) {
      if (D.second < 16)
        continue;
      StringMap<sys::fs::file_type> &Names = Listed[D.first()];
      std::error_code EC;
      StringRef Dir = D.first().empty() ? StringRef(".") : D.first();
      for (sys::fs::directory_iterator It(Dir, EC), End; It != End && !EC;
           It.increment(EC))
        Names[sys::path::filename(It->path())] = It->type();
      if (EC)
        Listed.erase(D.first()); // Stat each of its inputs instead.
    }
  }

  Error exists(const std::string &Path, const Twine &Where) {
    // Imported modules repeat across jobs: each path is checked once.
    if (!Checked.insert(Path).second)
      return Error::success();
    auto Dir = Listed.find(sys::path::parent_path(Path));
    if (Dir != Listed.end()) {
      auto It = Dir->second.find(sys::path::filename(Path));
      if (It == Dir->second.end())
        return fail(Where, "input '" + Path + "' does not exist");
      if (It->second == sys::fs::file_type::regular_file)
        return Error::success();
      // A symbolic link or a type the listing did not give: stat it.
    }
    sys::fs::file_status St;
    if (sys::fs::status(Path, St) || !sys::fs::exists(St))
      return fail(Where, "input '" + Path + "' does not exist");
    if (!sys::fs::is_regular_file(St))
      return fail(Where, "input '" + Path + "' is not a regular file");
    return Error::success();
  }

  StringRef File;
  StringSet<> Checked;
  StringMap<StringMap<sys::fs::file_type>> Listed;
};

} // namespace

Expected<JobFile> readJobFile(StringRef Path) {
  auto Buf = MemoryBuffer::getFile(Path);
  if (!Buf)
    return createFileError(Path, Buf.getError());
  Reader R(Path);
  auto Root = json::parse((*Buf)->getBuffer());
  if (!Root)
    return R.fail("JSON", toString(Root.takeError()));
  const json::Object *Top = Root->getAsObject();
  if (!Top)
    return R.fail("top level", "not an object");

  JobFile F;
  const json::Object *Common = Top->getObject("common");
  if (!Common)
    return R.fail("common", Top->get("common") ? "not an object" : "missing");
  std::optional<StringRef> Output = Common->getString("linker_output");
  if (!Output)
    return R.fail("common.linker_output", "missing or not a string");
  F.Common.LinkerOutput = Output->str();
  if (Error E = R.strings(*Common, "args", "common", F.Common.Args, true))
    return std::move(E);
  if (Error E = R.strings(*Common, "inputs", "common", F.Common.Inputs, false))
    return std::move(E);
  const json::Array *Jobs = Top->getArray("jobs");
  if (!Jobs)
    return R.fail("jobs", Top->get("jobs") ? "not an array" : "missing");
  for (size_t J = 0; J < Jobs->size(); ++J) {
    std::string Where = ("jobs[" + Twine(J) + "]").str();
    const json::Object *O = (*Jobs)[J].getAsObject();
    if (!O)
      return R.fail(Where, "not an object");
    BackendJob Job;
    if (Error E = R.strings(*O, "args", Where, Job.Args, true))
      return std::move(E);
    if (Error E = R.strings(*O, "inputs", Where, Job.Inputs, true))
      return std::move(E);
    if (Error E = R.strings(*O, "outputs", Where, Job.Outputs, true))
      return std::move(E);
    if (Job.Outputs.size() != 1)
      return R.fail(Where + ".outputs", "expected exactly one output");

    for (size_t A = 0; A < Job.Args.size(); ++A) {
      StringRef Arg = Job.Args[A];
      if (Arg == "-o") {
        if (A + 1 == Job.Args.size())
          return R.fail(Where + ".args", "'-o' without a file");
        Job.Output = Job.Args[++A];
      } else if (Arg.consume_front("-fthinlto-index=")) {
        Job.Shard = Arg.str();
      } else if (!Arg.starts_with("-") && Job.Module.empty()) {
        Job.Module = Arg.str();
      }
    }
    if (Job.Module.empty())
      return R.fail(Where + ".args", "no module to compile");
    if (Job.Shard.empty())
      return R.fail(Where + ".args", "no -fthinlto-index=");
    if (Job.Output.empty())
      return R.fail(Where + ".args", "no -o");
    if (Job.Output != Job.Outputs[0])
      return R.fail(Where + ".outputs[0]",
                    "'" + Job.Outputs[0] + "' differs from the -o argument '" +
                        Job.Output + "'");
    auto Named = [&](const std::string &P) {
      return llvm::is_contained(Job.Inputs, P);
    };
    if (!Named(Job.Module) || !Named(Job.Shard))
      return R.fail(Where + ".inputs",
                    "does not list the module and its index");
    F.Jobs.push_back(std::move(Job));
  }

  // Every input exists and is a regular file.
  std::vector<const std::string *> All;
  for (const std::string &In : F.Common.Inputs)
    All.push_back(&In);
  for (const BackendJob &Job : F.Jobs)
    for (const std::string &In : Job.Inputs)
      All.push_back(&In);
  R.listDirectories(All);
  for (size_t I = 0; I < F.Common.Inputs.size(); ++I)
    if (Error E =
            R.exists(F.Common.Inputs[I], "common.inputs[" + Twine(I) + "]"))
      return std::move(E);
  for (size_t J = 0; J < F.Jobs.size(); ++J)
    for (size_t I = 0; I < F.Jobs[J].Inputs.size(); ++I)
      if (Error E = R.exists(F.Jobs[J].Inputs[I],
                             "jobs[" + Twine(J) + "].inputs[" + Twine(I) + "]"))
        return std::move(E);
  return F;
}

} // namespace ltocache
