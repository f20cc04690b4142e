/* glibc's mmap threshold, seen from the program: each step allocates, frees or reallocs, and the
 * chunk's size field (the word before the pointer) says whether glibc mapped it (bit 1,
 * IS_MMAPPED) and how large the chunk is (the mapping, when mapped). Printed at the end, so that
 * stdio's buffer is not allocated between the steps. Used by MallocMmapTests against VMSim's
 * glibc-like heap model. */
#include <stdio.h>
#include <stdlib.h>

enum { MALLOC, FREE, REALLOC };
struct step { int op, id; size_t size; };

/* Sizes far from what the top of the heap holds (glibc pads each heap growth by 128 KiB, which
 * VMSim's model does not), so that only the mmap rules decide. */
static const struct step steps[] = {
    {MALLOC, 1, 100},
    {MALLOC, 2, 300000},      /* at or above the 128 KiB threshold: mapped */
    {FREE, 2, 0},             /* threshold raised to its mapping, 303104 */
    {MALLOC, 3, 300000},      /* below the raised threshold: heap */
    {MALLOC, 4, 310000},      /* above it: mapped */
    {REALLOC, 4, 400000},     /* a mapped chunk is remapped, still mapped */
    {MALLOC, 5, 40000000},    /* mapped */
    {FREE, 5, 0},             /* above the 32 MiB maximum: the threshold stays */
    {MALLOC, 6, 1048576},     /* mapped */
    {FREE, 6, 0},             /* threshold raised to 1052672 */
    {MALLOC, 7, 1000000},     /* heap */
    {REALLOC, 1, 2000000},    /* a heap block grown past the threshold moves to a mapping */
    {MALLOC, 8, 131056},      /* below the raised threshold: heap */
    {REALLOC, 4, 401000},     /* the same pages: not remapped */
};

int main(void) {
    enum { N = sizeof steps / sizeof steps[0] };
    void *p[16] = {0};
    size_t word[N];
    for (int i = 0; i < N; i++) {
        const struct step *s = &steps[i];
        if (s->op == MALLOC) p[s->id] = malloc(s->size);
        else if (s->op == REALLOC) p[s->id] = realloc(p[s->id], s->size);
        else { free(p[s->id]); p[s->id] = NULL; }
        word[i] = p[s->id] ? ((size_t *)p[s->id])[-1] : 0;
    }
    for (int i = 0; i < N; i++) {
        const struct step *s = &steps[i];
        const char *op = s->op == MALLOC ? "malloc" : s->op == FREE ? "free" : "realloc";
        printf("%s %d %zu %s %zu\n", op, s->id, s->size, (word[i] & 2) ? "mapped" : "heap", word[i] & ~(size_t)7);
    }
    return 0;
}
