# Sourced by check-deb.sh and check-rpm.sh: the system tier's Debian 12 root filesystem, built
# once (tests/system/rootfs.sh) and shared, in which the packages are installed through an
# overlay. Sets ROOTFS_DIR; returns non-zero if it cannot be built.
ROOTFS_DIR=${PEROUTER_SYSTEM_DIR:-/var/tmp/perouter-system}
ensure_system_rootfs() {
    # rootfs.sh reuses the tree only when its package list is the current one (a tree cached
    # by an older checkout may lack a runtime library the package now depends on).
    echo "the system tier's root filesystem (tests/system/rootfs.sh; several minutes when built)"
    "$REPO/tests/system/rootfs.sh" "$ROOTFS_DIR"
}
# Runs SCRIPT ARGS... in a private mount and network namespace: the overlay and /proc vanish
# with it, and even a maintainer script that wrongly acted on "the host's" network could only
# see an empty namespace. The shared lock keeps tests/system/rootfs.sh from replacing the tree
# under the overlay.
in_private_namespaces() {
    flock -s "$ROOTFS_DIR/.rootfs.lock" unshare --mount --net --propagation private bash "$@"
}
# In those namespaces: mounts an overlay over ROOTFS at SCRATCH/root (changes go to
# SCRATCH/upper) with /proc, and prints the root's path.
mount_overlay_root() {
    local rootfs=$1 s=$2
    mkdir -p "$s/upper" "$s/work" "$s/root"
    mount -t overlay overlay -o "lowerdir=$rootfs,upperdir=$s/upper,workdir=$s/work" "$s/root" ||
        { echo "cannot mount an overlay over $rootfs" >&2; return 1; }
    mount -t proc proc "$s/root/proc" && echo "$s/root"
}
