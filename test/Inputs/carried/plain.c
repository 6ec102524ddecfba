const char *maybe_name(int i);
int twice(int x);
int plain_fn(int x) { return twice(x) + (maybe_name(3) != 0); }
