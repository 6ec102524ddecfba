//===- DistributorBackend.h - Hands misses to another distributor -*- C++
//-*-===//
#ifndef LTOCACHE_COMPILE_DISTRIBUTORBACKEND_H
#define LTOCACHE_COMPILE_DISTRIBUTORBACKEND_H

#include "Compile/CompileBackend.h"

#include <memory>
#include <string>
#include <vector>

namespace ltocache {

/// Compiles the misses of a link by running another DTLTO distributor on a
/// job file holding only them: `<Exe> <Args...> <file.json>`, the same
/// protocol lld uses, so ltocache can sit in front of any distributor. The
/// job file is written in \p WorkDir (where lld wrote its own).
std::unique_ptr<CompileBackend>
createDistributorBackend(std::string Exe, std::vector<std::string> Args,
                         std::string WorkDir);

} // namespace ltocache

#endif
