/* Imported by main.c and user.c (small, called); see the cutoff tests. */
#include "lib.h"

int lib_table[4] = {2, 3, 5, 7};

static int helper(int x) { return x * 3 + 1; }

int lib_add(int a, int b) { return a + b; }

int lib_scaled(int x) { return helper(x) + 2; }

int lib_lookup(int i) { return lib_table[i & 3]; }

int lib_entry(int x) { return x + 1; }

/* Nobody else imports it (noinline); it stays last in the file. */
__attribute__((noinline)) int lib_private_work(int x) {
  int s = 0;
  for (int i = 0; i < x; ++i)
    s += i * i;
  return s;
}
