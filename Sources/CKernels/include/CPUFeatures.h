// What the processor offers, read with CPUID and XGETBV: the BLAS kernel check compares the kernel
// OpenBLAS chose against it (a library that does not know a CPU model falls back to SSE3 kernels).
#ifndef CPU_FEATURES_H
#define CPU_FEATURES_H

struct vk_cpu_info {
    char vendor[13];   // "GenuineIntel", "AuthenticAMD", or "" off x86-64
    char brand[49];    // the processor's brand string, "" when it has none
    int family;        // display family and model, as /proc/cpuinfo gives them
    int model;
    int fma, avx, avx2; // usable: the CPU has them and the OS saves their registers
    int avx512f, avx512bf16;
};

/// Fills `info`; every flag 0 on other architectures.
void vk_cpu_info_read(struct vk_cpu_info *info);

/// A spin-wait loop's pause: tells the core (and a hypervisor) that this thread only waits.
static inline void vk_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
