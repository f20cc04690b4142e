/* A program with known memory steps, recorded by the tests (Tests/vmsimTests/RecordCommandTests.swift):
 *   memory-steps N FILE
 * maps 4 MiB of anonymous memory (read-write-execute, so that it merges with no other mapping)
 * and writes one byte in each of its first N pages, prints the mapping's address and length, maps
 * 64 KiB more, writes its 16 pages and unmaps it, grows the heap by 16 pages with sbrk and
 * writes each, mallocs and frees a few blocks (one left allocated), maps FILE and reads its first
 * page, forks a child that writes one page of the mapping (copy-on-write) and exits 0, waits, and
 * exits 0. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) return 64;
    long n = atol(argv[1]);
    size_t length = 4 << 20;
    char *p = mmap(NULL, length, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 1;
    for (long i = 0; i < n; i++) p[i * 4096] = 1;
    printf("mapping %p %zu\n", (void *)p, length);
    fflush(stdout);
    char *q = mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (q == MAP_FAILED) return 1;
    for (int i = 0; i < 16; i++) q[i * 4096] = 1;
    munmap(q, 16 * 4096);
    char *heap = sbrk(16 * 4096);
    if (heap == (void *)-1) return 2;
    for (int i = 0; i < 16; i++) heap[i * 4096] = 1;
    void *a = malloc(100), *b = malloc(5000), *c = malloc(200000);
    free(a);
    free(c);
    (void)b;
    int fd = open(argv[2], O_RDONLY);
    if (fd < 0) return 3;
    volatile char *f = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    if (f == MAP_FAILED) return 4;
    char x = f[0];
    (void)x;
    close(fd);
    pid_t child = fork();
    if (child == 0) {
        p[0] = 2;
        _exit(0);
    }
    waitpid(child, NULL, 0);
    return 0;
}
