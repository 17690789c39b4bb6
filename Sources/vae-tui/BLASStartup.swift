import Foundation
import LatentLab

/// Puts the BLAS kernel right before any work is done (see `BLASKernel`): where OpenBLAS chose a
/// kernel narrower than the CPU offers and the user set none, the process re-executes itself with
/// `OPENBLAS_CORETYPE` set, which the library reads only while it loads. If exec fails the run goes
/// on with the kernel it has, and the reports say it is narrower than the CPU.
enum BLASStartup {
    static func ensureBestKernel() {
        #if os(Linux)
        guard case .restart(let coretype) = BLASKernel.currentPlan() else { return }
        setenv(BLASKernel.libraryChoiceVariable, BLASKernel.coreName, 1)
        setenv(BLASKernel.coretypeVariable, coretype, 1)
        setenv(BLASKernel.chosenVariable, coretype, 1)
        execv(executablePath, CommandLine.unsafeArgv)
        #endif
    }

    /// The binary's own path, so that the process keeps its name: the kernel names a process after the file
    /// it executes, and through /proc/self/exe `ps`, `top` and `pkill vae-tui` would see "exe".
    private static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/proc/self/exe"
    }
}
