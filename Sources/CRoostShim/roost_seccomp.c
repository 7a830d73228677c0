#define _GNU_SOURCE
#include "roost_seccomp.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int roost_seccomp_load(const void *filter, uint16_t count, uint32_t flags) {
    struct sock_fprog prog = {.len = count, .filter = (struct sock_filter *)filter};
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

int roost_seccomp_flag_supported(uint32_t flag) {
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL);
    return r < 0 && errno == EFAULT;
}

int roost_memfd(const char *name) { return (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC); }
