#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>
int main(void) {
    void *a = memalign(64, 128);
    void *b = NULL;
    posix_memalign(&b, 32, 100);
    void *c = aligned_alloc(256, 512);
    void *d = realloc(NULL, 40);
    printf("program output line\n"); fflush(stdout);
    d = realloc(d, 400);
    void *e = malloc(0);
    void *f = calloc(3, 10);
    free(NULL);
    void *g = valloc(10);
    void *h = malloc(7);
    h = realloc(h, 0);
    free(a); free(b); free(c);
    printf("more output without newline"); fflush(stdout);
    free(e); free(g);
    (void)f; (void)d; (void)h;
    return 0;
}
