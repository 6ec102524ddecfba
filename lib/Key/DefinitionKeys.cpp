//===- DefinitionKeys.cpp - What an importer takes from a module ----------===//
//
// Completeness comes first: a field left out of a hash is a wrong hit. So
// the node kinds with fields outside their operands (debug information) are
// hashed through LLVM's own printer, which writes every field of a node for
// the textual IR; instructions through their opcode, type, operands,
// optional flags and the "special state" LLVM itself compares in
// Instruction::hasSameSpecialState, plus the few fields it compares
// elsewhere (PHI blocks, landing pad clauses); attributes through their
// textual form. A kind the hasher does not list fails the module.
//
//===----------------------------------------------------------------------===//

#include "Key/DefinitionKeys.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/DebugProgramInstruction.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalAlias.h"
#include "llvm/IR/GlobalIFunc.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Operator.h"
#include "llvm/Support/BLAKE3.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace ltocache {

namespace {

/// Tagged, length-prefixed fields into one BLAKE3 hash: two different field
/// sequences never give the same byte stream. Fields are small and many:
/// they are gathered and hashed a few kilobytes at a time.
class Stream {
public:
  void tag(char T) { put(&T, 1); }
  void u64(uint64_t V) {
    uint8_t B[8];
    support::endian::write64le(B, V);
    put(B, 8);
  }
  void str(StringRef S) {
    u64(S.size());
    put(S.data(), S.size());
  }
  void dig(const Digest &D) { put(D.data(), D.size()); }
  Digest finish() {
    flush();
    Digest D;
    BLAKE3Result<32> R = H.final();
    std::copy(R.begin(), R.end(), D.begin());
    return D;
  }

private:
  void put(const void *P, size_t N) {
    if (Used + N > sizeof(Buffer)) {
      flush();
      if (N > sizeof(Buffer)) {
        H.update(ArrayRef<uint8_t>(static_cast<const uint8_t *>(P), N));
        return;
      }
    }
    memcpy(Buffer + Used, P, N);
    Used += N;
  }
  void flush() {
    H.update(ArrayRef<uint8_t>(Buffer, Used));
    Used = 0;
  }
  BLAKE3 H;
  uint8_t Buffer[4096];
  size_t Used = 0;
};

/// A hash and whether what it covers names a local global (whose name in
/// an importer carries the module's hash).
struct Hashed {
  Digest D{};
  bool Local = false;
};

class ModuleHasher {
public:
  explicit ModuleHasher(Module &M) : M(M) {
    M.getContext().getMDKindNames(KindNames);
  }

  Digest type(Type *T);
  Hashed constant(const Constant *C);
  Hashed proto(const GlobalValue *GV);
  Hashed metadata(const Metadata *MD);
  Hashed definition(GlobalValue &GV);
  Hashed context();

  void unsupported(const Twine &What) {
    if (Failure.empty())
      Failure = What.str();
  }
  bool failed() const { return !Failure.empty(); }
  const std::string &failure() const { return Failure; }

  StringRef kindName(unsigned Kind) const {
    return Kind < KindNames.size() ? KindNames[Kind] : StringRef("<kind>");
  }
  /// (kind name, hash) of every attachment of \p GO.
  void attachments(const GlobalObject &GO, Stream &S, bool &Local);
  void attributes(const AttributeList &AL, Stream &S);
  void attributeSet(const AttributeSet &AS, Stream &S);

private:
  friend class FunctionHasher;
  struct Node;
  Hashed node(const MDNode *Root);
  /// The operands of \p N whose hashes its own hash depends on (a compile
  /// unit's lists that importers do not take are left out).
  void successors(const MDNode *N, SmallVectorImpl<const MDNode *> &Out);
  bool isStripped(const MDNode *N, const Metadata *Op) const;
  /// \p N as LLVM's printer writes it, with references to other nodes
  /// replaced by their hashes, or by their position in \p Members (the
  /// strongly connected component being hashed; -1: not yet known).
  std::string render(const MDNode *N,
                     const DenseMap<const MDNode *, int> *Members, bool &Local);
  void finishComponent(ArrayRef<const MDNode *> Nodes);

  Module &M;
  SmallVector<StringRef, 32> KindNames;
  std::string Failure;
  DenseMap<Type *, Digest> Types;
  DenseMap<const Constant *, Hashed> Constants;
  DenseMap<const GlobalValue *, Hashed> Protos;
  DenseSet<const GlobalValue *> ProtosInProgress;
  DenseMap<const Metadata *, Hashed> Nodes;
  /// Each node's printed text, kept while its component is hashed.
  DenseMap<const MDNode *, std::string> Printed;
};

//===----------------------------------------------------------------------===//
// Types, constants, prototypes
//===----------------------------------------------------------------------===//

Digest ModuleHasher::type(Type *T) {
  if (auto It = Types.find(T); It != Types.end())
    return It->second;
  Stream S;
  S.tag('T');
  S.u64(T->getTypeID());
  switch (T->getTypeID()) {
  case Type::HalfTyID:
  case Type::BFloatTyID:
  case Type::FloatTyID:
  case Type::DoubleTyID:
  case Type::X86_FP80TyID:
  case Type::FP128TyID:
  case Type::PPC_FP128TyID:
  case Type::VoidTyID:
  case Type::LabelTyID:
  case Type::MetadataTyID:
  case Type::X86_AMXTyID:
  case Type::TokenTyID:
    break;
  case Type::IntegerTyID:
    S.u64(cast<IntegerType>(T)->getBitWidth());
    break;
  case Type::PointerTyID:
    S.u64(T->getPointerAddressSpace());
    break;
  case Type::FunctionTyID: {
    auto *FT = cast<FunctionType>(T);
    S.u64(FT->isVarArg());
    S.dig(type(FT->getReturnType()));
    S.u64(FT->getNumParams());
    for (Type *P : FT->params())
      S.dig(type(P));
    break;
  }
  case Type::StructTyID: {
    auto *ST = cast<StructType>(T);
    S.u64(ST->isLiteral());
    S.str(ST->hasName() ? ST->getName() : "");
    S.u64(ST->isPacked());
    S.u64(ST->isOpaque());
    S.u64(ST->getNumElements());
    for (Type *E : ST->elements())
      S.dig(type(E));
    break;
  }
  case Type::ArrayTyID:
    S.u64(cast<ArrayType>(T)->getNumElements());
    S.dig(type(T->getArrayElementType()));
    break;
  case Type::FixedVectorTyID:
  case Type::ScalableVectorTyID: {
    auto *VT = cast<VectorType>(T);
    S.u64(VT->getElementCount().getKnownMinValue());
    S.dig(type(VT->getElementType()));
    break;
  }
  case Type::TargetExtTyID: {
    auto *TT = cast<TargetExtType>(T);
    S.str(TT->getName());
    S.u64(TT->getNumTypeParameters());
    for (Type *P : TT->type_params())
      S.dig(type(P));
    S.u64(TT->getNumIntParameters());
    for (unsigned I : TT->int_params())
      S.u64(I);
    break;
  }
  default:
    unsupported("type id " + Twine(T->getTypeID()));
    break;
  }
  Digest D = S.finish();
  Types[T] = D;
  return D;
}

static std::string apintText(const APInt &V) {
  return std::to_string(V.getBitWidth()) + ":" + toString(V, 16, false);
}

Hashed ModuleHasher::constant(const Constant *C) {
  if (auto It = Constants.find(C); It != Constants.end())
    return It->second;
  Stream S;
  S.tag('C');
  S.u64(C->getValueID());
  S.dig(type(C->getType()));
  bool Local = false;
  bool HashOperands = false;
  if (auto *GV = dyn_cast<GlobalValue>(C)) {
    Hashed P = proto(GV);
    S.dig(P.D);
    Local = P.Local;
  } else if (auto *CI = dyn_cast<ConstantInt>(C)) {
    S.str(apintText(CI->getValue()));
  } else if (auto *CF = dyn_cast<ConstantFP>(C)) {
    S.str(apintText(CF->getValueAPF().bitcastToAPInt()));
  } else if (isa<ConstantPointerNull>(C) || isa<ConstantAggregateZero>(C) ||
             isa<UndefValue>(C) || isa<ConstantTokenNone>(C) ||
             isa<ConstantTargetNone>(C)) {
    // The value id (poison is not undef) and the type say it all.
  } else if (auto *CDS = dyn_cast<ConstantDataSequential>(C)) {
    S.str(CDS->getRawDataValues());
  } else if (isa<ConstantAggregate>(C) || isa<ConstantPtrAuth>(C)) {
    HashOperands = true;
  } else if (auto *CE = dyn_cast<ConstantExpr>(C)) {
    S.u64(CE->getOpcode());
    S.u64(CE->getRawSubclassOptionalData());
    if (auto *GEP = dyn_cast<GEPOperator>(CE)) {
      S.dig(type(GEP->getSourceElementType()));
      S.u64(GEP->getNoWrapFlags().getRaw());
      if (std::optional<ConstantRange> R = GEP->getInRange())
        S.str(apintText(R->getLower()) + "," + apintText(R->getUpper()));
      else
        S.str("");
    } else if (CE->getOpcode() == Instruction::ShuffleVector) {
      for (int I : CE->getShuffleMask())
        S.u64(static_cast<uint64_t>(static_cast<int64_t>(I)));
    }
    HashOperands = true;
  } else if (auto *BA = dyn_cast<BlockAddress>(C)) {
    const Function *F = BA->getFunction();
    Hashed P = proto(F);
    S.dig(P.D);
    Local = P.Local;
    if (F->isMaterializable()) {
      unsupported("block address in a function that is not loaded");
    } else {
      unsigned Index = 0;
      for (const BasicBlock &BB : *F) {
        if (&BB == BA->getBasicBlock())
          break;
        ++Index;
      }
      S.u64(Index);
    }
  } else if (auto *E = dyn_cast<DSOLocalEquivalent>(C)) {
    Hashed P = proto(E->getGlobalValue());
    S.dig(P.D);
    Local = P.Local;
  } else if (auto *N = dyn_cast<NoCFIValue>(C)) {
    Hashed P = proto(N->getGlobalValue());
    S.dig(P.D);
    Local = P.Local;
  } else {
    unsupported("constant of value id " + Twine(C->getValueID()));
  }
  if (HashOperands) {
    S.u64(C->getNumOperands());
    for (const Use &U : C->operands()) {
      Hashed H = constant(cast<Constant>(U.get()));
      S.dig(H.D);
      Local |= H.Local;
    }
  }
  Hashed Out{S.finish(), Local};
  Constants[C] = Out;
  return Out;
}

void ModuleHasher::attributeSet(const AttributeSet &AS, Stream &S) {
  S.str(AS.getAsString(/*InAttrGrp=*/true));
  // byval(%T) and friends print the type by name: its layout matters.
  for (const Attribute &A : AS)
    if (A.isTypeAttribute() && A.getValueAsType())
      S.dig(type(A.getValueAsType()));
}

void ModuleHasher::attributes(const AttributeList &AL, Stream &S) {
  S.u64(AL.getNumAttrSets());
  for (unsigned I : AL.indexes()) {
    S.u64(I);
    attributeSet(AL.getAttributes(I), S);
  }
}

void ModuleHasher::attachments(const GlobalObject &GO, Stream &S, bool &Local) {
  SmallVector<std::pair<unsigned, MDNode *>, 4> MDs;
  GO.getAllMetadata(MDs);
  S.u64(MDs.size());
  for (auto &[Kind, N] : MDs) {
    S.str(kindName(Kind));
    Hashed H = metadata(N);
    S.dig(H.D);
    Local |= H.Local;
  }
}

/// What an importer's declaration of \p GV is made of: IRMover copies a
/// referenced global's prototype (attributes, linkage, section, ...) and,
/// for variables and declarations, its metadata; never a body.
Hashed ModuleHasher::proto(const GlobalValue *GV) {
  if (auto It = Protos.find(GV); It != Protos.end())
    return It->second;
  Stream S;
  S.tag('P');
  if (!ProtosInProgress.insert(GV).second) {
    // Globals whose metadata name each other: the cycle is cut at the
    // same place every time, as the walk is deterministic.
    S.str(GV->getName());
    return {S.finish(), GV->hasLocalLinkage()};
  }
  bool Local = GV->hasLocalLinkage();
  if (!GV->hasName())
    unsupported("unnamed global");
  S.u64(GV->getValueID());
  S.str(GV->getName());
  S.u64(GV->getLinkage());
  S.u64(GV->getVisibility());
  S.u64(GV->getDLLStorageClass());
  S.u64(GV->getThreadLocalMode());
  S.u64(static_cast<unsigned>(GV->getUnnamedAddr()));
  S.u64(GV->getAddressSpace());
  S.dig(type(GV->getValueType()));
  S.u64(GV->isDSOLocal());
  S.str(GV->getPartition());
  S.u64(GV->isDeclaration());
  if (GV->hasSanitizerMetadata()) {
    const GlobalValue::SanitizerMetadata &SM = GV->getSanitizerMetadata();
    S.u64(1 + SM.NoAddress + 2 * SM.NoHWAddress + 4 * SM.Memtag +
          8 * SM.IsDynInit);
  } else {
    S.u64(0);
  }
  if (auto *GO = dyn_cast<GlobalObject>(GV)) {
    S.str(GO->getSection());
    MaybeAlign A;
    if (auto *F = dyn_cast<Function>(GO))
      A = F->getAlign();
    else if (auto *V = dyn_cast<GlobalVariable>(GO))
      A = V->getAlign();
    S.u64(A ? A->value() : 0);
    if (const Comdat *C = GO->getComdat()) {
      S.u64(1);
      S.str(C->getName());
      S.u64(C->getSelectionKind());
    } else {
      S.u64(0);
    }
  }
  if (auto *F = dyn_cast<Function>(GV)) {
    S.u64(F->getCallingConv());
    attributes(F->getAttributes(), S);
    S.str(F->hasGC() ? F->getGC() : "");
  } else if (auto *V = dyn_cast<GlobalVariable>(GV)) {
    S.u64(V->isConstant());
    S.u64(V->isExternallyInitialized());
    S.u64(V->getCodeModelRaw());
    attributeSet(V->getAttributes(), S);
  }
  // IRMover copies the metadata of variables and of declarations.
  if (auto *GO = dyn_cast<GlobalObject>(GV);
      GO && (isa<GlobalVariable>(GO) || GO->isDeclaration()))
    attachments(*GO, S, Local);
  ProtosInProgress.erase(GV);
  Hashed Out{S.finish(), Local};
  Protos[GV] = Out;
  return Out;
}

//===----------------------------------------------------------------------===//
// Metadata: strongly connected components of the node graph
//===----------------------------------------------------------------------===//

Hashed ModuleHasher::metadata(const Metadata *MD) {
  if (!MD) {
    Stream S;
    S.tag('0');
    return {S.finish(), false};
  }
  if (auto It = Nodes.find(MD); It != Nodes.end())
    return It->second;
  if (auto *N = dyn_cast<MDNode>(MD))
    return node(N);
  Stream S;
  Hashed Out;
  if (auto *Str = dyn_cast<MDString>(MD)) {
    S.tag('S');
    S.str(Str->getString());
  } else if (auto *CAM = dyn_cast<ConstantAsMetadata>(MD)) {
    S.tag('V');
    Hashed C = constant(CAM->getValue());
    S.dig(C.D);
    Out.Local = C.Local;
  } else {
    // Function-local metadata is hashed with its function.
    unsupported("metadata of id " + Twine(MD->getMetadataID()) +
                " outside a function");
  }
  Out.D = S.finish();
  Nodes[MD] = Out;
  return Out;
}

bool ModuleHasher::isStripped(const MDNode *N, const Metadata *Op) const {
  // IRLinker::prepareCompileUnitsForImport: importers take a compile unit
  // without these lists (imported entities are kept: a superset).
  auto *CU = dyn_cast<DICompileUnit>(N);
  return CU && Op &&
         (Op == CU->getRawEnumTypes() || Op == CU->getRawRetainedTypes() ||
          Op == CU->getRawGlobalVariables() || Op == CU->getRawMacros());
}

void ModuleHasher::successors(const MDNode *N,
                              SmallVectorImpl<const MDNode *> &Out) {
  for (const MDOperand &Op : N->operands())
    if (auto *Next = dyn_cast_or_null<MDNode>(Op.get()))
      if (!isStripped(N, Next))
        Out.push_back(Next);
}

/// Parses a "0x..." pointer as LLVM's printer writes it.
static bool parsePointer(StringRef Hex, uintptr_t &P) {
  return !Hex.getAsInteger(16, P);
}

std::string ModuleHasher::render(const MDNode *N,
                                 const DenseMap<const MDNode *, int> *Members,
                                 bool &Local) {
  std::string &Text = Printed[N];
  if (Text.empty()) {
    raw_string_ostream OS(Text);
    N->print(OS, /*M=*/nullptr);
  }
  // Every pointer the printer may write: the node itself and its operands,
  // and those of the locations it writes inline (without slot numbers the
  // printer writes a DILocation operand in place, inlinedAt and all).
  DenseMap<uintptr_t, std::string> Tokens;
  Tokens[reinterpret_cast<uintptr_t>(N)] = "\x01self\x01";
  std::string Extra;
  SmallVector<const MDNode *, 4> Work{N};
  SmallPtrSet<const MDNode *, 4> Inlined{N};
  while (!Work.empty()) {
    const MDNode *Of = Work.pop_back_val();
    for (const MDOperand &Op : Of->operands()) {
      const Metadata *MD = Op.get();
      if (!MD)
        continue;
      uintptr_t P = reinterpret_cast<uintptr_t>(MD);
      if (isStripped(Of, MD)) {
        Tokens[P] = "\x01stripped\x01";
        continue;
      }
      if (auto *Next = dyn_cast<MDNode>(MD)) {
        if (isa<DILocation>(Next) && Inlined.insert(Next).second)
          Work.push_back(Next);
        if (Members) {
          auto It = Members->find(Next);
          if (It != Members->end()) {
            Tokens[P] = It->second < 0
                            ? std::string("\x01member\x01")
                            : "\x01m" + std::to_string(It->second) + "\x01";
            continue;
          }
        }
        auto It = Nodes.find(Next);
        if (It == Nodes.end()) {
          unsupported("metadata graph walked out of order");
          continue;
        }
        Tokens[P] = "\x01h" + toHex(It->second.D) + "\x01";
        Local |= It->second.Local;
        continue;
      }
      // Strings and constants are printed inline; a constant's globals are
      // hashed by prototype.
      Hashed H = metadata(MD);
      Local |= H.Local;
      Extra += "\x01o" + toHex(H.D) + "\x01";
    }
  }
  std::string Out;
  Out.reserve(Text.size() + Extra.size());
  StringRef Rest = Text;
  while (true) {
    size_t Start = Rest.find("<0x");
    if (Start == StringRef::npos) {
      Out += Rest;
      break;
    }
    size_t End = Rest.find('>', Start);
    uintptr_t P = 0;
    auto It =
        End == StringRef::npos || !parsePointer(Rest.slice(Start + 3, End), P)
            ? Tokens.end()
            : Tokens.find(P);
    if (It == Tokens.end()) {
      unsupported("metadata printed with an unknown reference");
      Out += Rest;
      break;
    }
    Out += Rest.take_front(Start);
    Out += It->second;
    Rest = Rest.drop_front(End + 1);
  }
  Out += Extra;
  return Out;
}

/// Hashes a strongly connected component: each member's own rendering with
/// references inside the component replaced by positions in a walk from a
/// start chosen by content (the least rendering; ties: the least walk), so
/// that the result does not depend on where the component was entered.
void ModuleHasher::finishComponent(ArrayRef<const MDNode *> Members) {
  bool SelfLoop = false;
  if (Members.size() == 1)
    for (const MDOperand &Op : Members[0]->operands())
      SelfLoop |= Op.get() == Members[0];
  if (Members.size() == 1 && !SelfLoop) {
    bool Local = false;
    std::string R = render(Members[0], nullptr, Local);
    Stream S;
    S.tag('N');
    S.str(R);
    Nodes[Members[0]] = {S.finish(), Local};
    Printed.erase(Members[0]);
    return;
  }
  DenseMap<const MDNode *, int> Unknown;
  for (const MDNode *N : Members)
    Unknown[N] = -1;
  bool Local = false;
  std::vector<std::pair<std::string, const MDNode *>> Shapes;
  for (const MDNode *N : Members)
    Shapes.push_back({render(N, &Unknown, Local), N});
  llvm::sort(Shapes,
             [](const auto &A, const auto &B) { return A.first < B.first; });

  // A walk from Start in operand order, numbering members as met.
  auto Walk = [&](const MDNode *Start, std::vector<const MDNode *> &Order) {
    DenseMap<const MDNode *, int> Index;
    std::vector<const MDNode *> Work{Start};
    while (!Work.empty()) {
      const MDNode *N = Work.back();
      Work.pop_back();
      if (Index.count(N))
        continue;
      Index[N] = Order.size();
      Order.push_back(N);
      SmallVector<const MDNode *, 8> Next;
      successors(N, Next);
      for (auto I = Next.rbegin(); I != Next.rend(); ++I)
        if (Unknown.count(*I) && !Index.count(*I))
          Work.push_back(*I);
    }
    std::string Text;
    bool Ignored = false;
    for (const MDNode *N : Order) {
      std::string R = render(N, &Index, Ignored);
      Text += std::to_string(R.size()) + ":" + R;
    }
    return std::make_pair(Text, Index);
  };
  std::string Best;
  DenseMap<const MDNode *, int> BestIndex;
  bool First = true;
  for (const auto &[Shape, N] : Shapes) {
    if (!First && Shape != Shapes.front().first)
      break;
    std::vector<const MDNode *> Order;
    auto [Text, Index] = Walk(N, Order);
    if (Order.size() != Members.size())
      unsupported("metadata component not strongly connected");
    if (First || Text < Best) {
      Best = std::move(Text);
      BestIndex = std::move(Index);
    }
    First = false;
  }
  Stream Component;
  Component.tag('Z');
  Component.str(Best);
  Digest ComponentHash = Component.finish();
  for (const MDNode *N : Members) {
    Stream S;
    S.tag('z');
    S.dig(ComponentHash);
    S.u64(BestIndex.lookup(N));
    Nodes[N] = {S.finish(), Local};
  }
  for (const MDNode *N : Members)
    Printed.erase(N);
}

/// Tarjan's algorithm, iteratively (debug information can be deep), from
/// \p Root over nodes not hashed yet.
Hashed ModuleHasher::node(const MDNode *Root) {
  struct Frame {
    const MDNode *N;
    SmallVector<const MDNode *, 8> Next;
    size_t Pos = 0;
  };
  DenseMap<const MDNode *, unsigned> Index, Low;
  DenseSet<const MDNode *> OnStack;
  std::vector<const MDNode *> Stack;
  std::vector<Frame> Calls;
  unsigned Counter = 0;
  auto Enter = [&](const MDNode *N) {
    Index[N] = Low[N] = Counter++;
    Stack.push_back(N);
    OnStack.insert(N);
    Frame F{N, {}, 0};
    successors(N, F.Next);
    Calls.push_back(std::move(F));
  };
  Enter(Root);
  while (!Calls.empty()) {
    Frame &F = Calls.back();
    if (F.Pos < F.Next.size()) {
      const MDNode *W = F.Next[F.Pos++];
      if (Nodes.count(W))
        continue; // Hashed already: a finished component.
      if (!Index.count(W)) {
        Enter(W);
      } else if (OnStack.count(W)) {
        Low[F.N] = std::min(Low[F.N], Index[W]);
      }
      continue;
    }
    const MDNode *N = F.N;
    Calls.pop_back();
    if (!Calls.empty())
      Low[Calls.back().N] = std::min(Low[Calls.back().N], Low[N]);
    if (Low[N] != Index[N])
      continue;
    SmallVector<const MDNode *, 8> Members;
    const MDNode *W;
    do {
      W = Stack.back();
      Stack.pop_back();
      OnStack.erase(W);
      Members.push_back(W);
    } while (W != N);
    // Hashing a member may hash other nodes through globals' metadata; a
    // component already finished that way is not hashed twice.
    if (llvm::all_of(Members, [&](const MDNode *X) { return Nodes.count(X); }))
      continue;
    finishComponent(Members);
  }
  return Nodes.lookup(Root);
}

//===----------------------------------------------------------------------===//
// Definitions
//===----------------------------------------------------------------------===//

/// A function's body: values inside it by position, the rest by hash.
class FunctionHasher {
public:
  FunctionHasher(ModuleHasher &MH, const Function &F, Stream &S)
      : MH(MH), S(S) {
    for (const Argument &A : F.args())
      Slots[&A] = Slots.size();
    for (const BasicBlock &BB : F) {
      Slots[&BB] = Slots.size();
      for (const Instruction &I : BB)
        Slots[&I] = Slots.size();
    }
  }
  bool Local = false;

  void body(const Function &F) {
    S.u64(F.size());
    for (const BasicBlock &BB : F) {
      S.tag('B');
      S.u64(BB.size());
      for (const Instruction &I : BB)
        instruction(I);
    }
  }

private:
  void value(const Value *V) {
    if (auto It = Slots.find(V); It != Slots.end()) {
      S.tag('s');
      S.u64(It->second);
      return;
    }
    if (auto *C = dyn_cast<Constant>(V)) {
      Hashed H = MH.constant(C);
      S.tag('c');
      S.dig(H.D);
      Local |= H.Local;
      return;
    }
    if (auto *IA = dyn_cast<InlineAsm>(V)) {
      S.tag('A');
      S.str(IA->getAsmString());
      S.str(IA->getConstraintString());
      S.u64(IA->hasSideEffects());
      S.u64(IA->isAlignStack());
      S.u64(IA->getDialect());
      S.u64(IA->canThrow());
      S.dig(MH.type(IA->getFunctionType()));
      return;
    }
    if (auto *MAV = dyn_cast<MetadataAsValue>(V)) {
      S.tag('M');
      metadata(MAV->getMetadata());
      return;
    }
    MH.unsupported("value of id " + Twine(V->getValueID()));
  }

  void metadata(const Metadata *MD) {
    if (auto *L = dyn_cast_or_null<LocalAsMetadata>(MD)) {
      S.tag('l');
      value(L->getValue());
      return;
    }
    if (auto *AL = dyn_cast_or_null<DIArgList>(MD)) {
      S.tag('L');
      S.u64(AL->getArgs().size());
      for (ValueAsMetadata *A : AL->getArgs())
        metadata(A);
      return;
    }
    Hashed H = MH.metadata(MD);
    S.tag('m');
    S.dig(H.D);
    Local |= H.Local;
  }

  void syncScope(const Instruction &I, SyncScope::ID ID) {
    std::optional<StringRef> Name = I.getContext().getSyncScopeName(ID);
    S.str(Name ? *Name : "<unknown>");
  }

  void records(const Instruction &I) {
    for (const DbgRecord &DR : I.getDbgRecordRange()) {
      if (auto *DVR = dyn_cast<DbgVariableRecord>(&DR)) {
        S.tag('R');
        S.u64(static_cast<unsigned>(DVR->getType()));
        metadata(DVR->getRawLocation());
        metadata(DVR->getRawVariable());
        metadata(DVR->getRawExpression());
        if (DVR->isDbgAssign()) {
          metadata(DVR->getRawAssignID());
          metadata(DVR->getRawAddress());
          metadata(DVR->getRawAddressExpression());
        }
      } else if (auto *DLR = dyn_cast<DbgLabelRecord>(&DR)) {
        S.tag('r');
        metadata(DLR->getRawLabel());
      } else {
        MH.unsupported("debug record kind");
      }
      metadata(DR.getDebugLoc().getAsMDNode());
    }
  }

  void instruction(const Instruction &I) {
    records(I);
    S.tag('I');
    S.str(I.getOpcodeName());
    S.dig(MH.type(I.getType()));
    S.u64(I.getRawSubclassOptionalData());
    S.u64(I.getNumOperands());
    for (const Use &U : I.operands())
      value(U.get());
    specialState(I);
    SmallVector<std::pair<unsigned, MDNode *>, 4> MDs;
    I.getAllMetadata(MDs);
    S.u64(MDs.size());
    for (auto &[Kind, N] : MDs) {
      S.str(MH.kindName(Kind));
      metadata(N);
    }
  }

  /// Instruction::hasSameSpecialState, and what isIdenticalTo compares
  /// beside it; an opcode not listed fails the module.
  void specialState(const Instruction &I) {
    switch (I.getOpcode()) {
    case Instruction::Alloca: {
      auto &A = cast<AllocaInst>(I);
      S.dig(MH.type(A.getAllocatedType()));
      S.u64(A.getAlign().value());
      S.u64(A.isUsedWithInAlloca());
      S.u64(A.isSwiftError());
      return;
    }
    case Instruction::Load: {
      auto &L = cast<LoadInst>(I);
      S.u64(L.isVolatile());
      S.u64(L.getAlign().value());
      S.u64(static_cast<unsigned>(L.getOrdering()));
      syncScope(I, L.getSyncScopeID());
      return;
    }
    case Instruction::Store: {
      auto &St = cast<StoreInst>(I);
      S.u64(St.isVolatile());
      S.u64(St.getAlign().value());
      S.u64(static_cast<unsigned>(St.getOrdering()));
      syncScope(I, St.getSyncScopeID());
      return;
    }
    case Instruction::ICmp:
    case Instruction::FCmp:
      S.u64(cast<CmpInst>(I).getPredicate());
      return;
    case Instruction::Call:
    case Instruction::Invoke:
    case Instruction::CallBr: {
      auto &CB = cast<CallBase>(I);
      S.u64(CB.getCallingConv());
      MH.attributes(CB.getAttributes(), S);
      S.dig(MH.type(CB.getFunctionType()));
      if (auto *CI = dyn_cast<CallInst>(&I))
        S.u64(CI->getTailCallKind());
      S.u64(CB.getNumOperandBundles());
      for (unsigned B = 0; B < CB.getNumOperandBundles(); ++B) {
        OperandBundleUse U = CB.getOperandBundleAt(B);
        S.str(U.getTagName());
        S.u64(U.Inputs.size());
      }
      if (auto *BR = dyn_cast<CallBrInst>(&I))
        S.u64(BR->getNumIndirectDests());
      return;
    }
    case Instruction::ExtractValue:
      for (unsigned Idx : cast<ExtractValueInst>(I).getIndices())
        S.u64(Idx);
      return;
    case Instruction::InsertValue:
      for (unsigned Idx : cast<InsertValueInst>(I).getIndices())
        S.u64(Idx);
      return;
    case Instruction::Fence: {
      auto &F = cast<FenceInst>(I);
      S.u64(static_cast<unsigned>(F.getOrdering()));
      syncScope(I, F.getSyncScopeID());
      return;
    }
    case Instruction::AtomicCmpXchg: {
      auto &X = cast<AtomicCmpXchgInst>(I);
      S.u64(X.isVolatile());
      S.u64(X.isWeak());
      S.u64(static_cast<unsigned>(X.getSuccessOrdering()));
      S.u64(static_cast<unsigned>(X.getFailureOrdering()));
      S.u64(X.getAlign().value());
      syncScope(I, X.getSyncScopeID());
      return;
    }
    case Instruction::AtomicRMW: {
      auto &X = cast<AtomicRMWInst>(I);
      S.u64(X.getOperation());
      S.u64(X.isVolatile());
      S.u64(static_cast<unsigned>(X.getOrdering()));
      S.u64(X.getAlign().value());
      syncScope(I, X.getSyncScopeID());
      return;
    }
    case Instruction::ShuffleVector:
      for (int M : cast<ShuffleVectorInst>(I).getShuffleMask())
        S.u64(static_cast<uint64_t>(static_cast<int64_t>(M)));
      return;
    case Instruction::GetElementPtr: {
      auto &G = cast<GetElementPtrInst>(I);
      S.dig(MH.type(G.getSourceElementType()));
      S.u64(G.getNoWrapFlags().getRaw());
      return;
    }
    case Instruction::PHI:
      for (const BasicBlock *BB : cast<PHINode>(I).blocks())
        value(BB);
      return;
    case Instruction::LandingPad: {
      auto &LP = cast<LandingPadInst>(I);
      S.u64(LP.isCleanup());
      S.u64(LP.getNumClauses());
      for (unsigned C = 0; C < LP.getNumClauses(); ++C)
        S.u64(LP.isCatch(C));
      return;
    }
    // All their state is in their opcode, type, operands and flags.
    case Instruction::Ret:
    case Instruction::Br:
    case Instruction::Switch:
    case Instruction::IndirectBr:
    case Instruction::Resume:
    case Instruction::Unreachable:
    case Instruction::CleanupRet:
    case Instruction::CatchRet:
    case Instruction::CatchSwitch:
    case Instruction::CleanupPad:
    case Instruction::CatchPad:
    case Instruction::FNeg:
    case Instruction::Select:
    case Instruction::VAArg:
    case Instruction::ExtractElement:
    case Instruction::InsertElement:
    case Instruction::Freeze:
      return;
    default:
      if (I.isBinaryOp() || I.isCast())
        return;
      MH.unsupported(Twine("instruction ") + I.getOpcodeName());
      return;
    }
  }

  ModuleHasher &MH;
  Stream &S;
  DenseMap<const Value *, unsigned> Slots;
};

Hashed ModuleHasher::definition(GlobalValue &GV) {
  Stream S;
  S.tag('D');
  Hashed P = proto(&GV);
  S.dig(P.D);
  bool Local = P.Local;
  if (auto *F = dyn_cast<Function>(&GV)) {
    if (Error E = F->materialize())
      unsupported("cannot load " + F->getName() + ": " +
                  toString(std::move(E)));
    attachments(*F, S, Local);
    for (const Constant *C :
         {F->hasPersonalityFn() ? F->getPersonalityFn() : nullptr,
          F->hasPrefixData() ? F->getPrefixData() : nullptr,
          F->hasPrologueData() ? F->getPrologueData() : nullptr}) {
      if (!C) {
        S.tag('-');
        continue;
      }
      Hashed H = constant(C);
      S.dig(H.D);
      Local |= H.Local;
    }
    FunctionHasher FH(*this, *F, S);
    FH.body(*F);
    Local |= FH.Local;
  } else if (auto *V = dyn_cast<GlobalVariable>(&GV)) {
    if (V->hasInitializer()) {
      Hashed H = constant(V->getInitializer());
      S.dig(H.D);
      Local |= H.Local;
    } else {
      S.tag('-');
    }
  } else if (auto *A = dyn_cast<GlobalAlias>(&GV)) {
    // An importer takes an alias as a copy of what it aliases.
    Hashed H = constant(A->getAliasee());
    S.dig(H.D);
    Local |= H.Local;
    if (GlobalObject *Target = A->getAliaseeObject()) {
      Hashed T = definition(*Target);
      S.dig(T.D);
      Local |= T.Local;
    } else {
      unsupported("alias without an object");
    }
  } else {
    unsupported("definition of value id " + Twine(GV.getValueID()));
  }
  return {S.finish(), Local};
}

Hashed ModuleHasher::context() {
  Stream S;
  S.tag('X');
  S.str(M.getDataLayoutStr());
  S.str(M.getTargetTriple().str());
  // Not all of it is taken (only .symver directives), but all of it is
  // kept: a module's inline asm rarely changes.
  S.str(M.getModuleInlineAsm());
  bool Local = false;
  for (const NamedMDNode &NMD : M.named_metadata()) {
    StringRef Name = NMD.getName();
    // Not linked into importers (IRLinker::linkNamedMDNodes), or ours and
    // read by no backend.
    if (Name == "llvm.pseudo_probe_desc" || Name == "llvm.stats" ||
        Name == "ltocache.recipe")
      continue;
    S.str(Name);
    S.u64(NMD.getNumOperands());
    for (const MDNode *Op : NMD.operands()) {
      Hashed H = metadata(Op);
      S.dig(H.D);
      Local |= H.Local;
    }
  }
  return {S.finish(), Local};
}

} // namespace

Expected<ModuleDefinitionKeys> computeDefinitionKeys(MemoryBufferRef Bitcode,
                                                     ArrayRef<uint64_t> GUIDs,
                                                     bool AllDefinitions) {
  auto Modules = getBitcodeModuleList(Bitcode);
  if (!Modules)
    return Modules.takeError();
  if (Modules->size() != 1)
    return createStringError("%zu modules in one file (a split LTO unit)",
                             Modules->size());
  LLVMContext Ctx;
  // As the ThinLTO importer loads it: metadata on demand.
  auto M = (*Modules)[0].getLazyModule(Ctx, /*ShouldLazyLoadMetadata=*/true,
                                       /*IsImporting=*/true);
  if (!M)
    return M.takeError();
  if (Error E = (*M)->materializeMetadata())
    return std::move(E);

  ModuleDefinitionKeys Out;
  Out.SourceName = (*M)->getSourceFileName();
  ModuleHasher H(**M);
  DenseMap<uint64_t, GlobalValue *> ByGUID;
  for (GlobalValue &GV : (*M)->global_values())
    if (!GV.isDeclaration())
      ByGUID[GV.getGUID()] = &GV;
  std::vector<uint64_t> Wanted(GUIDs.begin(), GUIDs.end());
  if (AllDefinitions)
    for (auto &[GUID, GV] : ByGUID)
      Wanted.push_back(GUID);
  llvm::sort(Wanted);
  Hashed Context = H.context();
  Out.Context = Context.D;
  Out.ContextRefersToLocals = Context.Local;
  for (uint64_t GUID : Wanted) {
    GlobalValue *GV = ByGUID.lookup(GUID);
    if (!GV) {
      Out.Absent.insert(GUID);
      continue;
    }
    Hashed D = H.definition(*GV);
    Out.Definitions[GUID] = {D.D, D.Local, GV->getName().str()};
  }
  if (H.failed())
    return createStringError("%s: %s", Out.SourceName.c_str(),
                             H.failure().c_str());
  return Out;
}

} // namespace ltocache
