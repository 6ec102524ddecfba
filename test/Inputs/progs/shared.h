#ifndef SHARED_H
#define SHARED_H
unsigned shared_hash(const char *s);
int shared_clamp(int v, int lo, int hi);
int util_sum(const int *v, int n);
int util_max(const int *v, int n);
int strings_count(const char *s, char c);
#endif
