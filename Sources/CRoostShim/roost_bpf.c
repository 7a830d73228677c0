// bpf(2) calls for the cgroup v2 device filter (see include/roost_bpf.h).
#include "roost_bpf.h"

#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int roost_bpf(int cmd, union bpf_attr *attr) {
    return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

int roost_bpf_load_device_program(const void *insns, uint32_t count, const char *license, const char *name,
                                  char *log, uint32_t log_size) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uint64_t)(uintptr_t)insns;
    attr.insn_cnt = count;
    attr.license = (uint64_t)(uintptr_t)license;
    if (log != NULL && log_size > 0) {
        log[0] = 0;
        attr.log_level = 1;
        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = log_size;
    }
    if (name != NULL) strncpy(attr.prog_name, name, sizeof(attr.prog_name) - 1);
    return roost_bpf(BPF_PROG_LOAD, &attr);
}

int roost_bpf_attach_device_program(int cgroup, int prog, uint32_t flags) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)cgroup;
    attr.attach_bpf_fd = (uint32_t)prog;
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = flags;
    return roost_bpf(BPF_PROG_ATTACH, &attr);
}

int roost_bpf_detach_device_program(int cgroup, int prog) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)cgroup;
    attr.attach_bpf_fd = (uint32_t)prog;
    attr.attach_type = BPF_CGROUP_DEVICE;
    return roost_bpf(BPF_PROG_DETACH, &attr);
}

int roost_bpf_query_device_programs(int cgroup, uint32_t *ids, uint32_t *count) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.query.target_fd = (uint32_t)cgroup;
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
    attr.query.prog_cnt = *count;
    int r = roost_bpf(BPF_PROG_QUERY, &attr);
    *count = attr.query.prog_cnt;
    return r;
}

int roost_bpf_program_fd(uint32_t id) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_id = id;
    return roost_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
}
