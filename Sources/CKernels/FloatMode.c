// See FloatMode.h.
#include "FloatMode.h"

#if defined(__x86_64__)
#include <xmmintrin.h>
static const unsigned FLUSH_BITS = 0x8040;  // MXCSR: FTZ (bit 15) and DAZ (bit 6)

void vk_set_flush_subnormals(int on) {
    unsigned csr = _mm_getcsr();
    _mm_setcsr(on ? (csr | FLUSH_BITS) : (csr & ~FLUSH_BITS));
}

int vk_flushes_subnormals(void) { return (_mm_getcsr() & FLUSH_BITS) == FLUSH_BITS; }

#elif defined(__aarch64__)
static const unsigned long FLUSH_BIT = 1ul << 24;  // FPCR: FZ

static unsigned long read_fpcr(void) {
    unsigned long r;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(r));
    return r;
}

void vk_set_flush_subnormals(int on) {
    unsigned long r = read_fpcr();
    r = on ? (r | FLUSH_BIT) : (r & ~FLUSH_BIT);
    __asm__ __volatile__("msr fpcr, %0" : : "r"(r));
}

int vk_flushes_subnormals(void) { return (read_fpcr() & FLUSH_BIT) != 0; }

#else
void vk_set_flush_subnormals(int on) { (void)on; }
int vk_flushes_subnormals(void) { return 0; }
#endif
