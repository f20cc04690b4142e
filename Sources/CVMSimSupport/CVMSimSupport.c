// The prefetch hints are static inline in the header; the Ctrl-C handler lives here.
#include "CVMSimSupport.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t interrupts = 0;

static void on_interrupt(int signal) {
    (void)signal;
    if (interrupts > 0) _exit(130);
    interrupts = 1;
}

void vmsim_interrupt_install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, NULL);
    // A parent may have started us with SIGINT blocked (test harnesses do): take it.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int vmsim_interrupted(void) { return interrupts > 0; }
