//===- TestUtil.h - Helpers shared by the unit tests ------------*- C++ -*-===//
#ifndef LTOCACHE_TEST_UNIT_TESTUTIL_H
#define LTOCACHE_TEST_UNIT_TESTUTIL_H

#include "Key/CacheKey.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <string>
#include <vector>

namespace ltocache {
namespace test {

/// A fresh directory, removed with everything in it on destruction.
class TempDir {
public:
  explicit TempDir(llvm::StringRef Prefix = "ltocache-unit") {
    std::error_code EC = llvm::sys::fs::createUniqueDirectory(Prefix, Path);
    EXPECT_FALSE(EC) << "createUniqueDirectory: " << EC.message();
  }
  ~TempDir() { llvm::sys::fs::remove_directories(Path); }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  llvm::StringRef path() const { return Path; }
  /// \p Name inside this directory.
  std::string sub(const llvm::Twine &Name) const {
    llvm::SmallString<256> P(Path);
    llvm::sys::path::append(P, Name);
    return std::string(P);
  }

private:
  llvm::SmallString<256> Path;
};

inline void writeFile(const llvm::Twine &Path, llvm::StringRef Data) {
  std::error_code EC;
  llvm::raw_fd_ostream OS(Path.str(), EC);
  ASSERT_FALSE(EC) << Path.str() << ": " << EC.message();
  OS << Data;
  OS.close();
  ASSERT_FALSE(OS.has_error()) << Path.str();
}

/// Names of the entries directly inside \p Dir (sorted).
inline std::vector<std::string> listDir(const llvm::Twine &Dir) {
  std::vector<std::string> Names;
  std::error_code EC;
  for (llvm::sys::fs::directory_iterator I(Dir, EC), E; I != E && !EC;
       I.increment(EC))
    Names.push_back(llvm::sys::path::filename(I->path()).str());
  std::sort(Names.begin(), Names.end());
  return Names;
}

/// The message of \p E, or "" if it is success.
inline std::string errorMessage(llvm::Error E) {
  if (!E)
    return "";
  return llvm::toString(std::move(E));
}

/// The message of \p V's error (consuming it), or "" if it holds a value.
template <typename T> std::string errorMessage(llvm::Expected<T> &V) {
  if (V)
    return "";
  return llvm::toString(V.takeError());
}

/// The error code of \p E (consuming it).
inline std::error_code errorCode(llvm::Error E) {
  return llvm::errorToErrorCode(std::move(E));
}

/// An entry in a header-first format (1: payload at 96; 2: at 4096), as
/// releases before format 3 wrote them (docs/KEYS.md).
inline std::string headerFirstEntry(const Digest &Key,
                                    const std::string &Payload, uint64_t Micros,
                                    uint32_t Version) {
  using namespace llvm::support;
  size_t HeaderSize = Version == 1 ? 96 : 4096;
  std::string E(HeaderSize, '\0');
  memcpy(E.data(), "LTOCACHE", 8);
  endian::write32le(E.data() + 8, Version);
  endian::write32le(E.data() + 12, HeaderSize);
  memcpy(E.data() + 16, Key.data(), 32);
  endian::write64le(E.data() + 48, Payload.size());
  endian::write64le(E.data() + 88, Micros);
  Digest Sum = hashBytes(E.substr(88, 8) + Payload);
  memcpy(E.data() + 56, Sum.data(), 32);
  return E + Payload;
}

} // namespace test
} // namespace ltocache

/// EXPECT that string \p S contains \p Sub, printing \p S if not.
#define EXPECT_CONTAINS(S, Sub)                                                \
  EXPECT_TRUE(llvm::StringRef(S).contains(Sub))                                \
      << "  actual: \"" << (S) << "\"\n  expected to contain: \"" << (Sub)     \
      << "\""

#endif
