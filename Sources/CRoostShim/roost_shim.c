#define _GNU_SOURCE
#include "roost_shim.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/xattr.h>
#include <sys/signalfd.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#define SYS_fsconfig 431
#define SYS_fsmount 432
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

struct roost_clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
};
_Static_assert(sizeof(struct roost_clone_args) == 88, "clone_args v2 is 88 bytes");

struct roost_open_how { uint64_t flags, mode, resolve; };
_Static_assert(sizeof(struct roost_open_how) == 24, "open_how is 24 bytes");

struct roost_mount_attr { uint64_t attr_set, attr_clr, propagation, userns_fd; };
_Static_assert(sizeof(struct roost_mount_attr) == 32, "mount_attr is 32 bytes");

pid_t roost_clone3(uint64_t flags, int cgroupfd) {
    struct roost_clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = flags;
    // clone3 refuses an exit signal with CLONE_PARENT: the child then inherits the caller's.
    args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
    if (cgroupfd >= 0) {
        args.flags |= ROOST_CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cgroupfd;
    }
    // No stack: the child returns here on a copy of the parent's stack, exactly like fork(). The
    // caller is single-threaded (checked in Swift), so the child may run ordinary code.
    long r = syscall(SYS_clone3, &args, sizeof args);
    return (pid_t)r;
}

// The raw system call, not glibc's clone(), which wants a new stack and a function to run there.
// Without a stack the child returns here, as from fork(); x86_64's argument order (flags, stack,
// parent_tid, child_tid, tls). The exit signal is SIGCHLD, or the caller's with CLONE_PARENT.
pid_t roost_clone(uint64_t flags) {
    uint64_t exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
    return (pid_t)syscall(SYS_clone, (unsigned long)(flags | exit_signal), 0UL, NULL, NULL, 0UL);
}

int roost_setns(int fd, int nstype) { return setns(fd, nstype); }
int roost_unshare(int flags) { return unshare(flags); }
int roost_pivot_root(const char *n, const char *o) { return (int)syscall(SYS_pivot_root, n, o); }

int roost_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct roost_open_how how = {flags, mode, resolve};
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

int roost_mount_setattr(int dirfd, const char *path, unsigned int at_flags, uint64_t set, uint64_t clear) {
    struct roost_mount_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.attr_set = set;
    attr.attr_clr = clear;
    return (int)syscall(SYS_mount_setattr, dirfd, path, at_flags, &attr, sizeof attr);
}

int roost_close_range(unsigned int first, unsigned int last, unsigned int flags) {
    return (int)syscall(SYS_close_range, first, last, flags);
}
int roost_pidfd_open(pid_t pid, unsigned int flags) { return (int)syscall(SYS_pidfd_open, pid, flags); }
int roost_pidfd_send_signal(int pidfd, int sig) {
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

int roost_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5) {
    return prctl(option, a2, a3, a4, a5);
}

int roost_capset(const uint32_t e[2], const uint32_t p[2], const uint32_t i[2]) {
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    for (int k = 0; k < 2; k++) { d[k].effective = e[k]; d[k].permitted = p[k]; d[k].inheritable = i[k]; }
    return (int)syscall(SYS_capset, &h, d);
}

int roost_last_cap(void) {
    // /proc/sys/kernel/cap_last_cap is the authority; probe the bounding set if /proc is absent.
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char buf[16] = {0};
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n > 0) return atoi(buf);
    }
    int c = 0;
    while (prctl(PR_CAPBSET_READ, (unsigned long)(c + 1), 0, 0, 0) >= 0) c++;
    return c;
}

uint64_t roost_makedev(uint32_t ma, uint32_t mi) { return makedev(ma, mi); }

int roost_wexitstatus(int s) { return WEXITSTATUS(s); }
int roost_wifsignaled(int s) { return WIFSIGNALED(s); }
int roost_wtermsig(int s) { return WTERMSIG(s); }

int roost_send_fd(int sock, int fd, const void *data, size_t len) {
    char byte = 0;
    struct iovec iov = {(void *)(data ? data : &byte), data ? len : 1};
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
    memset(&u, 0, sizeof u);
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = u.buf;
    msg.msg_controllen = sizeof u.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    ssize_t r;
    do { r = sendmsg(sock, &msg, MSG_NOSIGNAL); } while (r < 0 && errno == EINTR);
    return r < 0 ? -1 : 0;
}

int roost_recv_fd(int sock, void *data, size_t len, int *fd_out) {
    char byte;
    struct iovec iov = {data ? data : &byte, data ? len : 1};
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = u.buf;
    msg.msg_controllen = sizeof u.buf;
    ssize_t r;
    do { r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); } while (r < 0 && errno == EINTR);
    if (r < 0) return -1;
    *fd_out = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            memcpy(fd_out, CMSG_DATA(c), sizeof(int));
    return (int)r;
}


int roost_thread_count(void) {
    // Counting /proc/self/task entries needs no parsing and no allocation from Swift.
    DIR *d = opendir("/proc/self/task");
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

int roost_setgroups(size_t n, const uint32_t *gids) { return setgroups(n, (const gid_t *)gids); }
int roost_sethostname(const char *name, size_t len) { return sethostname(name, len); }
int roost_setdomainname(const char *name, size_t len) { return setdomainname(name, len); }

int roost_join_session_keyring(const char *name) { return (int)syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, name); }
int roost_execve(const char *path, char *const argv[], char *const envp[]) { return execve(path, argv, envp); }

int roost_loopback_up(void) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    int r = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (r == 0 && !(ifr.ifr_flags & IFF_UP)) {
        ifr.ifr_flags |= IFF_UP;
        r = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    int saved = errno;
    close(s);
    errno = saved;
    return r;
}
int roost_setresuid(uint32_t r, uint32_t e, uint32_t s) { return setresuid(r, e, s); }
int roost_setresgid(uint32_t r, uint32_t e, uint32_t s) { return setresgid(r, e, s); }
long roost_statfs_type(const char *path) {
    struct statfs st;
    if (statfs(path, &st) != 0) return -1;
    return (long)st.f_type;
}

long roost_fstatfs_type(int fd) {
    struct statfs st;
    if (fstatfs(fd, &st) != 0) return -1;
    return (long)st.f_type;
}

int roost_setxattr(const char *path, const char *name, const char *value, size_t size) {
    return setxattr(path, name, value, size, 0);
}

int roost_open_pty(const char *ptmx, int *master, int *peer) {
    int m = open(ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
    if (m < 0) return -1;
    struct statfs sfs;
    struct stat st;
    if (fstatfs(m, &sfs) != 0 || sfs.f_type != 0x1cd1 /* DEVPTS_SUPER_MAGIC */ || fstat(m, &st) != 0 ||
        !S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 2) {
        close(m);
        errno = EXDEV;
        return -1;
    }
    int unlock = 0;
    if (ioctl(m, TIOCSPTLCK, &unlock) != 0) { int e = errno; close(m); errno = e; return -1; }
    int p = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (p < 0) { int e = errno; close(m); errno = e; return -1; }
    *master = m;
    *peer = p;
    return 0;
}

int roost_get_winsize(int fd, unsigned short *rows, unsigned short *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return -1;
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return 0;
}

int roost_set_winsize(int fd, unsigned short rows, unsigned short cols) {
    struct winsize ws;
    memset(&ws, 0, sizeof ws);
    ws.ws_row = rows;
    ws.ws_col = cols;
    return ioctl(fd, TIOCSWINSZ, &ws);
}

int roost_set_controlling_tty(int fd) { return ioctl(fd, TIOCSCTTY, 0); }

int roost_signalfd_all(void) {
    sigset_t all;
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    return signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
}

int roost_signalfd_read(int fd) {
    struct signalfd_siginfo si;
    ssize_t n = read(fd, &si, sizeof si);
    if (n != (ssize_t)sizeof si) return -1;
    return (int)si.ssi_signo;
}

size_t roost_termios_size(void) { return sizeof(struct termios); }

int roost_make_raw(int fd, void *saved, size_t saved_len) {
    struct termios t;
    if (saved_len < sizeof t || tcgetattr(fd, &t) != 0) return -1;
    memcpy(saved, &t, sizeof t);
    cfmakeraw(&t);
    return tcsetattr(fd, TCSANOW, &t);
}

int roost_clear_onlcr(int fd) {
    struct termios t;
    if (tcgetattr(fd, &t) != 0) return -1;
    t.c_oflag &= ~ONLCR;
    return tcsetattr(fd, TCSANOW, &t);
}

int roost_restore_termios(int fd, const void *saved) { return tcsetattr(fd, TCSANOW, (const struct termios *)saved); }
int roost_eventfd(void) { return eventfd(0, EFD_CLOEXEC); }

int roost_fsopen(const char *fsname, unsigned int flags) { return (int)syscall(SYS_fsopen, fsname, flags); }
int roost_fsconfig_string(int fsfd, const char *key, const char *value) {
    return (int)syscall(SYS_fsconfig, fsfd, 1 /* FSCONFIG_SET_STRING */, key, value, 0);
}
int roost_fsconfig_create(int fsfd) { return (int)syscall(SYS_fsconfig, fsfd, 6 /* FSCONFIG_CMD_CREATE */, NULL, NULL, 0); }
int roost_fsmount(int fsfd, unsigned int flags, unsigned int attr_flags) {
    return (int)syscall(SYS_fsmount, fsfd, flags, attr_flags);
}
int roost_execveat_fd(int fd, char *const argv[]) {
    return (int)syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
}
int roost_memfd_create(const char *name, unsigned int flags) { return (int)syscall(SYS_memfd_create, name, flags); }
long roost_statfs_flags(const char *path) {
    struct statfs s;
    if (statfs(path, &s) != 0) return -1;
    return (long)s.f_flags;
}
