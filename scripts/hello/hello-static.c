/* Fallback for systems without a dynamic loader (an initramfs guest): the same
 * line and exit status through raw system calls, no libc at all. */
#if defined(__x86_64__)
__asm__(".globl _start\n_start:\n"
        "mov $1, %eax\n mov $1, %edi\n lea msg(%rip), %rsi\n mov $12, %edx\n syscall\n"
        "mov $231, %eax\n xor %edi, %edi\n syscall\n"
        "msg: .ascii \"Hello world\\n\"\n");
#elif defined(__aarch64__)
__asm__(".globl _start\n_start:\n"
        "mov x8, #64\n mov x0, #1\n adr x1, msg\n mov x2, #12\n svc #0\n"
        "mov x8, #94\n mov x0, #0\n svc #0\n"
        "msg: .ascii \"Hello world\\n\"\n");
#else
#error "no static hello for this architecture"
#endif
