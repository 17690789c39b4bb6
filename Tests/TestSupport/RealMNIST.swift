import Foundation

/// The real MNIST files, for the few tests that need them: $VAE_TUI_DATA, else the cache `vae-tui data fetch mnist`
/// fills; nil (and those tests skipped, saying why) when neither holds the four files.
public enum RealMNIST {
    public static let directory: String? = {
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (environment["HOME"] ?? "") + "/.cache"
        let names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
        return [environment["VAE_TUI_DATA"], cache + "/vae-tui/mnist"].compactMap { $0 }.first { directory in
            !directory.isEmpty && names.allSatisfy { FileManager.default.fileExists(atPath: "\(directory)/\($0).gz") || FileManager.default.fileExists(atPath: "\(directory)/\($0)") }
        }
    }()

    public static var isAvailable: Bool { directory != nil }
}
