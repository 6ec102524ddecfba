#include "shared.h"
#include <stdio.h>

int main(int argc, char **argv) {
  int v[] = {2, 7, 1, 8, 2, 8, argc};
  printf("b %d %d %d\n", strings_count("banana", 'a'), util_sum(v, 7),
         shared_clamp(argc * 100, 0, 150));
  return 0;
}
