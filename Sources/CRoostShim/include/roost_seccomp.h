// seccomp(2): Glibc has no wrapper, and the flags of newer kernels are missing from older headers.
#ifndef ROOST_SECCOMP_H
#define ROOST_SECCOMP_H

#include <stdint.h>

// SECCOMP_FILTER_FLAG_* (linux/seccomp.h).
static const uint32_t ROOST_SECCOMP_FILTER_FLAG_TSYNC = 1;
static const uint32_t ROOST_SECCOMP_FILTER_FLAG_LOG = 2;
static const uint32_t ROOST_SECCOMP_FILTER_FLAG_SPEC_ALLOW = 4;
static const uint32_t ROOST_SECCOMP_FILTER_FLAG_NEW_LISTENER = 8;
static const uint32_t ROOST_SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV = 32;

/// seccomp(SECCOMP_SET_MODE_FILTER, flags, &{count, filter}): `filter` is `count` struct
/// sock_filter (8 bytes each). Returns 0, the listener fd with NEW_LISTENER, or -1 with errno.
int roost_seccomp_load(const void *filter, uint16_t count, uint32_t flags);

/// Whether this kernel knows a filter flag: seccomp(SET_MODE_FILTER, flag, NULL) fails with
/// EFAULT when it does and EINVAL when it does not (libseccomp's probe). Changes nothing.
int roost_seccomp_flag_supported(uint32_t flag);

/// memfd_create(name, MFD_CLOEXEC): where libseccomp exports the BPF for roost to read back.
int roost_memfd(const char *name);

#endif
