//===- CompileBackend.cpp - The subprocess compile backend ----------------===//

#include "ltocache/CompileBackend.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Program.h"

using namespace llvm;

namespace ltocache {

CompileBackend::~CompileBackend() = default;

Error CompileBackend::compileBatch(const CommonJobArgs &Common,
                                   ArrayRef<const BackendJob *> Jobs) {
  for (const BackendJob *Job : Jobs)
    if (Error E = compile(Common, *Job))
      return E;
  return Error::success();
}

namespace {

class SubprocessBackend : public CompileBackend {
public:
  Error compile(const CommonJobArgs &Common, const BackendJob &Job) override {
    std::vector<StringRef> Argv;
    for (const std::string &A : Common.Args)
      Argv.push_back(A);
    for (const std::string &A : Job.Args)
      Argv.push_back(A);
    std::string Exe = Common.Args.front();
    if (!StringRef(Exe).contains('/')) {
      auto Found = sys::findProgramByName(Exe);
      if (!Found)
        return createStringError("remote compiler '%s' not found on PATH",
                                 Exe.c_str());
      Exe = *Found;
    }
    std::string ErrMsg;
    int RC = sys::ExecuteAndWait(Exe, Argv, std::nullopt, {}, 0, 0, &ErrMsg);
    if (RC != 0)
      return createStringError(
          "backend compile of '%s' failed (%s): %s", Job.Module.c_str(),
          ErrMsg.empty() ? ("exit code " + Twine(RC)).str().c_str()
                         : ErrMsg.c_str(),
          join(Argv, " ").c_str());
    return Error::success();
  }
  StringRef name() const override { return "process"; }
};

} // namespace

std::unique_ptr<CompileBackend> createSubprocessBackend() {
  return std::make_unique<SubprocessBackend>();
}

} // namespace ltocache
