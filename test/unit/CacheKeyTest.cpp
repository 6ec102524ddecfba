#include "Key/CacheKey.h"

#include "TestUtil.h"

#include "gtest/gtest.h"

using namespace ltocache;
using namespace ltocache::test;

namespace {

Digest keyOf(llvm::StringRef Recipe, uint32_t Version,
             std::vector<std::pair<KeyField, std::string>> Fields) {
  KeyBuilder B(Recipe, Version);
  for (auto &[F, V] : Fields)
    B.add(F, V);
  return B.finish();
}

TEST(KeyBuilder, IsDeterministic) {
  auto Make = [] {
    return keyOf("r", 1,
                 {{KeyField::CompilerArg, "-O2"},
                  {KeyField::Module, std::string("\0\x01\x02", 3)},
                  {KeyField::HostCPU, "znver4"}});
  };
  Digest A = Make(), B = Make();
  EXPECT_EQ(A, B);
  EXPECT_EQ(toHex(A), toHex(B));
  // Not a trivial (all-zero) digest.
  EXPECT_NE(A, Digest{});
}

TEST(KeyBuilder, ValueMatters) {
  EXPECT_NE(keyOf("r", 1, {{KeyField::CompilerArg, "-O2"}}),
            keyOf("r", 1, {{KeyField::CompilerArg, "-O3"}}));
}

TEST(KeyBuilder, FieldTagMatters) {
  // The same value under a different tag is a different key.
  EXPECT_NE(keyOf("r", 1, {{KeyField::CompilerArg, "x"}}),
            keyOf("r", 1, {{KeyField::ReferencedFile, "x"}}));
  EXPECT_NE(keyOf("r", 1, {{KeyField::Module, "x"}}),
            keyOf("r", 1, {{KeyField::ImportedModule, "x"}}));
  EXPECT_NE(keyOf("r", 1, {{KeyField::CommonInput, "x"}}),
            keyOf("r", 1, {{KeyField::ModuleRecipe, "x"}}));
}

TEST(KeyBuilder, FieldOrderMatters) {
  EXPECT_NE(
      keyOf("r", 1,
            {{KeyField::CompilerArg, "a"}, {KeyField::CompilerArg, "b"}}),
      keyOf("r", 1,
            {{KeyField::CompilerArg, "b"}, {KeyField::CompilerArg, "a"}}));
}

TEST(KeyBuilder, FieldBoundariesAreUnambiguous) {
  KeyBuilder A("r", 1), B("r", 1);
  A.add(KeyField::CompilerArg, "ab");
  A.add(KeyField::CompilerArg, "c");
  B.add(KeyField::CompilerArg, "a");
  B.add(KeyField::CompilerArg, "bc");
  EXPECT_NE(A.finish(), B.finish());
}

TEST(KeyBuilder, LengthPrefixSeparatesSplitsAndEmptyFields) {
  Digest One = keyOf("r", 1, {{KeyField::CompilerArg, "ab"}});
  Digest Two = keyOf(
      "r", 1, {{KeyField::CompilerArg, "a"}, {KeyField::CompilerArg, "b"}});
  Digest WithEmpty = keyOf(
      "r", 1, {{KeyField::CompilerArg, "ab"}, {KeyField::CompilerArg, ""}});
  Digest EmptyFirst = keyOf(
      "r", 1, {{KeyField::CompilerArg, ""}, {KeyField::CompilerArg, "ab"}});
  EXPECT_NE(One, Two);
  EXPECT_NE(One, WithEmpty);
  EXPECT_NE(One, EmptyFirst);
  EXPECT_NE(WithEmpty, EmptyFirst);

  // A value that looks like an encoded field header followed by more bytes
  // must not collide with two separate fields: tag 3 (CompilerArg) is
  // 03 00, then the u64 LE length.
  std::string Forged = std::string("a") + std::string("\x03\x00", 2) +
                       std::string("\x01\0\0\0\0\0\0\0", 8) + "b";
  Digest ForgedKey = keyOf("r", 1, {{KeyField::CompilerArg, Forged}});
  EXPECT_NE(ForgedKey, Two);
}

TEST(KeyBuilder, NoFieldsDiffersFromOneEmptyField) {
  EXPECT_NE(keyOf("r", 1, {}), keyOf("r", 1, {{KeyField::CompilerArg, ""}}));
}

TEST(KeyBuilder, RecipeNameAndVersionMatter) {
  Digest Base = keyOf("dtlto-job", 1, {{KeyField::Module, "m"}});
  EXPECT_NE(Base, keyOf("dtlto-job", 2, {{KeyField::Module, "m"}}));
  EXPECT_NE(Base, keyOf("other-recipe", 1, {{KeyField::Module, "m"}}));
  // Name/version boundary: "a1" v2 vs "a" v12.
  EXPECT_NE(keyOf("a1", 2, {}), keyOf("a", 12, {}));
}

TEST(KeyBuilder, RecipeIsItsOwnField) {
  // The recipe is a tagged field, not a bare prefix: a recipe named "r"
  // differs from the same bytes added as a different field.
  KeyBuilder A("r", 1);
  KeyBuilder B("r", 1);
  B.add(KeyField::Recipe, "r/1");
  EXPECT_NE(A.finish(), B.finish());
}

TEST(KeyBuilder, TraceRecordsFieldsInOrder) {
  KeyBuilder B("dtlto-job", 7);
  B.add(KeyField::CompilerArg, "-O2");
  B.add(KeyField::HostCPU, "znver4");
  B.add(KeyField::CompilerArg, "");
  const auto &T = B.trace();
  ASSERT_EQ(T.size(), 4u);
  EXPECT_EQ(T[0].Field, KeyField::Recipe);
  EXPECT_EQ(T[0].Value, "dtlto-job/7");
  EXPECT_EQ(T[1].Field, KeyField::CompilerArg);
  EXPECT_EQ(T[1].Value, "-O2");
  EXPECT_EQ(T[2].Field, KeyField::HostCPU);
  EXPECT_EQ(T[2].Value, "znver4");
  EXPECT_EQ(T[3].Field, KeyField::CompilerArg);
  EXPECT_EQ(T[3].Value, "");
}

TEST(KeyBuilder, TraceDigestsBinaryAndLongValues) {
  std::string Binary("ab\0cd", 5);
  std::string NonAscii = "caf\xc3\xa9";
  std::string Newline = "a\nb";
  std::string Long(161, 'x');
  std::string Boundary(160, 'y');

  KeyBuilder B("r", 1);
  B.add(KeyField::Module, Binary);
  B.add(KeyField::CompilerArg, NonAscii);
  B.add(KeyField::CompilerArg, Newline);
  B.add(KeyField::CompilerArg, Long);
  B.add(KeyField::CompilerArg, Boundary);
  Digest D = hashBytes("digest me");
  B.add(KeyField::ImportedModule, D);
  const auto &T = B.trace();
  ASSERT_EQ(T.size(), 7u);
  EXPECT_EQ(T[1].Field, KeyField::Module);
  EXPECT_EQ(T[1].Value, "blake3:" + toHex(hashBytes(Binary)));
  EXPECT_EQ(T[2].Value, "blake3:" + toHex(hashBytes(NonAscii)));
  EXPECT_EQ(T[3].Value, "blake3:" + toHex(hashBytes(Newline)));
  EXPECT_EQ(T[4].Value, "blake3:" + toHex(hashBytes(Long)));
  // 160 printable bytes is still "short": verbatim.
  EXPECT_EQ(T[5].Value, Boundary);
  // A Digest is hashed as its 32 raw bytes and traced as itself, so a key
  // log shows the same digest for a file wherever it appears.
  EXPECT_EQ(T[6].Field, KeyField::ImportedModule);
  EXPECT_EQ(T[6].Value, "blake3:" + toHex(D));
}

TEST(KeyBuilder, DigestOverloadMatchesRawBytes) {
  Digest D = hashBytes("content");
  KeyBuilder A("r", 1), B("r", 1);
  A.add(KeyField::ImportedModule, D);
  B.add(KeyField::ImportedModule,
        llvm::StringRef(reinterpret_cast<const char *>(D.data()), D.size()));
  EXPECT_EQ(A.finish(), B.finish());
}

TEST(KeyFieldName, NamesEveryField) {
  EXPECT_EQ(keyFieldName(KeyField::Recipe), "recipe");
  EXPECT_EQ(keyFieldName(KeyField::CompilerIdentity), "compiler-identity");
  EXPECT_EQ(keyFieldName(KeyField::CompilerArg), "compiler-arg");
  EXPECT_EQ(keyFieldName(KeyField::ReferencedFile), "referenced-file");
  EXPECT_EQ(keyFieldName(KeyField::HostCPU), "host-cpu");
  EXPECT_EQ(keyFieldName(KeyField::Module), "module");
  EXPECT_EQ(keyFieldName(KeyField::SummaryShard), "summary-shard");
  EXPECT_EQ(keyFieldName(KeyField::ImportedModule), "imported-module");
  EXPECT_EQ(keyFieldName(KeyField::ModuleRecipe), "module-recipe");
  EXPECT_EQ(keyFieldName(KeyField::CommonInput), "common-input");
  EXPECT_EQ(keyFieldName(KeyField::ToolVersion), "tool-version");
  EXPECT_EQ(keyFieldName(KeyField::MemoInput), "memo-input");
  EXPECT_EQ(keyFieldName(KeyField::Launcher), "launcher");
  EXPECT_EQ(keyFieldName(KeyField::CompilerLibrary), "compiler-library");
  EXPECT_EQ(keyFieldName(KeyField::Environment), "environment");
  EXPECT_EQ(keyFieldName(KeyField::ConfigFile), "config-file");
  EXPECT_EQ(keyFieldName(KeyField::ConfigArg), "config-arg");
  EXPECT_EQ(keyFieldName(KeyField::ResponseFile), "response-file");
  // Tag values are hashed: they must never change.
  EXPECT_EQ(static_cast<uint16_t>(KeyField::Recipe), 1);
  EXPECT_EQ(static_cast<uint16_t>(KeyField::CommonInput), 10);
  EXPECT_EQ(static_cast<uint16_t>(KeyField::ToolVersion), 11);
  EXPECT_EQ(static_cast<uint16_t>(KeyField::MemoInput), 12);
  EXPECT_EQ(static_cast<uint16_t>(KeyField::Launcher), 17);
  EXPECT_EQ(static_cast<uint16_t>(KeyField::ResponseFile), 22);
}

TEST(Digest, HexRoundTrip) {
  Digest D = hashBytes("hello");
  std::string Hex = toHex(D);
  ASSERT_EQ(Hex.size(), 64u);
  EXPECT_EQ(Hex.find_first_not_of("0123456789abcdef"), std::string::npos)
      << Hex;
  std::optional<Digest> Back = digestFromHex(Hex);
  ASSERT_TRUE(Back);
  EXPECT_EQ(*Back, D);

  Digest Pattern;
  for (size_t I = 0; I < Pattern.size(); ++I)
    Pattern[I] = static_cast<uint8_t>(I * 8 + 1);
  EXPECT_EQ(toHex(Pattern).substr(0, 8), "01091119");
  EXPECT_EQ(digestFromHex(toHex(Pattern)), Pattern);
}

TEST(Digest, HexAcceptsUpperCase) {
  Digest D = hashBytes("upper");
  std::string Hex = llvm::StringRef(toHex(D)).upper();
  EXPECT_EQ(digestFromHex(Hex), D);
}

TEST(Digest, HexRejectsBadInput) {
  std::string Good = toHex(hashBytes("x"));
  EXPECT_FALSE(digestFromHex(""));
  EXPECT_FALSE(digestFromHex(Good.substr(0, 63)));
  EXPECT_FALSE(digestFromHex(Good.substr(0, 62)));
  EXPECT_FALSE(digestFromHex(Good + "0"));
  EXPECT_FALSE(digestFromHex(Good + "00"));
  std::string BadChar = Good;
  BadChar[10] = 'g';
  EXPECT_FALSE(digestFromHex(BadChar));
  std::string Space = Good;
  Space[63] = ' ';
  EXPECT_FALSE(digestFromHex(Space));
  std::string Prefixed = "0x" + Good.substr(2);
  EXPECT_FALSE(digestFromHex(Prefixed));
}

TEST(Digest, HashBytesIsBlake3) {
  // BLAKE3 of the empty input (from the BLAKE3 reference test vectors).
  EXPECT_EQ(toHex(hashBytes("")),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
  EXPECT_NE(hashBytes("a"), hashBytes("b"));
}

TEST(Digest, HashFile) {
  TempDir Dir;
  std::string Path = Dir.sub("f.bin");
  std::string Data("file\0content", 12);
  writeFile(Path, Data);
  auto D = hashFile(Path);
  ASSERT_TRUE(static_cast<bool>(D)) << errorMessage(D);
  EXPECT_EQ(*D, hashBytes(Data));

  auto Missing = hashFile(Dir.sub("missing"));
  ASSERT_FALSE(static_cast<bool>(Missing));
  EXPECT_CONTAINS(errorMessage(Missing), "missing");
}

} // namespace
