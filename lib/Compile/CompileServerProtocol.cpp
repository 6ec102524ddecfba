//===- CompileServerProtocol.cpp - Frames to and from ltocache-compile ----===//

#include "Compile/CompileServerProtocol.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <vector>

using namespace llvm;

namespace ltocache {

namespace {
struct FrameHeader {
  uint32_t Kind;
  uint32_t Reserved;
  uint64_t Id;
  uint64_t Size;
};
/// Larger than any object; a header claiming more is corrupt.
constexpr uint64_t MaxPayload = uint64_t(4) << 30;
} // namespace

Error writeFrame(int FD, FrameKind Kind, uint64_t Id,
                 ArrayRef<StringRef> Parts) {
  FrameHeader H{uint32_t(Kind), 0, Id, 0};
  std::vector<iovec> Iov;
  Iov.push_back({&H, sizeof(H)});
  for (StringRef P : Parts) {
    H.Size += P.size();
    if (!P.empty())
      Iov.push_back({const_cast<char *>(P.data()), P.size()});
  }
  size_t First = 0;
  while (First < Iov.size()) {
    // To a socket with MSG_NOSIGNAL: a peer that is gone must be an error
    // here, not a SIGPIPE that ends the process (LLVM's handler exits).
    msghdr Msg = {};
    Msg.msg_iov = Iov.data() + First;
    Msg.msg_iovlen = std::min<size_t>(Iov.size() - First, IOV_MAX);
    ssize_t N = ::sendmsg(FD, &Msg, MSG_NOSIGNAL);
    if (N < 0 && errno == ENOTSOCK)
      N = ::writev(FD, Msg.msg_iov, Msg.msg_iovlen);
    if (N < 0) {
      if (errno == EINTR)
        continue;
      return errorCodeToError(std::error_code(errno, std::generic_category()));
    }
    // Skip what was written: whole vectors, then part of the next.
    size_t Left = N;
    while (First < Iov.size() && Left >= Iov[First].iov_len)
      Left -= Iov[First++].iov_len;
    if (Left) {
      Iov[First].iov_base = static_cast<char *>(Iov[First].iov_base) + Left;
      Iov[First].iov_len -= Left;
    }
  }
  return Error::success();
}

/// Reads exactly \p Size bytes; 0 at end-of-file before the first byte,
/// 1 when all were read.
static Expected<bool> readExactly(int FD, char *Buf, size_t Size) {
  size_t Done = 0;
  while (Done < Size) {
    ssize_t N = ::read(FD, Buf + Done, Size - Done);
    if (N < 0) {
      if (errno == EINTR)
        continue;
      // A peer that exits with our last frames unread resets the
      // connection: between frames, that is the end of the conversation.
      if (errno == ECONNRESET && Done == 0)
        return false;
      return errorCodeToError(std::error_code(errno, std::generic_category()));
    }
    if (N == 0) {
      if (Done == 0)
        return false;
      return createStringError(std::errc::protocol_error, "truncated frame");
    }
    Done += N;
  }
  return true;
}

Expected<std::optional<Frame>> readFrame(int FD) {
  FrameHeader H;
  Expected<bool> Got = readExactly(FD, reinterpret_cast<char *>(&H), sizeof H);
  if (!Got)
    return Got.takeError();
  if (!*Got)
    return std::nullopt;
  if (H.Size > MaxPayload || H.Kind < uint32_t(FrameKind::Hello) ||
      H.Kind > uint32_t(FrameKind::Cancel))
    return createStringError(std::errc::protocol_error, "bad frame header");
  Frame F{FrameKind(H.Kind), H.Id, std::string()};
  F.Payload.resize(H.Size);
  if (H.Size) {
    Expected<bool> Body = readExactly(FD, F.Payload.data(), H.Size);
    if (!Body)
      return Body.takeError();
    if (!*Body)
      return createStringError(std::errc::protocol_error, "truncated frame");
  }
  return F;
}

/// Integers in host byte order: both ends are built from the same tree.
template <typename T> static void appendInt(std::string &Out, T V) {
  Out.append(reinterpret_cast<const char *>(&V), sizeof V);
}

template <typename T> static bool takeInt(StringRef &In, T &V) {
  if (In.size() < sizeof V)
    return false;
  memcpy(&V, In.data(), sizeof V);
  In = In.drop_front(sizeof V);
  return true;
}

void appendU32(std::string &Out, uint32_t V) { appendInt(Out, V); }
void appendU64(std::string &Out, uint64_t V) { appendInt(Out, V); }
bool takeU32(StringRef &In, uint32_t &V) { return takeInt(In, V); }
bool takeU64(StringRef &In, uint64_t &V) { return takeInt(In, V); }

std::string stringHeader(size_t Size) {
  std::string H;
  appendU32(H, uint32_t(Size));
  return H;
}

void appendString(std::string &Out, StringRef S) {
  appendU32(Out, uint32_t(S.size()));
  Out.append(S.data(), S.size());
}

bool takeString(StringRef &In, StringRef &S) {
  uint32_t N;
  if (!takeU32(In, N) || In.size() < N)
    return false;
  S = In.take_front(N);
  In = In.drop_front(N);
  return true;
}

} // namespace ltocache
