#include "ltocache/CacheKey.h"

#include "gtest/gtest.h"

using namespace ltocache;

TEST(KeyBuilder, FieldBoundariesAreUnambiguous) {
  KeyBuilder A("r", 1), B("r", 1);
  A.add(KeyField::CompilerArg, "ab");
  A.add(KeyField::CompilerArg, "c");
  B.add(KeyField::CompilerArg, "a");
  B.add(KeyField::CompilerArg, "bc");
  EXPECT_NE(A.finish(), B.finish());
}
