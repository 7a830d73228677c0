// libseccomp (Debian's libseccomp-dev; libseccomp.a for the static release binary). Only roost's
// parent uses it, to compile a profile to BPF before clone; the container's init loads the BPF
// with one seccomp(2) call (roost_seccomp_load in CRoostShim).
#include <seccomp.h>

// The architecture tokens are expression macros, which Swift does not import.
static inline uint32_t roost_scmp_arch_x86_64(void) { return SCMP_ARCH_X86_64; }
static inline uint32_t roost_scmp_arch_x32(void) { return SCMP_ARCH_X32; }
