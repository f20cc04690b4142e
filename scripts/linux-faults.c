/* What the real kernel does for the steps of VMSim's whole-system demo, measured with getrusage
 * and /proc/self/smaps_rollup around each step (see docs/kernel.md, "Checked against Linux"):
 *   cc -O1 -o /tmp/linux-faults scripts/linux-faults.c && /tmp/linux-faults
 * The THP step needs /sys/kernel/mm/transparent_hugepage/enabled at madvise or always. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <string.h>
static long minflt(void) { struct rusage r; getrusage(RUSAGE_SELF, &r); return r.ru_minflt; }
static long rss_kb(void) { FILE *f = fopen("/proc/self/smaps_rollup", "r"); char l[256]; long v = -1;
  while (fgets(l, sizeof l, f)) if (!strncmp(l, "Rss:", 4)) v = atol(l + 4); fclose(f); return v; }
int main(void) {
  size_t n = 4 << 20;
  volatile char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  madvise((void *)p, n, MADV_NOHUGEPAGE);
  long f0 = minflt(), r0 = rss_kb(); unsigned long s = 0;
  for (size_t i = 0; i < n; i += 4096) s += p[i];
  long f1 = minflt(), r1 = rss_kb();
  for (size_t i = 0; i < n / 2; i += 4096) p[i] = 1;
  long f2 = minflt(), r2 = rss_kb();
  printf("read 4M: %ld faults, rss +%ld kB; write 2M: %ld faults, rss +%ld kB\n", f1 - f0, r1 - r0, f2 - f1, r2 - r1);
  fflush(stdout); pid_t c = fork();
  if (c == 0) { long g0 = minflt(); for (size_t i = 0; i < (1 << 20); i += 4096) p[i] = 2; long g1 = minflt();
    printf("child writes 1M: %ld faults\n", g1 - g0); fflush(stdout); _exit(0); }
  waitpid(c, NULL, 0);
  long h0 = minflt(); for (size_t i = 0; i < (1 << 20); i += 4096) p[i] = 3; long h1 = minflt();
  printf("parent rewrites that 1M after the child exited: %ld faults\n", h1 - h0);
  volatile char *q = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  madvise((void *)q, 8 << 20, MADV_HUGEPAGE);
  long k0 = minflt(); for (size_t i = 0; i < (8 << 20); i += 4096) q[i] = 1; long k1 = minflt();
  printf("8M MADV_HUGEPAGE written: %ld faults, %s", k1 - k0, "");
  FILE *f = fopen("/proc/self/smaps_rollup", "r"); char l[256]; while (fgets(l, sizeof l, f)) if (!strncmp(l, "AnonHugePages:", 14)) printf("%s", l); fclose(f);
  return (int)(s & 1);
}
