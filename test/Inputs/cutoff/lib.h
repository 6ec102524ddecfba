int lib_add(int a, int b);
int lib_scaled(int x);
int lib_lookup(int i);
int lib_entry(int x);
int other_fn(int x);
