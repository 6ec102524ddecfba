# lit configuration for ltocache: real clang and lld links.
import os
import shutil
import lit.formats

config.name = "ltocache"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".test"]
config.excludes = ["Inputs", "unit"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ltocache_obj_root, "test")

bin_dir = os.path.join(config.ltocache_obj_root, "bin")
lib_dir = os.path.join(config.ltocache_obj_root, "lib")
tools = config.llvm_tools_dir
inputs = os.path.join(config.test_source_root, "Inputs")

config.environment["PATH"] = os.pathsep.join(
    [bin_dir, tools, config.environment.get("PATH", os.environ.get("PATH", ""))])
# Tests never see the user's cache, remote, configuration file, AWS
# credentials or any other ltocache setting (every row of
# lib/Config/Settings.cpp reads LTOCACHE_*).
for var in list(config.environment):
    if var.startswith(("LTOCACHE_", "AWS_")) or var in ("XDG_CACHE_HOME",
                                                        "XDG_CONFIG_HOME"):
        config.environment.pop(var, None)
config.environment["HOME"] = "/nonexistent-ltocache-test-home"
config.environment["LTOCACHE_TEST_CLANG"] = os.path.join(tools, "clang")
config.environment["LTOCACHE_TEST_DTLTO"] = os.path.join(bin_dir, "ltocache-dtlto")
config.environment["LTOCACHE_TEST_CLANG_PLUGIN"] = os.path.join(lib_dir, "LTOCacheClang.so")

# Reflinked hits are tested on a loop-mounted XFS: root, loop devices,
# mkfs.xfs (xfsprogs, installed by utils/setup.sh) and kernel support.
def can_mount_xfs():
    try:
        with open("/proc/filesystems") as f:
            has_xfs = any(line.split()[-1] == "xfs" for line in f if line.strip())
    except OSError:
        return False
    return (has_xfs and os.geteuid() == 0 and shutil.which("mkfs.xfs")
            and os.path.exists("/dev/loop-control"))


# The shared-cache test creates (and removes) real users and a group.
if os.geteuid() == 0 and all(shutil.which(t) for t in
                             ("useradd", "userdel", "groupadd", "groupdel",
                              "runuser")):
    config.available_features.add("root-users")

if can_mount_xfs():
    config.available_features.add("xfs-reflink")

# ccache as the remote compiler's launcher (utils/setup.sh installs it).
ccache = shutil.which("ccache")
if ccache:
    config.available_features.add("ccache")

clang = os.path.join(tools, "clang")
clang_plugin = os.path.join(lib_dir, "LTOCacheClang.so")
lld_plugin = os.path.join(lib_dir, "LTOCacheLLD.so")
dtlto = os.path.join(bin_dir, "ltocache-dtlto")

# Longer names first: lit substitutes in order and %x would eat %x_y.
config.substitutions += [
    ("%{ltocache_obj_root}", config.ltocache_obj_root),
    ("%{ltocache_src_root}", config.ltocache_src_root),
    ("%{ltocache_bin}", bin_dir),
    ("%{ltocache_lib}", lib_dir),
    # The stock toolchain's programs, and its libraries (libclang-cpp,
    # libLLVM).
    ("%{llvm_bin}", tools),
    ("%{llvm_lib}", os.path.normpath(os.path.join(tools, "..", "lib"))),
    ("%{ccache}", ccache or "ccache"),
    ("%inputs", inputs),
    ("%build_progs", os.path.join(inputs, "build-progs.sh")),
    ("%{cutoff_build}", os.path.join(inputs, "cutoff", "build.sh")),
    ("%with_xfs", "python3 " + os.path.join(inputs, "with_xfs.py")),
    ("%python", "python3"),
    # Debian's python3, which has Debian's python3-matplotlib (the python3 on
    # PATH may be another one).
    ("%system_python", "/usr/bin/python3"),
    ("%clang_plugin", clang_plugin),
    ("%lld_plugin", lld_plugin),
    ("%ltocache_dtlto", dtlto),
    # Compile for ThinLTO with the recipe plugin.
    ("%cc_lto", f"{clang} -flto=thin -fplugin={clang_plugin}"),
    # Link with lld's in-process ThinLTO (the reference).
    ("%link_inproc", f"{clang} -flto=thin -fuse-ld=lld"),
    # Same, but the remote compiler is chosen by the test.
    ("%link_dtlto_with", f"{clang} -flto=thin -fuse-ld=lld "
                         f"-Wl,--thinlto-distributor={dtlto} "
                         f"-Wl,--thinlto-remote-compiler="),
    # Link through ltocache-dtlto; remote compiler: the same clang.
    ("%link_dtlto", f"{clang} -flto=thin -fuse-ld=lld "
                    f"-Wl,--thinlto-distributor={dtlto} "
                    f"-Wl,--thinlto-remote-compiler={clang}"),
    ("%dist_arg", "-Wl,--thinlto-distributor-arg="),
    ("%clangxx", clang + "++"),
    ("%clang", clang),
]
