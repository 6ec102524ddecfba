#include "lib.h"
int user_fn(int x) { return lib_add(x, 1) * lib_scaled(x); }
