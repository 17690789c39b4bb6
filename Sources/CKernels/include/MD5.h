// MD5 (RFC 1321), for checking downloaded data files against the checksums their publishers list.
// Not for security: the published MNIST and Fashion-MNIST checksums are MD5, so MD5 it is. In C so that
// debug builds (the tests) hash tens of megabytes in milliseconds.
#ifndef VK_MD5_H
#define VK_MD5_H

#include <stddef.h>
#include <stdint.h>

struct vk_md5 {
    uint32_t state[4];
    uint64_t length;          // bytes hashed so far
    unsigned char block[64];  // the partial block not yet hashed
};

void vk_md5_init(struct vk_md5 *md5);
void vk_md5_update(struct vk_md5 *md5, const void *bytes, size_t count);
/// Writes the 16-byte digest; the state is spent afterwards.
void vk_md5_final(struct vk_md5 *md5, unsigned char digest[16]);

#endif
