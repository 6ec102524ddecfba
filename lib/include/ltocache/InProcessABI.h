/*===- InProcessABI.h - ltocache-dtlto <-> LTOCacheInProcess.so ---*- C -*-===*\
|*                                                                            *|
|* Plain C on purpose: the distributor carries its own static copy of the    *|
|* LLVM pieces it uses, the module uses the shared libLLVM/libclang-cpp of   *|
|* the clang it must match, so no C++ or LLVM type may cross.                *|
\*===----------------------------------------------------------------------===*/
#ifndef LTOCACHE_INPROCESSABI_H
#define LTOCACHE_INPROCESSABI_H

#include <stddef.h>

#define LTOCACHE_INPROCESS_ABI_VERSION 2

#ifdef __cplusplus
extern "C" {
#endif

/* "ltocacheInProcessABIVersion": LTOCACHE_INPROCESS_ABI_VERSION. */
typedef unsigned (*ltocache_inprocess_abi_version_fn)(void);
/* "ltocacheInProcessClangVersion": clang's full version string. */
typedef const char *(*ltocache_inprocess_clang_version_fn)(void);
/* Receives the bytes of a captured output. */
typedef void (*ltocache_inprocess_sink_fn)(void *Ctx, const char *Data,
                                           size_t Size);
/* "ltocacheInProcessCompile": compiles one backend job given its clang
 * driver arguments (the compiler first). Thread-safe. If CapturePath is not
 * NULL, the output clang would write there is handed to Sink instead (and
 * the file is not touched); other outputs are written as usual. Returns 0
 * on success; otherwise writes a NUL-terminated message to ErrBuf. */
typedef int (*ltocache_inprocess_compile_fn)(const char *const *Argv,
                                             size_t Argc,
                                             const char *CapturePath,
                                             ltocache_inprocess_sink_fn Sink,
                                             void *SinkCtx, char *ErrBuf,
                                             size_t ErrBufSize);

#ifdef __cplusplus
}
#endif

#endif
