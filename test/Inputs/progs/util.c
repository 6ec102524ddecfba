#include "shared.h"

int util_sum(const int *v, int n) {
  int s = 0;
  for (int i = 0; i < n; ++i)
    s += shared_clamp(v[i], -1000, 1000);
  return s;
}

int util_max(const int *v, int n) {
  int m = v[0];
  for (int i = 1; i < n; ++i)
    if (v[i] > m)
      m = v[i];
  return m;
}
