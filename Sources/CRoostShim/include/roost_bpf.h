// bpf(2) for the cgroup v2 device filter: Glibc has no wrapper and union bpf_attr must match the
// kernel byte for byte. Each call returns what the kernel returns: -1 with errno on failure.
#ifndef ROOST_BPF_H
#define ROOST_BPF_H

#include <stdint.h>

/// BPF_F_ALLOW_MULTI (linux/bpf.h): several programs on one cgroup, all of which must allow.
static const uint32_t ROOST_BPF_F_ALLOW_MULTI = 2;

/// BPF_PROG_LOAD of a BPF_PROG_TYPE_CGROUP_DEVICE program: `count` 8-byte instructions. With a
/// non-null `log`, the verifier's log (level 1) is written there. Returns the program's fd.
int roost_bpf_load_device_program(const void *insns, uint32_t count, const char *license, const char *name,
                                  char *log, uint32_t log_size);

/// BPF_PROG_ATTACH (BPF_CGROUP_DEVICE) of `prog` to the cgroup directory `cgroup`.
int roost_bpf_attach_device_program(int cgroup, int prog, uint32_t flags);

/// BPF_PROG_DETACH (BPF_CGROUP_DEVICE) of `prog` from `cgroup`.
int roost_bpf_detach_device_program(int cgroup, int prog);

/// BPF_PROG_QUERY (BPF_CGROUP_DEVICE): fills up to *count ids and sets *count to how many are
/// attached (ENOSPC when `ids` was too small).
int roost_bpf_query_device_programs(int cgroup, uint32_t *ids, uint32_t *count);

/// BPF_PROG_GET_FD_BY_ID: an fd for an attached program, to detach it.
int roost_bpf_program_fd(uint32_t id);

#endif
