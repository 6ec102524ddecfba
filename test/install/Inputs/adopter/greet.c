#include <stdio.h>

int greet(const char *Who, long N) {
  return printf("hello %s %ld\n", Who, N);
}
