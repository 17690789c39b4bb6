import CBLAS
import Foundation

/// Which OpenBLAS kernel this process runs, and whether it fits the CPU.
///
/// OpenBLAS (DYNAMIC_ARCH) picks its kernels from the CPU's model number when it loads. A library
/// older than the CPU does not know the model and falls back to its SSE3 "Prescott" kernels: Debian 12's
/// 0.3.21 does so on Sapphire and Emerald Rapids Xeons, at a third of the speed the CPU can give.
/// `OPENBLAS_CORETYPE` chooses the kernel instead, but is read only while the library loads, so the
/// program re-executes itself with it set (`plan`, then `vae-tui`'s start-up). A value the user set is kept.
public enum BLASKernel {
    /// The user's override, read by OpenBLAS when it loads.
    public static let coretypeVariable = "OPENBLAS_CORETYPE"
    /// Set beside `OPENBLAS_CORETYPE` when vae-tui chose it, so the value is not taken for the user's.
    public static let chosenVariable = "VAE_TUI_CORETYPE"
    /// The kernel the library had picked by itself before vae-tui replaced it, for the reports.
    public static let libraryChoiceVariable = "VAE_TUI_LIBRARY_CORETYPE"
    /// `off` skips the check.
    public static let checkVariable = "VAE_TUI_BLAS_CHECK"

    /// What start-up should do about the kernel.
    public enum Plan: Equatable, Sendable {
        /// The kernel fits the CPU, or nothing wider is available in this library.
        case keep
        /// `OPENBLAS_CORETYPE` was set by the user: kept, whatever it is.
        case userChoice(String)
        /// Re-execute with `OPENBLAS_CORETYPE` set to this kernel.
        case restart(coretype: String)
    }

    /// The vector unit an OpenBLAS kernel (its core name) uses for single-precision products.
    public static func vectorUnit(ofCore name: String) -> VectorUnit {
        switch name.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": .avx512
        case "haswell", "zen": .avx2
        case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator": .avx
        default: .sse
        }
    }

    /// The kernels that fit a CPU, best first (names as OPENBLAS_CORETYPE takes them).
    public static func candidates(for cpu: CPUInfo) -> [String] {
        switch cpu.vectorUnit {
        case .avx512: cpu.bf16 ? ["Cooperlake", "SkylakeX"] : ["SkylakeX"]
        case .avx2: cpu.isAMD ? ["Zen", "Haswell"] : ["Haswell", "Zen"]
        case .avx: ["Sandybridge"]
        case .sse: []
        }
    }

    /// The decision, as a pure function of what start-up sees. `available` says whether the loaded
    /// library has a kernel of that name (an older OpenBLAS lacks the newer ones).
    public static func plan(cpu: CPUInfo, kernel: String, environment: [String: String],
                            available: (String) -> Bool) -> Plan {
        if environment[checkVariable] == "off" { return .keep }
        let ours = environment[chosenVariable]
        if let set = environment[coretypeVariable], set != ours { return .userChoice(set) }
        let current = vectorUnit(ofCore: kernel)
        guard current < cpu.vectorUnit,
              let target = candidates(for: cpu).first(where: available),
              vectorUnit(ofCore: target) > current,
              target != ours  // already tried once: the library would not take it
        else { return .keep }
        return .restart(coretype: target)
    }

    /// The plan for this process.
    public static func currentPlan() -> Plan {
        plan(cpu: .current, kernel: coreName, environment: ProcessInfo.processInfo.environment,
             available: libraryHasKernel)
    }

    /// The kernel OpenBLAS runs ("Cooperlake", "Haswell", "Prescott" …).
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// "OpenBLAS 0.3.21".
    public static var library: String {
        let config = String(cString: openblas_get_config()).split(separator: " ")
        return config.prefix(2).joined(separator: " ")
    }

    /// Whether the loaded library was built with the named kernel (its table is an exported symbol).
    static func libraryHasKernel(_ name: String) -> Bool {
        guard let process = dlopen(nil, RTLD_LAZY) else { return false }  // the program and the libraries it loaded
        defer { dlclose(process) }
        return dlsym(process, "gotoblas_" + name.uppercased()) != nil
    }

    /// One line for `--version`, `bench`, the run log and the help overlay:
    /// "OpenBLAS 0.3.21, kernel Cooperlake (AVX-512), set by vae-tui: the library chose Prescott".
    public static var summary: String {
        let kernel = coreName
        let env = ProcessInfo.processInfo.environment
        var line = "\(library), kernel \(kernel) (\(vectorUnit(ofCore: kernel)))"
        if let chosen = env[chosenVariable], env[coretypeVariable] == chosen {
            line += env[libraryChoiceVariable].map { ", set by vae-tui: the library chose \($0)" }
                ?? ", standing in for the library's own choice (\(chosenVariable))"
        } else if let set = env[coretypeVariable] {
            line += ", set by \(coretypeVariable)=\(set)"
        } else {
            line += ", chosen by the library"
        }
        if vectorUnit(ofCore: kernel) < CPUInfo.current.vectorUnit {
            line += "; narrower than this CPU's \(CPUInfo.current.vectorUnit) "
                + "(unset \(coretypeVariable) to let vae-tui choose)"
        }
        return line
    }
}

/// What the engine runs on, as the reports print it.
public enum Platform {
    /// "BLAS: OpenBLAS 0.3.21, kernel …", "CPU: AMD EPYC (…), AVX-512 with BF16" and how subnormals are treated.
    public static var lines: [String] {
        ["BLAS: \(BLASKernel.summary)", "CPU: \(CPUInfo.current.summary)",
         "Subnormals: \(Subnormals.modeName())"
            + (Subnormals.flushedOnThisThread ? " (\(Subnormals.environmentKey)=keep keeps them)" : "")]
    }
}
