// Not imported (noinline): what others learn of it comes through the thin
// link's index (attribute propagation), not through imported code.
__attribute__((noinline)) int may_throw(int x) { return x * 2; }
