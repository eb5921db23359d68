/*
 * How fast two processes copy one message together with cross-memory attach, against one process pulling it alone
 * (the measurement behind the broadcast's and point-to-point's copy together; BENCHMARKS.md, "Thirteenth session").
 * A child pulls the first FRACTION of each message from its parent with process_vm_readv while the parent pushes
 * the rest into the child with process_vm_writev; ROUNDS messages of MIB MiB, the n-th at offset (n % WINDOW)
 * of a WINDOW-message area on both sides (WINDOW 1: the same buffers every round, in the cache; 64: out of it).
 * Prints the child's time per message (from the start signal to the parent's last byte): min, p50, p90, mean.
 *   gcc -O2 -o pull-push pull-push.c && ./pull-push 1.0 16 1 && ./pull-push 0.5 16 1 && ./pull-push 0.5 1 64
 */
#define _GNU_SOURCE
#include <sys/uio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <stdatomic.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 4) { fprintf(stderr, "usage: pull-push FRACTION MIB WINDOW [ROUNDS]\n"); return 2; }
    const double fraction = atof(argv[1]);
    const size_t n = (size_t)atol(argv[2]) << 20, window = atol(argv[3]);
    const int rounds = argc > 4 ? atoi(argv[4]) : 2000;
    const size_t split = (size_t)(n * fraction) & ~4095UL;
    char *src = mmap(0, n * window, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(src, 1, n * window);
    _Atomic long *shared = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    _Atomic long *turn = shared, *destination = shared + 8, *pushed = shared + 16;
    const pid_t parent = getpid();
    const pid_t child = fork();
    if (child == 0)
    {
        char *dst = mmap(0, n * window, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        memset(dst, 0, n * window);
        *destination = (long)dst;
        double *t = malloc(rounds * sizeof(double));
        for (int i = 0; i < rounds; i++)
        {
            const size_t at = (i % window) * n;
            while (*turn != 2 * i + 1);
            const double start = now();
            if (split)
            {
                struct iovec local = {dst + at, split}, remote = {src + at, split};
                if (process_vm_readv(parent, &local, 1, &remote, 1, 0) != (ssize_t)split) { perror("process_vm_readv"); exit(1); }
            }
            while (*pushed != i + 1);
            t[i] = now() - start;
            *turn = 2 * i + 2;
        }
        double sum = 0;
        for (int i = 0; i < rounds; i++) sum += t[i];
        qsort(t, rounds, sizeof(double), cmp);
        printf("%zu MiB, window %zu, pulled %.2f: min %.0f p50 %.0f p90 %.0f mean %.0f us\n", n >> 20, window, fraction,
            t[0], t[rounds / 2], t[rounds * 9 / 10], sum / rounds);
        exit(0);
    }
    while (!*destination);
    for (int i = 0; i < rounds; i++)
    {
        const size_t at = (i % window) * n;
        *turn = 2 * i + 1;
        if (n - split)
        {
            struct iovec local = {src + at + split, n - split}, remote = {(char *)*destination + at + split, n - split};
            if (process_vm_writev(child, &local, 1, &remote, 1, 0) != (ssize_t)(n - split)) { perror("process_vm_writev"); exit(1); }
        }
        *pushed = i + 1;
        while (*turn != 2 * i + 2);
    }
    waitpid(child, 0, 0);
    return 0;
}
