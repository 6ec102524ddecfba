//===- DistributorBackend.cpp - Hands misses to another distributor -------===//

#include "Compile/DistributorBackend.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace ltocache {
namespace {

json::Array strings(const std::vector<std::string> &V) {
  json::Array A;
  for (const std::string &S : V)
    A.push_back(S);
  return A;
}

class DistributorBackend : public CompileBackend {
public:
  DistributorBackend(std::string Exe, std::vector<std::string> Args,
                     std::string WorkDir)
      : Exe(std::move(Exe)), Args(std::move(Args)),
        WorkDir(std::move(WorkDir)) {}

  Expected<CompiledObject> compile(const CommonJobArgs &Common,
                                   const BackendJob &Job,
                                   const CompileRequest &Request) override {
    const BackendJob *J = &Job;
    if (Error E = compileBatch(Common, J, Request, Request.Cancel))
      return std::move(E);
    return CompiledObject();
  }
  bool batches() const override { return true; }
  StringRef name() const override { return "distributor"; }

  Error compileBatch(const CommonJobArgs &Common,
                     ArrayRef<const BackendJob *> Jobs,
                     ArrayRef<CompileRequest> Requests,
                     CancelToken *Cancel) override {
    json::Array JobList;
    for (size_t I = 0; I < Jobs.size(); ++I) {
      const std::string &Out = Requests[I].OutputPath;
      std::vector<std::string> Outputs = Jobs[I]->Outputs;
      for (std::string &O : Outputs)
        if (O == Jobs[I]->Output)
          O = Out;
      JobList.push_back(
          json::Object{{"args", strings(argsWithOutput(*Jobs[I], Out))},
                       {"inputs", strings(Jobs[I]->Inputs)},
                       {"outputs", strings(Outputs)}});
    }
    json::Object Doc{
        {"common", json::Object{{"linker_output", Common.LinkerOutput},
                                {"args", strings(Common.Args)},
                                {"inputs", strings(Common.Inputs)}}},
        {"jobs", std::move(JobList)}};

    SmallString<256> Model(WorkDir);
    sys::path::append(Model, "ltocache-misses-%%%%%%%%.json");
    int FD;
    SmallString<256> Path;
    if (std::error_code EC = sys::fs::createUniqueFile(Model, FD, Path))
      return createFileError(Model, EC);
    {
      raw_fd_ostream OS(FD, /*shouldClose=*/true);
      OS << json::Value(std::move(Doc));
    }
    std::string Program = Exe;
    if (!StringRef(Exe).contains('/'))
      if (auto Found = sys::findProgramByName(Exe))
        Program = *Found;
    std::vector<StringRef> Argv{Program};
    for (const std::string &A : Args)
      Argv.push_back(A);
    Argv.push_back(Path);
    auto Failure = runProcess(Program, Argv, Cancel);
    sys::fs::remove(Path);
    if (!Failure)
      return Failure.takeError();
    if (Cancel && Cancel->cancelled())
      return Error::success();
    if (!Failure->empty())
      return createStringError("distributor '%s' failed (%s) on %zu jobs",
                               Exe.c_str(), Failure->c_str(), Jobs.size());
    for (const CompileRequest &R : Requests)
      if (!sys::fs::exists(R.OutputPath))
        return createStringError("distributor '%s' did not produce '%s'",
                                 Exe.c_str(), R.OutputPath.c_str());
    return Error::success();
  }

private:
  std::string Exe;
  std::vector<std::string> Args;
  std::string WorkDir;
};

} // namespace

std::unique_ptr<CompileBackend>
createDistributorBackend(std::string Exe, std::vector<std::string> Args,
                         std::string WorkDir) {
  return std::make_unique<DistributorBackend>(std::move(Exe), std::move(Args),
                                              std::move(WorkDir));
}

} // namespace ltocache
