// The C boundary of roost. Only what Swift cannot express safely lives here:
// raw syscalls Glibc has no wrapper for (clone3, pivot_root, openat2, mount_setattr, close_range),
// variadic calls (prctl, ioctl), declarations Glibc's module hides without _GNU_SOURCE (setns,
// unshare, CLONE_NEW*), function-like macros (makedev, CMSG_*, W* status macros) and kernel
// structs that must match byte for byte. Every function is prefixed roost_ and says why it is here.
#ifndef ROOST_SHIM_H
#define ROOST_SHIM_H

#include <stdint.h>
#include <sys/types.h>

#include "roost_bpf.h"
#include "roost_seccomp.h"

// Namespace and clone flags (linux/sched.h); hidden from Swift without _GNU_SOURCE.
static const uint64_t ROOST_CLONE_NEWNS = 0x00020000;
static const uint64_t ROOST_CLONE_NEWCGROUP = 0x02000000;
static const uint64_t ROOST_CLONE_NEWUTS = 0x04000000;
static const uint64_t ROOST_CLONE_NEWIPC = 0x08000000;
static const uint64_t ROOST_CLONE_NEWUSER = 0x10000000;
static const uint64_t ROOST_CLONE_NEWPID = 0x20000000;
static const uint64_t ROOST_CLONE_NEWNET = 0x40000000;
static const uint64_t ROOST_CLONE_NEWTIME = 0x00000080;
static const uint64_t ROOST_CLONE_PARENT = 0x00008000;
static const uint64_t ROOST_CLONE_INTO_CGROUP = 0x200000000ULL;

// openat2 resolve flags (linux/openat2.h).
static const uint64_t ROOST_RESOLVE_NO_XDEV = 0x01;
static const uint64_t ROOST_RESOLVE_NO_MAGICLINKS = 0x02;
static const uint64_t ROOST_RESOLVE_NO_SYMLINKS = 0x04;
static const uint64_t ROOST_RESOLVE_BENEATH = 0x08;
static const uint64_t ROOST_RESOLVE_IN_ROOT = 0x10;

// mount_setattr (linux/mount.h); its MOUNT_ATTR_* bits are RoostLinux's MountAttributes.
static const unsigned int ROOST_AT_RECURSIVE = 0x8000;

static const unsigned int ROOST_CLOSE_RANGE_CLOEXEC = 4;

// fcntl/prctl constants Swift's Glibc module hides without _GNU_SOURCE.
static const int ROOST_O_PATH = 010000000;
static const int ROOST_AT_EMPTY_PATH = 0x1000;
static const int ROOST_PR_SET_PDEATHSIG = 1;
static const int ROOST_PR_SET_DUMPABLE = 4;
static const int ROOST_PR_SET_KEEPCAPS = 8;
static const int ROOST_PR_SET_NAME = 15;
static const int ROOST_PR_CAPBSET_READ = 23;
static const int ROOST_PR_CAPBSET_DROP = 24;
static const int ROOST_PR_SET_SECUREBITS = 28;
static const int ROOST_PR_SET_NO_NEW_PRIVS = 38;
static const int ROOST_PR_SET_CHILD_SUBREAPER = 36;
static const int ROOST_PR_CAP_AMBIENT = 47;
static const int ROOST_PR_CAP_AMBIENT_RAISE = 2;
static const int ROOST_PR_CAP_AMBIENT_CLEAR_ALL = 4;

/// clone3(2) without a new stack: fork semantics plus namespace flags. Glibc has no wrapper and
/// fork() cannot create namespaces. Returns the child's pid in the parent, 0 in the child, -1 and
/// errno on failure. `cgroupfd` >= 0 places
/// the child in that cgroup at birth (CLONE_INTO_CGROUP).
pid_t roost_clone3(uint64_t flags, int cgroupfd);
/// clone(2) with fork semantics, for where clone3 is refused with ENOSYS.
pid_t roost_clone(uint64_t flags);

int roost_setns(int fd, int nstype);
int roost_unshare(int flags);
int roost_pivot_root(const char *new_root, const char *put_old);
/// openat2(2); `resolve` is a RESOLVE_* mask.
int roost_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);
/// mount_setattr(2) setting `set` and clearing `clear` MOUNT_ATTR_* bits, with propagation 0.
int roost_mount_setattr(int dirfd, const char *path, unsigned int at_flags, uint64_t set, uint64_t clear);
int roost_close_range(unsigned int first, unsigned int last, unsigned int flags);
int roost_pidfd_open(pid_t pid, unsigned int flags);
int roost_pidfd_send_signal(int pidfd, int sig);

/// prctl(2) is variadic: Swift cannot call it.
int roost_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);

/// capset with the v3 ABI (two 32-bit words per set). Glibc has no wrappers.
int roost_capset(const uint32_t effective[2], const uint32_t permitted[2], const uint32_t inheritable[2]);
int roost_last_cap(void);

/// makedev/major/minor are macros.
uint64_t roost_makedev(uint32_t major, uint32_t minor);

/// The W* status macros.
int roost_wexitstatus(int status);
int roost_wifsignaled(int status);
int roost_wtermsig(int status);

/// SCM_RIGHTS needs the CMSG_* macros.
int roost_send_fd(int sock, int fd, const void *data, size_t len);
int roost_recv_fd(int sock, void *data, size_t len, int *fd_out);

/// The single-threaded rule (ARCHITECTURE.md §3): number of threads of this process.
int roost_thread_count(void);

/// setgroups/sethostname/setdomainname are hidden from Swift's Glibc module.
int roost_setgroups(size_t n, const uint32_t *gids);
int roost_sethostname(const char *name, size_t len);
int roost_setdomainname(const char *name, size_t len);
/// statfs(2)'s f_type (sys/vfs.h is not in Swift's Glibc module); -1 on error.
long roost_statfs_type(const char *path);
long roost_fstatfs_type(int fd);
/// setxattr(2) (sys/xattr.h is not in Swift's Glibc module either).
int roost_setxattr(const char *path, const char *name, const char *value, size_t size);
int roost_setresuid(uint32_t r, uint32_t e, uint32_t s);
int roost_setresgid(uint32_t r, uint32_t e, uint32_t s);

/// keyctl(KEYCTL_JOIN_SESSION_KEYRING): Glibc has no keyctl wrapper.
int roost_join_session_keyring(const char *name);

/// execve with Swift-built argv/envp arrays.
int roost_execve(const char *path, char *const argv[], char *const envp[]);

/// For sealing roost's own binary (RoostLinux/ExeSeal.swift, CVE-2019-5736). The new mount API
/// (fsopen, fsconfig, fsmount) has no Glibc 2.36 wrappers: a detached, read-only overlay.
int roost_fsopen(const char *fsname, unsigned int flags);
int roost_fsconfig_string(int fsfd, const char *key, const char *value);
int roost_fsconfig_create(int fsfd);
int roost_fsmount(int fsfd, unsigned int flags, unsigned int attr_flags);
/// execveat(fd, "", argv, environ, AT_EMPTY_PATH): exec the file an fd names, same environment.
int roost_execveat_fd(int fd, char *const argv[]);
/// memfd_create(2) (sys/mman.h's declaration needs _GNU_SOURCE).
int roost_memfd_create(const char *name, unsigned int flags);
/// statfs(2)'s f_flags (ST_RDONLY is 1); -1 on error.
long roost_statfs_flags(const char *path);
static const unsigned int ROOST_FSOPEN_CLOEXEC = 1;
static const unsigned int ROOST_FSMOUNT_CLOEXEC = 1;
static const unsigned int ROOST_MFD_CLOEXEC = 1;
static const unsigned int ROOST_MFD_ALLOW_SEALING = 2;
static const int ROOST_F_ADD_SEALS = 1033;
static const int ROOST_F_GET_SEALS = 1034;
/// F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE
static const int ROOST_SEALS_ALL = 0x1 | 0x2 | 0x4 | 0x8;

/// Brings the loopback interface of the current network namespace up (SIOCSIFFLAGS needs struct
/// ifreq and a variadic ioctl).
int roost_loopback_up(void);

/// Opens a new pty pair on the devpts mounted at `ptmx`'s directory: the master (O_RDWR|O_NOCTTY,
/// unlocked) and its peer through TIOCGPTPEER, so the peer is never looked up by path. Checks that
/// `ptmx` is a real devpts ptmx node. Returns 0, or -1 with errno.
int roost_open_pty(const char *ptmx, int *master, int *peer);

/// TIOCGWINSZ / TIOCSWINSZ / TIOCSCTTY (variadic ioctl, struct winsize).
int roost_get_winsize(int fd, unsigned short *rows, unsigned short *cols);
int roost_set_winsize(int fd, unsigned short rows, unsigned short cols);
int roost_set_controlling_tty(int fd);

/// A signalfd for every catchable signal (non-blocking, close-on-exec); reads give the signal
/// number through roost_signalfd_read.
int roost_signalfd_all(void);
int roost_signalfd_read(int fd);

/// The terminal's raw mode (cfmakeraw) and back.
int roost_make_raw(int fd, void *saved, size_t saved_len);
/// Clears ONLCR (tcgetattr/tcsetattr; termios is a macro-laden struct).
int roost_clear_onlcr(int fd);
int roost_restore_termios(int fd, const void *saved);
size_t roost_termios_size(void);

/// eventfd(2) (sys/eventfd.h is not in Swift's Glibc module), close-on-exec.
int roost_eventfd(void);

extern char **environ;

#endif
