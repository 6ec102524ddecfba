int mid(int x);
int counter;
struct Guard {
  int *p;
  ~Guard() { ++*p; }
};
// Nothing here says whether mid (and so f_calls_mid) can throw: only the
// thin link's index can, by propagating nounwind up the call graph. If it
// can, call_it's call of f_calls_mid needs no landing pad for the Guard.
__attribute__((noinline)) int f_calls_mid(int x) { return mid(x) + 1; }
__attribute__((noinline)) int call_it(int x) {
  Guard g{&counter};
  return f_calls_mid(x) + counter;
}
