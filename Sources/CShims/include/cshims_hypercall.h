// The Ozz/OEMU run-time switch: one hypercall from user mode. It must be C
// (inline assembly setting exact registers), and a fault on a machine with no
// hypervisor to take it (SIGILL; SIGSEGV where KVM answers with #GP) is caught
// and reported, so it can be issued from the measuring process itself, between
// two timed intervals, at any time in a run.
#ifndef CSHIMS_HYPERCALL_H
#define CSHIMS_HYPERCALL_H

// Ozz's hypercall number (RAX) and the two commands (RBX) of its KSSB switch.
#define CSHIMS_KSSB_HYPERCALL 0x1d08aa3eUL
#define CSHIMS_KSSB_ENABLE 0x3dcb4536UL
#define CSHIMS_KSSB_DISABLE 0xbed348f5UL

// Issues `vmcall` with RAX = CSHIMS_KSSB_HYPERCALL, RBX = command, RCX = RDX =
// RSI = 0, with SIGILL and SIGSEGV caught for the duration (the caller's
// handlers are put back). Returns 0 with *rax_after = RAX after the call (valid
// when *signal_number is 0) and *signal_number = the signal the vmcall raised,
// or 0; -1 with errno set when the handlers could not be installed; ENOSYS on
// anything but x86-64. Not thread-safe (the runner is single-threaded).
int cshims_kssb_hypercall(unsigned long command, long *_Nonnull rax_after, int *_Nonnull signal_number);

#endif
