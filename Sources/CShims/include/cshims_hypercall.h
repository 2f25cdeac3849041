// The Ozz/OEMU run-time switch: one hypercall from user mode. It must be C
// (inline assembly setting exact registers), and it runs in a forked child so
// that a machine with no hypervisor to take it (SIGILL) ends the child, not the run.
#ifndef CSHIMS_HYPERCALL_H
#define CSHIMS_HYPERCALL_H

// Ozz's hypercall number (RAX) and the two commands (RBX) of its KSSB switch.
#define CSHIMS_KSSB_HYPERCALL 0x1d08aa3eUL
#define CSHIMS_KSSB_ENABLE 0x3dcb4536UL
#define CSHIMS_KSSB_DISABLE 0xbed348f5UL

// Issues `vmcall` with RAX = CSHIMS_KSSB_HYPERCALL, RBX = command, RCX = RDX =
// RSI = 0, in a forked child. Returns 0 when the child ended, with *rax_after =
// RAX after the call (valid when *signal_number is 0) and *signal_number = the
// signal that killed the child (SIGILL where vmcall faults), or 0; -1 with
// errno set when the child could not be started or reported nothing; ENOSYS on
// anything but x86-64.
int cshims_kssb_hypercall(unsigned long command, long *_Nonnull rax_after, int *_Nonnull signal_number);

#endif
