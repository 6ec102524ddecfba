#include "shared.h"

static unsigned mix(unsigned h, unsigned c) { return (h ^ c) * 16777619u; }

unsigned shared_hash(const char *s) {
  unsigned h = 2166136261u;
  while (*s)
    h = mix(h, (unsigned char)*s++);
  return h;
}

int shared_clamp(int v, int lo, int hi) {
  return v < lo ? lo : v > hi ? hi : v;
}
