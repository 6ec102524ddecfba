//===- CompileServerProtocol.h - Frames to and from the server --*- C++ -*-===//
//
// ltocache-dtlto hands its misses to one ltocache-compile process per link
// (clang's code, statically linked, on a thread pool) over a stream socket
// (the server's stdin and stdout).
// Both ends are built from the same tree, so frames are in host byte order:
// a header (kind, request id, payload size) and a payload of counted
// strings. Requests may be answered in any order.
//
//   server -> client  Hello    u32 protocol version, str clang full version
//   client -> server  Compile  u32 argc, str argv[argc], str capture path
//   server -> client  Result   u32 ResultStatus, u64 microseconds the
//                              compile took (from leaving the server's
//                              queue), str object or message
//   client -> server  Cancel   (no payload) the request's result is no
//                              longer wanted
//
// Every Compile gets one Result, a cancelled one too (Cancelled if it had
// not started, else whatever it made): the client ignores results it no
// longer waits for. The client closes its end when it wants no more
// results; the server exits when it reads end-of-file, compiles running or
// not.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_COMPILE_COMPILESERVERPROTOCOL_H
#define LTOCACHE_COMPILE_COMPILESERVERPROTOCOL_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>

namespace ltocache {

constexpr uint32_t CompileServerProtocolVersion = 3;

enum class FrameKind : uint32_t {
  Hello = 1,
  Compile = 2,
  Result = 3,
  Cancel = 4,
};

enum class ResultStatus : uint32_t {
  Compiled = 0,  ///< The payload is the captured object.
  Failed = 1,    ///< clang failed; the payload says why. The job fails.
  Refused = 2,   ///< This process cannot run the job as asked (different
                 ///< process-wide options): run it elsewhere.
  Cancelled = 3, ///< Cancelled before it started; nothing was compiled.
};

struct Frame {
  FrameKind Kind;
  uint64_t Id = 0;
  std::string Payload;
};

/// Writes one frame whose payload is \p Parts concatenated, all of it,
/// retrying short writes; to a socket without raising SIGPIPE. Not atomic:
/// callers sharing \p FD hold a lock.
llvm::Error writeFrame(int FD, FrameKind Kind, uint64_t Id,
                       llvm::ArrayRef<llvm::StringRef> Parts);

/// Reads one frame; std::nullopt at end-of-file before its first byte.
llvm::Expected<std::optional<Frame>> readFrame(int FD);

/// Payload encoding: a u32, a u64, a counted string.
void appendU32(std::string &Out, uint32_t V);
void appendU64(std::string &Out, uint64_t V);
void appendString(std::string &Out, llvm::StringRef S);
/// The encoding of a counted string's length, for writeFrame's parts.
std::string stringHeader(size_t Size);
/// Consume from the front of \p In; false if it is too short.
bool takeU32(llvm::StringRef &In, uint32_t &V);
bool takeU64(llvm::StringRef &In, uint64_t &V);
bool takeString(llvm::StringRef &In, llvm::StringRef &S);

} // namespace ltocache

#endif
