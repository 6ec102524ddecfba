// Definition keys: each edit of a module changes exactly the keys of the
// definitions an importer would take differently, and nothing else; keys do
// not depend on the order or numbering of the module's text; names of locals
// are flagged.
#include "Key/DefinitionKeys.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <map>
#include <set>
#include <string>

using namespace ltocache;
using namespace llvm;

namespace {

const char *Base = R"IR(
source_filename = "m.c"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%struct.S = type { i32, i64 }

@g = global i32 5, align 4, !dbg !20
@ro = internal constant [4 x i8] c"abc\00", align 1

declare i32 @h(i32) #1

define i32 @f(i32 %x) #2 !dbg !10 {
entry:
  %a = add nsw i32 %x, 1, !dbg !15
  %b = call i32 @h(i32 %a), !dbg !15
  %c = load i32, ptr @g, align 4, !dbg !15
  %d = add i32 %b, %c, !dbg !15
  ret i32 %d, !dbg !15
}

define i32 @k(i32 %x) #0 !dbg !30 {
  %r = mul i32 %x, 3, !dbg !31
  %s = add i32 %r, 1, !dbg !32
  ret i32 %s, !dbg !31
}

define ptr @usesLocal() #0 {
  ret ptr @ro
}

define i64 @usesStruct(ptr %p) #0 {
  %q = getelementptr inbounds %struct.S, ptr %p, i32 0, i32 1
  %v = load i64, ptr %q, align 8
  ret i64 %v
}

define void @loop(ptr %p, i32 %n) #0 {
entry:
  br label %body
body:
  %i = phi i32 [ 0, %entry ], [ %i2, %body ]
  %i2 = add i32 %i, 1
  %c = icmp slt i32 %i2, %n
  br i1 %c, label %body, label %exit, !llvm.loop !40
exit:
  ret void
}

attributes #0 = { nounwind }
attributes #1 = { nounwind }
attributes #2 = { nounwind "frame-pointer"="none" }

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!5, !6}
!0 = distinct !DICompileUnit(language: DW_LANG_C11, file: !1, producer: "test", isOptimized: true, runtimeVersion: 0, emissionKind: FullDebug, globals: !2)
!1 = !DIFile(filename: "m.c", directory: "/tmp")
!2 = !{!20}
!5 = !{i32 7, !"Dwarf Version", i32 5}
!6 = !{i32 2, !"Debug Info Version", i32 3}
!10 = distinct !DISubprogram(name: "f", scope: !1, file: !1, line: 3, type: !11, scopeLine: 3, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!11 = !DISubroutineType(types: !12)
!12 = !{!13, !13}
!13 = !DIBasicType(name: "int", size: 32, encoding: DW_ATE_signed)
!15 = !DILocation(line: 4, column: 7, scope: !10)
!20 = !DIGlobalVariableExpression(var: !21, expr: !DIExpression())
!21 = distinct !DIGlobalVariable(name: "g", scope: !0, file: !1, line: 1, type: !13, isLocal: false, isDefinition: true)
!30 = distinct !DISubprogram(name: "k", scope: !1, file: !1, line: 10, type: !11, scopeLine: 10, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!31 = !DILocation(line: 11, column: 3, scope: !30)
!32 = !DILocation(line: 4, column: 9, scope: !10, inlinedAt: !31)
!40 = distinct !{!40, !41}
!41 = !{!"llvm.loop.mustprogress"}
)IR";

struct Keys {
  std::map<std::string, std::string> Definition; ///< Name -> key (hex).
  std::set<std::string> Locals; ///< Names that refer to locals.
  std::string Context;
};

/// The keys of the module \p IR, through bitcode, as the distributor sees it.
Keys keysOf(const std::string &IR) {
  LLVMContext Ctx;
  SMDiagnostic Err;
  std::unique_ptr<Module> M = parseAssemblyString(IR, Err, Ctx);
  if (!M) {
    std::string Msg;
    raw_string_ostream OS(Msg);
    Err.print("test", OS);
    ADD_FAILURE() << Msg;
    return {};
  }
  SmallString<0> Bitcode;
  raw_svector_ostream OS(Bitcode);
  WriteBitcodeToFile(*M, OS);
  auto K = computeDefinitionKeys(MemoryBufferRef(Bitcode, "m.bc"), {},
                                 /*AllDefinitions=*/true);
  if (!K) {
    ADD_FAILURE() << toString(K.takeError());
    return {};
  }
  Keys Out;
  Out.Context = toHex(K->Context);
  for (auto &[GUID, D] : K->Definitions) {
    Out.Definition[D.Name] = toHex(D.Key);
    if (D.RefersToLocals)
      Out.Locals.insert(D.Name);
  }
  return Out;
}

std::string edit(std::string IR, const std::string &From,
                 const std::string &To) {
  size_t At = IR.find(From);
  EXPECT_NE(At, std::string::npos) << "no '" << From << "' in the module";
  if (At != std::string::npos)
    IR.replace(At, From.size(), To);
  return IR;
}

/// The names whose keys differ between \p A and \p B (of those in both).
std::set<std::string> changed(const Keys &A, const Keys &B) {
  std::set<std::string> Out;
  for (auto &[Name, Key] : A.Definition)
    if (B.Definition.count(Name) && B.Definition.at(Name) != Key)
      Out.insert(Name);
  return Out;
}

struct Edit {
  const char *What;
  const char *From;
  const char *To;
  std::set<std::string> Changes;
  bool ContextChanges = false;
};

class DefinitionKeysEdit : public ::testing::TestWithParam<Edit> {};

TEST_P(DefinitionKeysEdit, ChangesExactlyWhatImportersTake) {
  const Edit &E = GetParam();
  Keys Before = keysOf(Base);
  Keys After = keysOf(edit(Base, E.From, E.To));
  ASSERT_FALSE(Before.Definition.empty());
  EXPECT_EQ(changed(Before, After), E.Changes) << E.What;
  EXPECT_EQ(Before.Context != After.Context, E.ContextChanges) << E.What;
}

const Edit Edits[] = {
    {"an instruction's flag", "add nsw i32 %x, 1", "add i32 %x, 1", {"f"}},
    {"an operand", "mul i32 %x, 3", "mul i32 %x, 5", {"k"}},
    {"a callee's attributes (declarations are copied with them)",
     "attributes #1 = { nounwind }",
     "attributes #1 = { nounwind willreturn }",
     {"f"}},
    {"a referenced variable's initializer (not taken with f)",
     "@g = global i32 5,",
     "@g = global i32 6,",
     {"g"}},
    {"a referenced variable's alignment (its prototype is taken)",
     "global i32 5, align 4",
     "global i32 5, align 8",
     {"f", "g"}},
    {"a referenced variable's visibility",
     "@g = global",
     "@g = hidden global",
     {"f", "g"}},
    {"a load's alignment",
     "load i32, ptr @g, align 4",
     "load i32, ptr @g, align 8",
     {"f"}},
    {"a tail call marker", "%b = call i32 @h", "%b = tail call i32 @h", {"f"}},
    {"a function's own attributes",
     "attributes #2 = { nounwind \"frame-pointer\"=\"none\" }",
     "attributes #2 = { nounwind \"frame-pointer\"=\"all\" }",
     {"f"}},
    {"a section",
     "define i32 @k(i32 %x) #0",
     "define i32 @k(i32 %x) #0 section \".text.k\"",
     {"k"}},
    {"a debug location",
     "!15 = !DILocation(line: 4,",
     "!15 = !DILocation(line: 5,",
     {"f"}},
    {"lines shifting above k (its subprogram and locations)",
     "line: 10, type: !11, scopeLine: 10",
     "line: 12, type: !11, scopeLine: 12",
     {"k"}},
    {"a new function nobody calls",
     "define ptr @usesLocal()",
     "define i32 @fresh() { ret i32 0 }\ndefine ptr @usesLocal()",
     {}},
    {"a new global in the compile unit's list (importers drop that list)",
     "!2 = !{!20}",
     "!2 = !{!20, !50}\n!50 = !DIGlobalVariableExpression(var: !51, expr: "
     "!DIExpression())\n!51 = distinct !DIGlobalVariable(name: \"other\", "
     "scope: !0, file: !1, line: 2, type: !13, isLocal: false, isDefinition: "
     "true)",
     {}},
    {"the compile unit itself (every definition with debug information)",
     "producer: \"test\"",
     "producer: \"other\"",
     {"f", "g", "k"},
     true},
    {"a struct's layout",
     "%struct.S = type { i32, i64 }",
     "%struct.S = type { i64, i64 }",
     {"usesStruct"}},
    {"a local constant's bytes (taken with it only)",
     "c\"abc\\00\"",
     "c\"abd\\00\"",
     {"ro"}},
    {"loop metadata (a cycle)",
     "!{!\"llvm.loop.mustprogress\"}",
     "!{!\"llvm.loop.unroll.disable\"}",
     {"loop"}},
    {"a compare predicate", "icmp slt", "icmp sgt", {"loop"}},
    {"the order of a phi's incoming blocks",
     "[ 0, %entry ], [ %i2, %body ]",
     "[ %i2, %body ], [ 0, %entry ]",
     {"loop"}},
    {"a module flag (the context every importer takes)",
     "i32 7, !\"Dwarf Version\", i32 5",
     "i32 7, !\"Dwarf Version\", i32 4",
     {},
     true},
    {"the triple", "x86_64-pc-linux-gnu", "x86_64-unknown-linux-gnu", {}, true},
};

INSTANTIATE_TEST_SUITE_P(Edits, DefinitionKeysEdit, ::testing::ValuesIn(Edits),
                         [](const ::testing::TestParamInfo<Edit> &Info) {
                           std::string Name = std::to_string(Info.index) + "_";
                           for (const char *C = Info.param.What;
                                *C && Name.size() < 48; ++C)
                             Name += isalnum(static_cast<unsigned char>(*C))
                                         ? *C
                                         : '_';
                           return Name;
                         });

TEST(DefinitionKeys, LocalsAreFlagged) {
  Keys K = keysOf(Base);
  // usesLocal names @ro, which is internal: importers know it by a
  // promoted name that carries the module's hash. @ro itself is local.
  EXPECT_EQ(K.Locals, (std::set<std::string>{"ro", "usesLocal"}));
}

TEST(DefinitionKeys, SameContentSameKeysWhateverTheNumbering) {
  // The same module with its metadata renumbered and another definition
  // first: every key is the same.
  std::string Renumbered = Base;
  for (auto [From, To] :
       std::initializer_list<std::pair<const char *, const char *>>{
           {"!40", "!90"}, {"!41", "!91"}, {"!15", "!95"}})
    while (Renumbered.find(From) != std::string::npos)
      Renumbered = edit(Renumbered, From, To);
  Renumbered =
      edit(Renumbered, "declare i32 @h(i32) #1",
           "define i32 @first() { ret i32 1 }\ndeclare i32 @h(i32) #1");
  Keys A = keysOf(Base), B = keysOf(Renumbered);
  EXPECT_EQ(changed(A, B), std::set<std::string>{});
  EXPECT_EQ(A.Context, B.Context);
  // And twice in a row.
  EXPECT_EQ(keysOf(Base).Definition, A.Definition);
}

TEST(DefinitionKeys, WhatTheHasherDoesNotKnowIsAnErrorOnlyIfAsked) {
  // An ifunc definition: the hasher does not key it. Asked for, it fails
  // the module (its importers then key it whole); not asked for, the rest
  // of the module is keyed as ever.
  std::string IR = edit(Base, "declare i32 @h(i32) #1",
                        "declare i32 @h(i32) #1\n"
                        "define internal ptr @resolve() { ret ptr @k }\n"
                        "@picked = ifunc i32 (i32), ptr @resolve");
  LLVMContext Ctx;
  SMDiagnostic Err;
  std::unique_ptr<Module> M = parseAssemblyString(IR, Err, Ctx);
  ASSERT_TRUE(M);
  SmallString<0> Bitcode;
  raw_svector_ostream OS(Bitcode);
  WriteBitcodeToFile(*M, OS);
  MemoryBufferRef Ref(Bitcode, "m.bc");
  auto All = computeDefinitionKeys(Ref, {}, /*AllDefinitions=*/true);
  ASSERT_FALSE(bool(All));
  EXPECT_NE(toString(All.takeError()).find("definition of value id"),
            std::string::npos);
  uint64_t F = M->getFunction("f")->getGUID();
  auto JustF = computeDefinitionKeys(Ref, {F});
  ASSERT_TRUE(bool(JustF)) << toString(JustF.takeError());
  EXPECT_EQ(JustF->Definitions.size(), 1u);
  EXPECT_EQ(JustF->Definitions.at(F).Key,
            keysOf(Base).Definition.count("f")
                ? *digestFromHex(keysOf(Base).Definition.at("f"))
                : Digest());
  // A GUID the module does not define is absent, not an error.
  auto Unknown = computeDefinitionKeys(Ref, {12345});
  ASSERT_TRUE(bool(Unknown));
  EXPECT_TRUE(Unknown->Absent.count(12345));
}

TEST(DefinitionKeys, NotBitcodeIsAnError) {
  auto K = computeDefinitionKeys(MemoryBufferRef("not bitcode", "x"), {});
  EXPECT_FALSE(bool(K));
  consumeError(K.takeError());
}

} // namespace
