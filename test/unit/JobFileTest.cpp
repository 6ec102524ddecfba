#include "Job/JobFile.h"

#include "TestUtil.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"

#include "gtest/gtest.h"

using namespace ltocache;
using namespace ltocache::test;
namespace json = llvm::json;

namespace {

class JobFileTest : public ::testing::Test {
protected:
  TempDir Dir{"ltocache-jobfile"};
  std::string Module, Shard, Import, Output, CommonIn, JobsPath;

  void SetUp() override {
    Module = Dir.sub("m.o");
    Shard = Dir.sub("m.thinlto.bc");
    Import = Dir.sub("imp.o");
    Output = Dir.sub("m.native.o");
    CommonIn = Dir.sub("crt.o");
    JobsPath = Dir.sub("jobs.json");
    for (const std::string &P : {Module, Shard, Import, CommonIn})
      writeFile(P, "bitcode");
  }

  json::Object job(const std::string &M, const std::string &S,
                   const std::string &O,
                   std::vector<std::string> ExtraInputs = {}) {
    json::Array Inputs{M, S};
    for (auto &I : ExtraInputs)
      Inputs.push_back(I);
    return json::Object{
        {"args", json::Array{M, "-fthinlto-index=" + S, "-o", O}},
        {"inputs", std::move(Inputs)},
        {"outputs", json::Array{O}},
    };
  }

  /// A valid document with one job whose inputs are the module, its shard
  /// and one import.
  json::Object validDoc() {
    return json::Object{
        {"common",
         json::Object{
             {"linker_output", Dir.sub("a.out")},
             {"args", json::Array{"/usr/bin/clang", "-c", "-O2",
                                  "--target=x86_64-linux-gnu"}},
             {"inputs", json::Array{CommonIn}},
         }},
        {"jobs", json::Array{job(Module, Shard, Output, {Import})}},
    };
  }

  json::Object &job0(json::Object &Doc) {
    return *(*Doc.getArray("jobs"))[0].getAsObject();
  }

  void writeJson(const json::Value &V) {
    std::string S;
    llvm::raw_string_ostream OS(S);
    OS << V;
    writeFile(JobsPath, S);
  }

  /// Writes \p Doc, reads it back expecting an error; returns the message.
  std::string readError(const json::Value &Doc) {
    writeJson(Doc);
    return readError();
  }
  std::string readError() {
    auto F = readJobFile(JobsPath);
    if (F) {
      ADD_FAILURE() << "job file was accepted";
      return "";
    }
    return toString(F.takeError());
  }
};

TEST_F(JobFileTest, ValidFileParses) {
  json::Object Doc = validDoc();
  std::string Other = Dir.sub("n.o"), OtherShard = Dir.sub("n.thinlto.bc"),
              OtherOut = Dir.sub("n.native.o");
  writeFile(Other, "bc");
  writeFile(OtherShard, "bc");
  Doc.getArray("jobs")->push_back(job(Other, OtherShard, OtherOut));
  writeJson(std::move(Doc));

  auto F = readJobFile(JobsPath);
  ASSERT_TRUE(static_cast<bool>(F)) << errorMessage(F);
  EXPECT_EQ(F->Common.LinkerOutput, Dir.sub("a.out"));
  EXPECT_EQ(F->Common.Args,
            (std::vector<std::string>{"/usr/bin/clang", "-c", "-O2",
                                      "--target=x86_64-linux-gnu"}));
  EXPECT_EQ(F->Common.Inputs, std::vector<std::string>{CommonIn});
  ASSERT_EQ(F->Jobs.size(), 2u);

  const BackendJob &J = F->Jobs[0];
  EXPECT_EQ(J.Module, Module);
  EXPECT_EQ(J.Shard, Shard);
  EXPECT_EQ(J.Output, Output);
  EXPECT_EQ(J.Args, (std::vector<std::string>{
                        Module, "-fthinlto-index=" + Shard, "-o", Output}));
  EXPECT_EQ(J.Inputs, (std::vector<std::string>{Module, Shard, Import}));
  EXPECT_EQ(J.Outputs, std::vector<std::string>{Output});

  EXPECT_EQ(F->Jobs[1].Module, Other);
  EXPECT_EQ(F->Jobs[1].Shard, OtherShard);
  EXPECT_EQ(F->Jobs[1].Output, OtherOut);
}

/// Changes the working directory for the lifetime of the object.
class ScopedCwd {
public:
  explicit ScopedCwd(llvm::StringRef To) {
    EXPECT_FALSE(llvm::sys::fs::current_path(Saved));
    EXPECT_FALSE(llvm::sys::fs::set_current_path(To));
  }
  ~ScopedCwd() { EXPECT_FALSE(llvm::sys::fs::set_current_path(Saved)); }

private:
  llvm::SmallString<256> Saved;
};

TEST_F(JobFileTest, RelativePathsAsLldWritesThem) {
  // lld runs the distributor in the link's directory with relative paths.
  ScopedCwd Cwd(Dir.path());
  writeJson(json::Object{
      {"common", json::Object{{"linker_output", "a.out"},
                              {"args", json::Array{"clang", "-c"}},
                              {"inputs", json::Array{}}}},
      {"jobs", json::Array{json::Object{
                   {"args", json::Array{"m.o", "-fthinlto-index=m.thinlto.bc",
                                        "-o", "m.native.o"}},
                   {"inputs", json::Array{"m.o", "m.thinlto.bc", "imp.o"}},
                   {"outputs", json::Array{"m.native.o"}}}}}});
  auto F = readJobFile("jobs.json");
  ASSERT_TRUE(static_cast<bool>(F)) << errorMessage(F);
  ASSERT_EQ(F->Jobs.size(), 1u);
  EXPECT_EQ(F->Jobs[0].Module, "m.o");
  EXPECT_EQ(F->Jobs[0].Shard, "m.thinlto.bc");
  EXPECT_EQ(F->Jobs[0].Output, "m.native.o");
  EXPECT_TRUE(F->Common.Inputs.empty());
}

TEST_F(JobFileTest, NoJobsIsValid) {
  json::Object Doc = validDoc();
  Doc["jobs"] = json::Array{};
  writeJson(std::move(Doc));
  auto F = readJobFile(JobsPath);
  ASSERT_TRUE(static_cast<bool>(F)) << errorMessage(F);
  EXPECT_TRUE(F->Jobs.empty());
}

TEST_F(JobFileTest, MissingFileIsError) {
  auto F = readJobFile(Dir.sub("nope.json"));
  ASSERT_FALSE(static_cast<bool>(F));
  EXPECT_CONTAINS(toString(F.takeError()), "nope.json");
}

TEST_F(JobFileTest, MalformedJsonIsErrorNamingTheFile) {
  writeFile(JobsPath, "{\"common\": {\"args\": [\"clang\",}");
  std::string Msg = readError();
  EXPECT_CONTAINS(Msg, JobsPath);
  EXPECT_CONTAINS(Msg, "JSON");

  writeFile(JobsPath, "");
  Msg = readError();
  EXPECT_CONTAINS(Msg, JobsPath);
  EXPECT_CONTAINS(Msg, "JSON");
}

TEST_F(JobFileTest, TopLevelNotAnObject) {
  std::string Msg = readError(json::Array{1, 2});
  EXPECT_CONTAINS(Msg, JobsPath);
  EXPECT_CONTAINS(Msg, "top level");
}

TEST_F(JobFileTest, MissingJobs) {
  json::Object Doc = validDoc();
  Doc.erase("jobs");
  std::string Msg = readError(std::move(Doc));
  EXPECT_CONTAINS(Msg, JobsPath);
  EXPECT_CONTAINS(Msg, "jobs: missing");

  Doc = validDoc();
  Doc["jobs"] = json::Object{};
  EXPECT_CONTAINS(readError(std::move(Doc)), "jobs: not an array");
}

TEST_F(JobFileTest, MissingCommon) {
  json::Object Doc = validDoc();
  Doc.erase("common");
  std::string Msg = readError(std::move(Doc));
  EXPECT_CONTAINS(Msg, JobsPath);
  EXPECT_CONTAINS(Msg, "common: missing");

  Doc = validDoc();
  Doc["common"] = "clang";
  EXPECT_CONTAINS(readError(std::move(Doc)), "common: not an object");
}

TEST_F(JobFileTest, MissingCommonArgs) {
  json::Object Doc = validDoc();
  Doc.getObject("common")->erase("args");
  EXPECT_CONTAINS(readError(std::move(Doc)), "common.args: missing");

  Doc = validDoc();
  (*Doc.getObject("common"))["args"] = json::Array{};
  EXPECT_CONTAINS(readError(std::move(Doc)), "common.args: empty");

  Doc = validDoc();
  (*Doc.getObject("common"))["args"] = "clang -c";
  EXPECT_CONTAINS(readError(std::move(Doc)), "common.args: not an array");

  Doc = validDoc();
  (*Doc.getObject("common"))["args"] = json::Array{"clang", 3};
  EXPECT_CONTAINS(readError(std::move(Doc)), "common.args[1]: not a string");
}

TEST_F(JobFileTest, MissingLinkerOutput) {
  json::Object Doc = validDoc();
  Doc.getObject("common")->erase("linker_output");
  EXPECT_CONTAINS(readError(std::move(Doc)), "common.linker_output");
}

TEST_F(JobFileTest, CommonInputs) {
  json::Object Doc = validDoc();
  Doc.getObject("common")->erase("inputs");
  EXPECT_CONTAINS(readError(std::move(Doc)), "common.inputs: missing");

  Doc = validDoc();
  std::string Gone = Dir.sub("gone.o");
  (*Doc.getObject("common"))["inputs"] = json::Array{CommonIn, Gone};
  std::string Msg = readError(std::move(Doc));
  EXPECT_CONTAINS(Msg, "common.inputs[1]");
  EXPECT_CONTAINS(Msg, Gone);
}

TEST_F(JobFileTest, JobNotAnObject) {
  json::Object Doc = validDoc();
  Doc.getArray("jobs")->push_back("job");
  EXPECT_CONTAINS(readError(std::move(Doc)), "jobs[1]: not an object");
}

TEST_F(JobFileTest, MissingJobFields) {
  for (const char *Field : {"args", "inputs", "outputs"}) {
    json::Object Doc = validDoc();
    job0(Doc).erase(Field);
    std::string Msg = readError(std::move(Doc));
    EXPECT_CONTAINS(Msg, JobsPath);
    EXPECT_CONTAINS(Msg, std::string("jobs[0].") + Field + ": missing");

    Doc = validDoc();
    job0(Doc)[Field] = json::Array{};
    EXPECT_CONTAINS(readError(std::move(Doc)),
                    std::string("jobs[0].") + Field + ": empty");
  }
}

TEST_F(JobFileTest, ErrorNamesTheRightJob) {
  json::Object Doc = validDoc();
  json::Object Second = job(Module, Shard, Output);
  Second.erase("outputs");
  Doc.getArray("jobs")->push_back(std::move(Second));
  std::string Msg = readError(std::move(Doc));
  EXPECT_CONTAINS(Msg, "jobs[1].outputs: missing");
}

TEST_F(JobFileTest, TwoOutputsIsError) {
  json::Object Doc = validDoc();
  job0(Doc)["outputs"] = json::Array{Output, Dir.sub("extra.o")};
  EXPECT_CONTAINS(readError(std::move(Doc)),
                  "jobs[0].outputs: expected exactly one output");
}

TEST_F(JobFileTest, NonexistentInputIsErrorNamingIndexAndPath) {
  json::Object Doc = validDoc();
  std::string Gone = Dir.sub("deleted-import.o");
  job0(Doc)["inputs"] = json::Array{Module, Shard, Gone};
  std::string Msg = readError(std::move(Doc));
  EXPECT_CONTAINS(Msg, JobsPath);
  EXPECT_CONTAINS(Msg, "jobs[0].inputs[2]");
  EXPECT_CONTAINS(Msg, Gone);
  EXPECT_CONTAINS(Msg, "does not exist");
}

TEST_F(JobFileTest, DirectoryInputIsError) {
  json::Object Doc = validDoc();
  std::string Sub = Dir.sub("a-directory");
  ASSERT_FALSE(llvm::sys::fs::create_directory(Sub));
  job0(Doc)["inputs"] = json::Array{Module, Shard, Sub};
  std::string Msg = readError(std::move(Doc));
  EXPECT_CONTAINS(Msg, "jobs[0].inputs[2]");
  EXPECT_CONTAINS(Msg, "is not a regular file");
}

TEST_F(JobFileTest, NonexistentModuleIsError) {
  ASSERT_FALSE(llvm::sys::fs::remove(Module));
  std::string Msg = readError(validDoc());
  EXPECT_CONTAINS(Msg, "jobs[0].inputs[0]");
  EXPECT_CONTAINS(Msg, Module);
}

TEST_F(JobFileTest, OutputDifferentFromDashOIsError) {
  json::Object Doc = validDoc();
  std::string Elsewhere = Dir.sub("elsewhere.o");
  job0(Doc)["outputs"] = json::Array{Elsewhere};
  std::string Msg = readError(std::move(Doc));
  EXPECT_CONTAINS(Msg, "jobs[0].outputs[0]");
  EXPECT_CONTAINS(Msg, Elsewhere);
  EXPECT_CONTAINS(Msg, Output);
}

TEST_F(JobFileTest, ArgsWithoutModuleIndexOrOutput) {
  json::Object Doc = validDoc();
  job0(Doc)["args"] = json::Array{"-fthinlto-index=" + Shard, "-o", Output};
  EXPECT_CONTAINS(readError(std::move(Doc)),
                  "jobs[0].args: no module to compile");

  Doc = validDoc();
  job0(Doc)["args"] = json::Array{Module, "-o", Output};
  EXPECT_CONTAINS(readError(std::move(Doc)),
                  "jobs[0].args: no -fthinlto-index=");

  Doc = validDoc();
  job0(Doc)["args"] = json::Array{Module, "-fthinlto-index=" + Shard};
  EXPECT_CONTAINS(readError(std::move(Doc)), "jobs[0].args: no -o");

  Doc = validDoc();
  job0(Doc)["args"] = json::Array{Module, "-fthinlto-index=" + Shard, "-o"};
  EXPECT_CONTAINS(readError(std::move(Doc)),
                  "jobs[0].args: '-o' without a file");
}

TEST_F(JobFileTest, InputsMustListModuleAndShard) {
  json::Object Doc = validDoc();
  job0(Doc)["inputs"] = json::Array{Module, Import};
  EXPECT_CONTAINS(readError(std::move(Doc)),
                  "jobs[0].inputs: does not list the module and its index");

  Doc = validDoc();
  job0(Doc)["inputs"] = json::Array{Shard, Import};
  EXPECT_CONTAINS(readError(std::move(Doc)),
                  "jobs[0].inputs: does not list the module and its index");
}

TEST_F(JobFileTest, NonStringJobArgIsError) {
  json::Object Doc = validDoc();
  job0(Doc)["args"] =
      json::Array{Module, nullptr, "-fthinlto-index=" + Shard, "-o", Output};
  EXPECT_CONTAINS(readError(std::move(Doc)), "jobs[0].args[1]: not a string");
}

} // namespace

namespace {
/// Many jobs in one directory: their inputs are checked from one listing
/// of it (Reader::listDirectories), which must say what a stat would.
class ManyJobsTest : public JobFileTest {
protected:
  json::Object manyJobs(unsigned N) {
    json::Array Jobs;
    for (unsigned I = 0; I < N; ++I) {
      std::string M = Dir.sub("m" + std::to_string(I) + ".o");
      std::string S = Dir.sub("m" + std::to_string(I) + ".thinlto.bc");
      writeFile(M, "bitcode");
      writeFile(S, "index");
      Jobs.push_back(job(M, S, Dir.sub("m" + std::to_string(I) + ".native.o")));
    }
    json::Object Doc = validDoc();
    Doc["jobs"] = std::move(Jobs);
    return Doc;
  }
};
} // namespace

TEST_F(ManyJobsTest, AllPresentParses) {
  writeJson(manyJobs(40));
  auto F = readJobFile(JobsPath);
  ASSERT_TRUE(bool(F)) << toString(F.takeError());
  EXPECT_EQ(F->Jobs.size(), 40u);
}

TEST_F(ManyJobsTest, AMissingInputIsNamed) {
  json::Object Doc = manyJobs(40);
  ASSERT_FALSE(llvm::sys::fs::remove(Dir.sub("m17.thinlto.bc")));
  std::string Msg = readError(json::Value(json::Object(Doc)));
  EXPECT_CONTAINS(Msg, "jobs[17].inputs[1]");
  EXPECT_CONTAINS(Msg, "does not exist");
}

TEST_F(ManyJobsTest, ADirectoryIsNotARegularFile) {
  json::Object Doc = manyJobs(40);
  std::string M = Dir.sub("m5.o");
  ASSERT_FALSE(llvm::sys::fs::remove(M));
  ASSERT_FALSE(llvm::sys::fs::create_directory(M));
  std::string Msg = readError(json::Value(json::Object(Doc)));
  EXPECT_CONTAINS(Msg, "jobs[5].inputs[0]");
  EXPECT_CONTAINS(Msg, "is not a regular file");
}

TEST_F(ManyJobsTest, SymbolicLinksAreFollowed) {
  json::Object Doc = manyJobs(40);
  std::string M = Dir.sub("m9.o"), Target = Dir.sub("real-m9.o");
  ASSERT_FALSE(llvm::sys::fs::rename(M, Target));
  ASSERT_FALSE(llvm::sys::fs::create_link(Target, M));
  writeJson(json::Value(json::Object(Doc)));
  auto F = readJobFile(JobsPath);
  EXPECT_TRUE(bool(F)) << toString(F.takeError());
  // A dangling link does not exist.
  ASSERT_FALSE(llvm::sys::fs::remove(Target));
  EXPECT_CONTAINS(readError(json::Value(json::Object(Doc))),
                  "jobs[9].inputs[0]");
}
