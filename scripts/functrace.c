// functrace: which functions a command and every process it forks or clones run, natively.
// Writes "N ADDRESS" the first time process N (numbered in order of birth; 0 is the command) enters
// the function starting at ADDRESS, in that order, until the process execs something else or the
// command exits (a process then still running is let go with its code as it was).
// scripts/order-file.sh turns that into the linker's order file.
//
// How: an int3 on the first byte of every function given (a sorted list of hex addresses of a
// non-PIE binary); each one is put back as it is hit, so a function costs one trap per process.
// A new process gets all of them again, as its copy of memory has only the ones its parent has not
// hit yet. Why not valgrind: it has no clone3 or openat2 (a container's init cannot run under it)
// and it picks other ifunc variants than the machine runs natively.
//
// usage: functrace ADDRESSES OUTFILE COMMAND [ARGS...]
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static uint64_t *addrs;
static unsigned char *orig;
static size_t count;

static long find(uint64_t a) {
    size_t l = 0, h = count;
    while (l < h) {
        size_t m = (l + h) / 2;
        if (addrs[m] < a) l = m + 1; else h = m;
    }
    return (l < count && addrs[l] == a) ? (long)l : -1;
}

static int setByte(pid_t pid, uint64_t a, unsigned char b) {
    errno = 0;
    long w = ptrace(PTRACE_PEEKTEXT, pid, (void *)a, NULL);
    if (errno) return -1;
    w = (long)(((unsigned long)w & ~0xfful) | b);
    return (int)ptrace(PTRACE_POKETEXT, pid, (void *)a, (void *)w);
}

static void arm(pid_t pid) {
    for (size_t i = 0; i < count; i++) setByte(pid, addrs[i], 0xcc);
}

#define MAXPROCS 256
static pid_t pids[MAXPROCS];
static unsigned char alive[MAXPROCS];
static int nprocs;

static int number(pid_t pid, int *isNew) {
    for (int i = 0; i < nprocs; i++) if (pids[i] == pid) { *isNew = 0; return i; }
    if (nprocs == MAXPROCS) { fprintf(stderr, "functrace: too many processes\n"); exit(2); }
    pids[nprocs] = pid;
    alive[nprocs] = 1;
    *isNew = 1;
    return nprocs++;
}

// A process still running when the command has exited (the init `create` leaves waiting for `start`):
// stop it, put every original byte back, and let it go on untraced.
static void release(int n) {
    pid_t pid = pids[n];
    int status;
    kill(pid, SIGSTOP);
    for (;;) {
        if (waitpid(pid, &status, __WALL) < 0 || WIFEXITED(status) || WIFSIGNALED(status)) return;
        if (!WIFSTOPPED(status)) continue;
        if (WSTOPSIG(status) == SIGSTOP && (status >> 16) == 0) break;
        if (WSTOPSIG(status) == SIGTRAP && (status >> 16) == 0) { // a breakpoint it hit meanwhile
            struct user_regs_struct regs;
            if (ptrace(PTRACE_GETREGS, pid, NULL, &regs) == 0 && find(regs.rip - 1) >= 0) {
                regs.rip -= 1;
                ptrace(PTRACE_SETREGS, pid, NULL, &regs);
            }
            ptrace(PTRACE_CONT, pid, NULL, NULL);
            continue;
        }
        ptrace(PTRACE_CONT, pid, NULL, NULL); // events: go on to the SIGSTOP
    }
    for (size_t i = 0; i < count; i++) setByte(pid, addrs[i], orig[i]);
    ptrace(PTRACE_DETACH, pid, NULL, NULL);
    alive[n] = 0;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: functrace ADDRESSES OUTFILE COMMAND [ARGS...]\n"); return 2; }
    FILE *in = fopen(argv[1], "r"), *out = fopen(argv[2], "w");
    if (!in || !out) { perror("functrace"); return 2; }
    size_t cap = 1 << 16;
    addrs = malloc(cap * sizeof *addrs);
    unsigned long long a;
    while (fscanf(in, "%llx", &a) == 1) {
        if (count == cap) addrs = realloc(addrs, (cap *= 2) * sizeof *addrs);
        if (count == 0 || addrs[count - 1] < a) addrs[count++] = a; // sorted, without aliases
    }
    orig = malloc(count);

    pid_t top = fork();
    if (top == 0) {
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        raise(SIGSTOP);
        execv(argv[3], argv + 3);
        _exit(127);
    }
    int status, isNew, topStatus = 1, topExeced = 0;
    waitpid(top, &status, 0);
    ptrace(PTRACE_SETOPTIONS, top, NULL,
        (void *)(long)(PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL));
    number(top, &isNew);
    ptrace(PTRACE_CONT, top, NULL, NULL);
    for (;;) {
        pid_t pid = waitpid(-1, &status, __WALL);
        if (pid < 0) { if (errno == EINTR) continue; break; }
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            for (int i = 0; i < nprocs; i++) if (pids[i] == pid) alive[i] = 0;
            if (pid == top) {
                topStatus = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                for (int i = 1; i < nprocs; i++) if (alive[i]) release(i);
                break;
            }
            continue;
        }
        if (!WIFSTOPPED(status)) continue;
        int sig = WSTOPSIG(status), event = status >> 16;
        int n = number(pid, &isNew);
        if (sig == SIGTRAP && event == PTRACE_EVENT_EXEC) {
            if (pid == top && !topExeced) { // the command is now the binary: read its bytes, arm it
                topExeced = 1;
                for (size_t i = 0; i < count; i++) {
                    errno = 0;
                    long w = ptrace(PTRACE_PEEKTEXT, pid, (void *)addrs[i], NULL);
                    if (errno) { fprintf(stderr, "functrace: %llx is not mapped\n", (unsigned long long)addrs[i]); return 2; }
                    orig[i] = (unsigned char)w;
                }
                arm(pid);
                ptrace(PTRACE_CONT, pid, NULL, NULL);
            } else {
                ptrace(PTRACE_DETACH, pid, NULL, NULL); // left the binary
                alive[n] = 0;
            }
            continue;
        }
        if (sig == SIGTRAP && (event == PTRACE_EVENT_CLONE || event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK)) {
            unsigned long child;
            ptrace(PTRACE_GETEVENTMSG, pid, NULL, &child);
            number((pid_t)child, &isNew); // numbered at birth; armed at its first stop
            ptrace(PTRACE_CONT, pid, NULL, NULL);
            continue;
        }
        if (sig == SIGSTOP && (isNew || n > 0)) {
            static unsigned char armed[MAXPROCS];
            if (!armed[n] && n > 0) { armed[n] = 1; arm(pid); ptrace(PTRACE_CONT, pid, NULL, NULL); continue; }
        }
        if (sig == SIGTRAP && event == 0) {
            struct user_regs_struct regs;
            if (ptrace(PTRACE_GETREGS, pid, NULL, &regs) == 0) {
                long i = find(regs.rip - 1);
                if (i >= 0) {
                    fprintf(out, "%d %llx\n", n, (unsigned long long)addrs[i]);
                    setByte(pid, addrs[i], orig[i]);
                    regs.rip -= 1;
                    ptrace(PTRACE_SETREGS, pid, NULL, &regs);
                    ptrace(PTRACE_CONT, pid, NULL, NULL);
                    continue;
                }
            }
        }
        ptrace(PTRACE_CONT, pid, NULL, (void *)(long)(sig == SIGSTOP ? 0 : sig));
    }
    fclose(out);
    return topStatus;
}
