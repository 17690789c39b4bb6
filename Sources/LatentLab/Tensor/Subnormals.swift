import CKernels

/// Subnormal floats (below 1.2e-38), which the engine flushes to zero unless told to keep them.
///
/// The gradients of an importance-weighted bound are scaled by normalised weights, many of them below
/// 1e-38 at k = 50, and an Intel core takes a microcode assist for each vector instruction that reads or makes
/// such a number: at the paper's batch of 20 the step ran 1.5 to 1.9 times faster with them flushed, on an Intel Xeon
/// (docs/benchmarks.md). What is lost is below 1e-38 of the terms beside it, invisible at single precision in
/// every bound the program prints. The mode is a thread's own: threads inherit their creator's, and the
/// engine's parts of split work take the mode of the thread that splits it.
public enum Subnormals {
    /// `VAE_TUI_SUBNORMALS=keep` keeps them (IEEE arithmetic throughout), `flush` or unset flushes them.
    public static let environmentKey = "VAE_TUI_SUBNORMALS"

    /// The environment's and the run log's word for each mode.
    public static func setting(flushing: Bool) -> String { flushing ? "flush" : "keep" }

    /// What the environment asks for: true to flush, nil when the value is neither `keep` nor `flush`.
    public static func flushes(environment: [String: String]) -> Bool? {
        switch environment[environmentKey] {
        case nil, "", setting(flushing: true): return true
        case setting(flushing: false): return false
        default: return nil
        }
    }

    /// Whether the calling thread flushes subnormals to zero (false where the processor has no such mode).
    public static var flushedOnThisThread: Bool { vk_flushes_subnormals() != 0 }

    /// Sets the calling thread's mode. Threads it creates afterwards inherit it.
    public static func flushOnThisThread(_ on: Bool) {
        vk_set_flush_subnormals(on ? 1 : 0)
    }

    /// The words a report uses for a mode, this thread's by default.
    public static func modeName(flushing: Bool = flushedOnThisThread) -> String {
        flushing ? "flushed to zero" : "kept"
    }
}
