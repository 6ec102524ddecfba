/* A compiler whose code is partly in a shared library of its own (as
   Debian's clang is in libclang-cpp and libLLVM): it calls the library,
   then runs the stock clang ($LTOCACHE_TEST_CLANG) with its arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int toolchain_part(void);

int main(int argc, char **argv) {
  (void)argc;
  if (toolchain_part() < 0)
    return 2;
  const char *clang = getenv("LTOCACHE_TEST_CLANG");
  if (!clang)
    return 2;
  execv(clang, argv);
  perror(clang);
  return 127;
}
