import CKernels

/// Process-wide memory settings for the engine.
public enum Allocator {
    /// Keeps freed tensor buffers in the heap for reuse instead of returning them to the kernel.
    ///
    /// A training step allocates and frees the same large buffers (the decoder's logits are 15 MB at
    /// k = 50) every step. glibc serves blocks over its mmap threshold with fresh pages, so each step
    /// would pay for page faults and zeroing again; raising the thresholds makes the heap reuse them.
    /// Call once at start-up.
    public static func keepFreedBuffers() {
        vk_keep_freed_buffers(256 << 20, 128 << 20)
    }

    /// Gives back what one-off work (loading and unpacking the data set) left free in the heap, which
    /// the raised trim threshold would otherwise keep resident for the whole run.
    public static func releaseFreeMemory() {
        vk_release_free_memory()
    }
}
