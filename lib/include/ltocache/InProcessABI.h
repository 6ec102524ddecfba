/*===- InProcessABI.h - ltocache-dtlto <-> LTOCacheInProcess.so ---*- C -*-===*\
|*                                                                            *|
|* Plain C on purpose: the distributor carries its own static copy of the    *|
|* LLVM pieces it uses, the module uses the shared libLLVM/libclang-cpp of   *|
|* the clang it must match, so no C++ or LLVM type may cross.                *|
\*===----------------------------------------------------------------------===*/
#ifndef LTOCACHE_INPROCESSABI_H
#define LTOCACHE_INPROCESSABI_H

#include <stddef.h>

#define LTOCACHE_INPROCESS_ABI_VERSION 1

#ifdef __cplusplus
extern "C" {
#endif

/* "ltocacheInProcessABIVersion": LTOCACHE_INPROCESS_ABI_VERSION. */
typedef unsigned (*ltocache_inprocess_abi_version_fn)(void);
/* "ltocacheInProcessClangVersion": clang's full version string. */
typedef const char *(*ltocache_inprocess_clang_version_fn)(void);
/* "ltocacheInProcessCompile": compiles one backend job given its clang
 * driver arguments (the compiler first). Thread-safe. Returns 0 on success;
 * otherwise writes a NUL-terminated message to ErrBuf. */
typedef int (*ltocache_inprocess_compile_fn)(const char *const *Argv,
                                             size_t Argc, char *ErrBuf,
                                             size_t ErrBufSize);

#ifdef __cplusplus
}
#endif

#endif
