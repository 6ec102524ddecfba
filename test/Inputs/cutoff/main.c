#include <stdio.h>
#include "lib.h"
int lib_private_work(int x);
int user_fn(int x);
int main(int argc, char **argv) {
  (void)argv;
  printf("%d %d %d %d %d %d\n", lib_add(argc, 40), lib_lookup(argc + 2),
         lib_entry(argc), lib_private_work(argc + 5), user_fn(argc),
         other_fn(argc));
  return 0;
}
