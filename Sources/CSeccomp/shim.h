// libseccomp (Debian's libseccomp-dev; libseccomp.a for the static release binary). Only roost's
// parent uses it, to compile a profile to BPF before clone; the container's init loads the BPF
// with one seccomp(2) call (roost_seccomp_load in CRoostShim).
#include <seccomp.h>
