// See CPUFeatures.h. Flags count only when the OS also enables the register state (XCR0), as a
// CPU can have AVX-512 that a hypervisor or kernel leaves switched off.
#include "CPUFeatures.h"
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>

static unsigned long long xgetbv0(void) {
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

void vk_cpu_info_read(struct vk_cpu_info *info) {
    memset(info, 0, sizeof *info);
    unsigned int a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return;
    unsigned int maxLeaf = a;
    memcpy(info->vendor, &b, 4);
    memcpy(info->vendor + 4, &d, 4);
    memcpy(info->vendor + 8, &c, 4);

    __get_cpuid(1, &a, &b, &c, &d);
    int baseFamily = (a >> 8) & 0xF, baseModel = (a >> 4) & 0xF;
    info->family = baseFamily == 0xF ? baseFamily + ((a >> 20) & 0xFF) : baseFamily;
    info->model = (baseFamily == 0x6 || baseFamily == 0xF) ? (baseModel | (((a >> 16) & 0xF) << 4)) : baseModel;
    int osxsave = (c >> 27) & 1;
    unsigned long long xcr0 = osxsave ? xgetbv0() : 0;
    int osAVX = (xcr0 & 0x6) == 0x6;            // SSE and AVX state
    int osAVX512 = osAVX && (xcr0 & 0xE0) == 0xE0;  // opmask, upper ZMM halves, ZMM16-31
    info->avx = osAVX && ((c >> 28) & 1);
    info->fma = info->avx && ((c >> 12) & 1);

    if (maxLeaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        unsigned int subleaves = a;
        info->avx2 = info->avx && ((b >> 5) & 1);
        info->avx512f = osAVX512 && ((b >> 16) & 1);
        if (subleaves >= 1) {
            __cpuid_count(7, 1, a, b, c, d);
            info->avx512bf16 = info->avx512f && ((a >> 5) & 1);
        }
    }

    __get_cpuid(0x80000000, &a, &b, &c, &d);
    if (a >= 0x80000004) {
        unsigned int words[12];
        for (unsigned int i = 0; i < 3; i++)
            __get_cpuid(0x80000002 + i, &words[4 * i], &words[4 * i + 1], &words[4 * i + 2], &words[4 * i + 3]);
        memcpy(info->brand, words, 48);
        info->brand[48] = 0;
    }
}
#else
void vk_cpu_info_read(struct vk_cpu_info *info) { memset(info, 0, sizeof *info); }
#endif
