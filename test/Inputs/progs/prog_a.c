#include "shared.h"
#include <stdio.h>

int main(int argc, char **argv) {
  int v[] = {3, 1, 4, 1, 5, 9, 2, 6, argc};
  printf("a %u %d %d\n", shared_hash(argv[0]) & 0xff, util_sum(v, 9),
         util_max(v, 9));
  return 0;
}
