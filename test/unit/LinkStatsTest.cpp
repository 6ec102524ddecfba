#include "Link/LinkStats.h"

#include "gtest/gtest.h"

using namespace ltocache;

namespace {

JobOutcome outcome(JobOutcome::Kind K, uint64_t Compile = 0, uint64_t Saved = 0,
                   bool Bypassed = false, bool Corrupt = false) {
  JobOutcome O;
  O.What = K;
  O.CompileMicros = Compile;
  O.SavedMicros = Saved;
  O.Bypassed = Bypassed;
  O.CorruptFound = Corrupt;
  return O;
}

TEST(LinkStats, EmptyLink) {
  LinkStats S;
  EXPECT_EQ(S.summaryLine(), "ltocache: 0 jobs, 0 hits, 0 misses, 0 bypasses; "
                             "compiled 0.00s, saved 0.00s");
}

TEST(LinkStats, AddCountsEachKind) {
  LinkStats S;
  S.add(outcome(JobOutcome::Hit, 0, 2'000'000));
  S.add(outcome(JobOutcome::Hit, 0, 500'000));
  S.add(outcome(JobOutcome::Miss, 1'250'000));
  S.add(outcome(JobOutcome::Miss, 250'000, 0, /*Bypassed=*/true));
  S.add(outcome(JobOutcome::Miss, 10'000, 0, false, /*Corrupt=*/true));
  EXPECT_EQ(S.Jobs, 5u);
  EXPECT_EQ(S.Hits, 2u);
  EXPECT_EQ(S.Misses, 3u);
  EXPECT_EQ(S.Uncached, 0u);
  EXPECT_EQ(S.Bypasses, 1u);
  EXPECT_EQ(S.Corrupt, 1u);
  EXPECT_EQ(S.CompileMicros, 1'510'000u);
  EXPECT_EQ(S.SavedMicros, 2'500'000u);
}

TEST(LinkStats, DefaultOutcomeIsUncached) {
  LinkStats S;
  S.add(JobOutcome());
  EXPECT_EQ(S.Jobs, 1u);
  EXPECT_EQ(S.Uncached, 1u);
  EXPECT_EQ(S.Hits + S.Misses, 0u);
}

TEST(LinkStats, SummaryLineFormat) {
  LinkStats S;
  S.add(outcome(JobOutcome::Hit, 0, 2'000'000));
  S.add(outcome(JobOutcome::Hit, 0, 500'000));
  S.add(outcome(JobOutcome::Miss, 1'250'000, 0, /*Bypassed=*/true));
  EXPECT_EQ(S.summaryLine(), "ltocache: 3 jobs, 2 hits, 1 misses, 1 bypasses; "
                             "compiled 1.25s, saved 2.50s");
}

TEST(LinkStats, SummaryLineRoundsToHundredths) {
  LinkStats S;
  S.add(outcome(JobOutcome::Miss, 1'234'567));
  S.add(outcome(JobOutcome::Hit, 0, 9'999));
  EXPECT_EQ(S.summaryLine(), "ltocache: 2 jobs, 1 hits, 1 misses, 0 bypasses; "
                             "compiled 1.23s, saved 0.01s");
}

TEST(LinkStats, UncachedAndCorruptOnlyWhenNonzero) {
  LinkStats S;
  S.add(outcome(JobOutcome::Uncached, 3'000'000));
  EXPECT_EQ(S.summaryLine(),
            "ltocache: 1 jobs, 0 hits, 0 misses, 0 bypasses, 1 uncached; "
            "compiled 3.00s, saved 0.00s");

  LinkStats C;
  C.add(outcome(JobOutcome::Miss, 1'000'000, 0, false, /*Corrupt=*/true));
  EXPECT_EQ(C.summaryLine(),
            "ltocache: 1 jobs, 0 hits, 1 misses, 0 bypasses, 1 corrupt; "
            "compiled 1.00s, saved 0.00s");

  S.add(outcome(JobOutcome::Miss, 0, 0, false, /*Corrupt=*/true));
  EXPECT_EQ(S.summaryLine(), "ltocache: 2 jobs, 0 hits, 1 misses, 0 bypasses, "
                             "1 uncached, 1 corrupt; compiled 3.00s, "
                             "saved 0.00s");
}

TEST(LinkStats, BackendShownOnlyWhenSomethingCompiled) {
  LinkStats S;
  S.Backend = "in-process";
  S.add(outcome(JobOutcome::Hit, 0, 1'000'000));
  EXPECT_EQ(S.summaryLine(), "ltocache: 1 jobs, 1 hits, 0 misses, 0 bypasses; "
                             "compiled 0.00s, saved 1.00s");
  S.add(outcome(JobOutcome::Miss, 500'000));
  EXPECT_EQ(S.summaryLine(), "ltocache: 2 jobs, 1 hits, 1 misses, 0 bypasses; "
                             "compiled 0.50s, saved 1.00s (in-process)");
  S.Backend = "none";
  EXPECT_EQ(S.summaryLine(), "ltocache: 2 jobs, 1 hits, 1 misses, 0 bypasses; "
                             "compiled 0.50s, saved 1.00s");
}

} // namespace

TEST(LinkStats, RemotePartOnlyWhenTheRemoteWasAsked) {
  LinkStats Local;
  Local.add(outcome(JobOutcome::Miss, 1'000'000));
  EXPECT_EQ(Local.summaryLine().find("remote"), std::string::npos);

  LinkStats S;
  JobOutcome Won = outcome(JobOutcome::RemoteHit, 0, 3'000'000);
  Won.Remote = JobOutcome::Found;
  Won.RemoteWon = Won.CompileCancelled = true;
  S.add(Won);
  JobOutcome Waiting = outcome(JobOutcome::RemoteHit, 0, 1'000'000);
  Waiting.Remote = JobOutcome::Found; // Answered before any compile began.
  S.add(Waiting);
  JobOutcome Raced = outcome(JobOutcome::Miss, 500'000);
  Raced.Remote = JobOutcome::Abandoned; // Still open when the link ended.
  Raced.LocalWon = true;
  S.add(Raced);
  JobOutcome Missed = outcome(JobOutcome::Miss, 500'000);
  Missed.Remote = JobOutcome::NotFound;
  Missed.Uploaded = true;
  S.add(Missed);
  JobOutcome Broken = outcome(JobOutcome::Miss, 500'000);
  Broken.Remote = JobOutcome::Error;
  Broken.UploadFailed = true;
  S.add(Broken);
  JobOutcome Slow = outcome(JobOutcome::Miss, 500'000);
  Slow.Remote = JobOutcome::TimedOut;
  Slow.Mismatch = true;
  S.add(Slow);
  EXPECT_EQ(S.summaryLine(),
            "ltocache: 6 jobs, 0 hits, 4 misses, 0 bypasses, 2 from remote; "
            "compiled 2.00s, saved 4.00s; remote: 2 hits, 1 misses, 1 errors, "
            "1 timeouts; races: 1 remote wins, 1 local wins, 1 cancelled; 1 "
            "uploads, 1 upload failures; 1 determinism mismatches");
  S.UploadsSkipped = "uploads skipped: the remote did not answer";
  EXPECT_NE(S.summaryLine().find("1 uploads, 1 upload failures (uploads "
                                 "skipped: the remote did not answer)"),
            std::string::npos);
}

TEST(LinkStatsTest, UntrustedEntriesAreCountedWhenThereAreAny) {
  LinkStats S;
  JobOutcome Rejected = outcome(JobOutcome::Miss, 500'000);
  Rejected.Remote = JobOutcome::Untrusted;
  S.add(Rejected);
  S.add(Rejected);
  EXPECT_EQ(S.RemoteAsked, 2u);
  EXPECT_EQ(S.RemoteUntrusted, 2u);
  EXPECT_EQ(S.RemoteErrors, 0u);
  EXPECT_NE(S.summaryLine().find("remote: 0 hits, 0 misses, 0 errors, 0 "
                                 "timeouts, 2 untrusted; races:"),
            std::string::npos)
      << S.summaryLine();
}
