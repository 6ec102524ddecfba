#include "shared.h"

int strings_count(const char *s, char c) {
  int n = 0;
  for (; *s; ++s)
    n += *s == c;
  return n + (int)(shared_hash(s) & 1);
}
