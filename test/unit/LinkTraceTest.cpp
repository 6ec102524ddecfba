//===- LinkTraceTest.cpp - The --trace file's format ----------------------===//

#include "Link/LinkTrace.h"
#include "Link/LinkStats.h"
#include "Support/WholeFile.h"

#include "TestUtil.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/Process.h"

#include <thread>

using namespace llvm;
using namespace ltocache;
using namespace ltocache::test;

namespace {

json::Value readTrace(StringRef Path) {
  auto File = readWholeFile(Path);
  EXPECT_TRUE(bool(File));
  if (!File)
    return nullptr;
  Expected<json::Value> V = json::parse((*File)->getBuffer());
  EXPECT_TRUE(bool(V)) << (V ? "" : toString(V.takeError()));
  return V ? std::move(*V) : json::Value(nullptr);
}

TEST(LinkTraceTest, SpansOfEachThreadAndCountersAsMetadata) {
  TempDir Dir;
  LinkTrace Trace;
  Trace.nameThread("main");
  Trace.nameThread("renamed"); // The first name stays.
  {
    TraceSpan Outer(&Trace, "outer", "phase");
    TraceSpan Inner(&Trace, "inner", "job");
    Inner.arg("job", 3);
  }
  std::thread([&] {
    traceThread(&Trace, "worker");
    Trace.instant("moment", "race");
  }).join();
  auto T0 = LinkTrace::Clock::now();
  Trace.asyncSpan("remote lookup", "remote", 7, T0, T0);
  LinkStats Stats;
  Stats.Jobs = 2;
  Stats.Hits = 1;
  Stats.Misses = 1;
  Trace.setCounters(Stats);
  std::string Path = Dir.sub("t.json");
  ASSERT_FALSE(bool(Trace.write(Path)));

  json::Value V = readTrace(Path);
  const json::Object *Doc = V.getAsObject();
  ASSERT_TRUE(Doc);
  const json::Array *Events = Doc->getArray("traceEvents");
  ASSERT_TRUE(Events);
  std::vector<std::string> Names, Phases, ThreadNames;
  std::optional<int64_t> OuterTs, OuterDur, InnerTs, InnerDur, MainTid,
      InstantTid;
  for (const json::Value &E : *Events) {
    const json::Object &O = *E.getAsObject();
    std::string Name = O.getString("name")->str();
    std::string Ph = O.getString("ph")->str();
    Names.push_back(Name);
    Phases.push_back(Ph);
    if (Name == "thread_name") {
      ThreadNames.push_back(O.getObject("args")->getString("name")->str());
      if (ThreadNames.back() == "main")
        MainTid = O.getInteger("tid");
    }
    if (Name == "outer") {
      OuterTs = O.getInteger("ts");
      OuterDur = O.getInteger("dur");
    }
    if (Name == "inner") {
      InnerTs = O.getInteger("ts");
      InnerDur = O.getInteger("dur");
      EXPECT_EQ(O.getObject("args")->getInteger("job"), 3);
      EXPECT_EQ(O.getString("cat"), "job");
      EXPECT_EQ(Ph, "X");
    }
    if (Name == "moment")
      InstantTid = O.getInteger("tid");
  }
  EXPECT_EQ(ThreadNames, (std::vector<std::string>{"main", "worker"}));
  // The inner span closed first and lies within the outer one.
  ASSERT_TRUE(OuterTs && InnerTs);
  EXPECT_LE(*OuterTs, *InnerTs);
  EXPECT_LE(*InnerTs + *InnerDur, *OuterTs + *OuterDur);
  EXPECT_LT(std::find(Names.begin(), Names.end(), "inner"),
            std::find(Names.begin(), Names.end(), "outer"));
  // The instant is on the other thread's track.
  ASSERT_TRUE(MainTid && InstantTid);
  EXPECT_NE(*MainTid, *InstantTid);
  EXPECT_EQ(std::count(Phases.begin(), Phases.end(), "b"), 1);
  EXPECT_EQ(std::count(Phases.begin(), Phases.end(), "e"), 1);

  const json::Object *Other = Doc->getObject("otherData");
  ASSERT_TRUE(Other);
  EXPECT_EQ(Other->getObject("counters")->getInteger("hits"), 1);
  EXPECT_EQ(Other->getString("summary"), Stats.summaryLine());
}

TEST(LinkTraceTest, NullTraceRecordsNothing) {
  TraceSpan S(nullptr, "span", "phase");
  EXPECT_FALSE(bool(S));
  S.arg("ignored", 1);
  S.end();
  traceThread(nullptr, "nobody");
}

TEST(LinkTraceTest, PathForFileOrDirectory) {
  TempDir Dir;
  EXPECT_EQ(LinkTrace::pathFor("/x/t.json", "/out/app"), "/x/t.json");
  std::string Pid = std::to_string(sys::Process::getProcessId());
  EXPECT_EQ(LinkTrace::pathFor("/x/traces/", "/out/app"),
            "/x/traces/app." + Pid + ".trace.json");
  EXPECT_EQ(LinkTrace::pathFor(Dir.path(), "lib.so"),
            Dir.sub("lib.so." + Pid + ".trace.json"));
  // A missing directory is created when the trace is written.
  LinkTrace T;
  std::string Nested = Dir.sub("a/b/t.json");
  ASSERT_FALSE(bool(T.write(Nested)));
  EXPECT_TRUE(sys::fs::exists(Nested));
}

} // namespace
