/* Imported by app.c and plain.c. name_of and maybe_name name local string
   constants: an importer knows them by promoted names that carry this
   module's hash. app.c keeps name_of's strings (its object carries the
   hash); plain.c calls maybe_name with an argument that folds the string
   away (it names it, but its object does not carry the hash). twice names
   nothing local. */
const char *name_of(int i) { return i ? "names-one" : "names-zero"; }
const char *maybe_name(int i) { return i > 100 ? "names-big" : 0; }
int twice(int x) { return 2 * x; }
