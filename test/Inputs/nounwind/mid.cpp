int may_throw(int x);
__attribute__((noinline)) int mid(int x) { return may_throw(x) + 1; }
