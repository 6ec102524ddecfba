#include <stdio.h>
const char *name_of(int i);
int plain_fn(int x);
int main(int argc, char **argv) {
  (void)argv;
  printf("%s %d\n", name_of(argc - 1), plain_fn(argc));
  return 0;
}
