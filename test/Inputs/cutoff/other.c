#include "lib.h"
int other_fn(int x) { return x * 11 - 4; }
