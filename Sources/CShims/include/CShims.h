// Umbrella header of the C shims: includes the others, nothing else.
#ifndef CSHIMS_H
#define CSHIMS_H
#include "cshims_timing.h"
#include "cshims_syscalls.h"
#include "cshims_signals.h"
#include "cshims_process.h"
#include "cshims_cpu.h"
#include "cshims_system.h"
#include "cshims_hello.h"
#include "cshims_memory.h"
#include "cshims_ipc.h"
#include "cshims_rpc.h"
#include "cshims_ctx.h"
#include "cshims_files.h"
#include "cshims_bandwidth.h"
#include "cshims_hypercall.h"
#endif
