import Foundation

/// The real MNIST files, for the few tests that check facts of the real data: where VAE_TUI_DATA points, else
/// the cache `vae-tui data fetch mnist` fills ($XDG_CACHE_HOME/vae-tui/mnist, else ~/.cache/vae-tui/mnist).
/// Without all four files the tests that need them are skipped, saying so; every other test makes its own data.
enum RealMNIST {
    static let files = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

    static let directory: String? = {
        let env = ProcessInfo.processInfo.environment
        if let data = env["VAE_TUI_DATA"], !data.isEmpty { return data }
        if let cache = env["XDG_CACHE_HOME"], !cache.isEmpty { return cache + "/vae-tui/mnist" }
        return env["HOME"].map { $0 + "/.cache/vae-tui/mnist" }
    }()

    /// All four files are there, each gzipped or raw.
    static var isAvailable: Bool {
        guard let directory else { return false }
        return files.allSatisfy { name in [name, name + ".gz"].contains { FileManager.default.fileExists(atPath: directory + "/" + $0) } }
    }
}
