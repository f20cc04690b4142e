/* A program that streams through a buffer larger than the benchmark machine's RAM, four times,
 * reading every cache line and writing one word per page: recorded under Valgrind Lackey by
 * bench/run.sh, its trace makes `vmsim run` swap continuously. */
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    size_t mb = argc > 1 ? (size_t)atoi(argv[1]) : 24;
    size_t n = mb << 20;
    volatile unsigned char *buf = malloc(n);
    if (!buf) return 1;
    unsigned long sum = 0;
    for (int pass = 0; pass < 4; pass++) {
        for (size_t i = 0; i < n; i += 64) {
            sum += buf[i];
            if ((i & 4095) == 0) buf[i] = (unsigned char)(pass + i);
        }
    }
    return (int)(sum & 1);
}
