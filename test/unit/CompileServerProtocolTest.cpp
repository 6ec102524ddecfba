//===- CompileServerProtocolTest.cpp - Frames over a pipe -----------------===//

#include "Compile/CompileServerProtocol.h"

#include "gtest/gtest.h"

#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace llvm;
using namespace ltocache;

namespace {

struct Pipe {
  int Read = -1, Write = -1;
  Pipe() {
    int FDs[2];
    EXPECT_EQ(::pipe(FDs), 0);
    Read = FDs[0];
    Write = FDs[1];
  }
  ~Pipe() {
    closeWrite();
    ::close(Read);
  }
  void closeWrite() {
    if (Write >= 0)
      ::close(Write);
    Write = -1;
  }
};

TEST(CompileServerProtocol, FramesRoundTripInOrder) {
  Pipe P;
  // Larger than a pipe's buffer: the writer must finish short writes
  // while the reader drains.
  std::string Big(3 << 20, 'x');
  for (size_t I = 0; I < Big.size(); I += 4093)
    Big[I] = char(I);
  std::thread Writer([&] {
    std::string Head;
    appendU32(Head, 7);
    appendU64(Head, 0x0123456789abcdefULL);
    EXPECT_FALSE(bool(writeFrame(P.Write, FrameKind::Result, 42,
                                 {Head, stringHeader(Big.size()), Big})));
    EXPECT_FALSE(bool(writeFrame(P.Write, FrameKind::Hello, 1, {})));
    P.closeWrite();
  });
  Expected<std::optional<Frame>> F = readFrame(P.Read);
  ASSERT_TRUE(bool(F));
  ASSERT_TRUE(F->has_value());
  EXPECT_EQ((*F)->Kind, FrameKind::Result);
  EXPECT_EQ((*F)->Id, 42u);
  StringRef In = (*F)->Payload, S;
  uint32_t V;
  ASSERT_TRUE(takeU32(In, V));
  EXPECT_EQ(V, 7u);
  uint64_t W;
  ASSERT_TRUE(takeU64(In, W));
  EXPECT_EQ(W, 0x0123456789abcdefULL);
  ASSERT_TRUE(takeString(In, S));
  EXPECT_TRUE(S == Big);
  EXPECT_TRUE(In.empty());

  Expected<std::optional<Frame>> Empty = readFrame(P.Read);
  ASSERT_TRUE(bool(Empty));
  ASSERT_TRUE(Empty->has_value());
  EXPECT_EQ((*Empty)->Kind, FrameKind::Hello);
  EXPECT_TRUE((*Empty)->Payload.empty());

  Expected<std::optional<Frame>> End = readFrame(P.Read);
  ASSERT_TRUE(bool(End));
  EXPECT_FALSE(End->has_value()); // Clean end of input.
  Writer.join();
}

TEST(CompileServerProtocol, TruncatedFrameIsAnError) {
  for (size_t Cut : {size_t(3), size_t(24), size_t(30)}) {
    Pipe P;
    std::string Bytes;
    {
      Pipe Whole;
      ASSERT_FALSE(
          bool(writeFrame(Whole.Write, FrameKind::Compile, 5, {"0123456789"})));
      Whole.closeWrite();
      char Buf[64];
      ssize_t N = ::read(Whole.Read, Buf, sizeof Buf);
      ASSERT_EQ(N, 34);
      Bytes.assign(Buf, N);
    }
    ASSERT_EQ(::write(P.Write, Bytes.data(), Cut), ssize_t(Cut));
    P.closeWrite();
    Expected<std::optional<Frame>> F = readFrame(P.Read);
    EXPECT_FALSE(bool(F)) << "cut at " << Cut;
    if (!F)
      EXPECT_NE(toString(F.takeError()).find("truncated"), std::string::npos);
  }
}

TEST(CompileServerProtocol, BadHeaderIsAnError) {
  Pipe P;
  uint32_t Header[6] = {99, 0, 1, 0, 0, 0}; // Unknown kind.
  ASSERT_EQ(::write(P.Write, Header, sizeof Header), ssize_t(sizeof Header));
  P.closeWrite();
  Expected<std::optional<Frame>> F = readFrame(P.Read);
  ASSERT_FALSE(bool(F));
  EXPECT_NE(toString(F.takeError()).find("bad frame header"),
            std::string::npos);
}

// The distributor's requests: to a server that stopped reading, an error,
// never a SIGPIPE (which would end this test binary).
TEST(CompileServerProtocol, WriteToClosedSocketIsAnErrorNotASignal) {
  int Ends[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, Ends), 0);
  ::close(Ends[1]);
  Error E = writeFrame(Ends[0], FrameKind::Compile, 1, {"request"});
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(errorToErrorCode(std::move(E)), std::errc::broken_pipe);
  ::close(Ends[0]);
}

TEST(CompileServerProtocol, APeerGoneWithFramesUnreadEndsTheConversation) {
  // The distributor exits without reading the server's last answers: the
  // server's next read fails with ECONNRESET, which between frames is the
  // end of input, as a clean close is (not an error to print).
  int FDs[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, FDs), 0);
  ASSERT_FALSE(bool(writeFrame(FDs[0], FrameKind::Result, 1, {"unread"})));
  ::close(FDs[1]);
  Expected<std::optional<Frame>> F = readFrame(FDs[0]);
  ASSERT_TRUE(bool(F)) << toString(F.takeError());
  EXPECT_FALSE(F->has_value());
  ::close(FDs[0]);
}

TEST(CompileServerProtocol, ShortPayloadFieldsAreRejected) {
  std::string P;
  appendString(P, "abc");
  StringRef In = StringRef(P).drop_back(1), S;
  EXPECT_FALSE(takeString(In, S));
  uint32_t V;
  StringRef Three("abc");
  EXPECT_FALSE(takeU32(Three, V));
}

} // namespace
