import ArgumentParser
import Foundation
import LatentLab

@main
struct VAETUI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vae-tui",
        abstract: "A terminal laboratory for latent-variable models: train a VAE and watch the theory happen.",
        version: VAETUI.versionText,
        subcommands: [Run.self, Train.self, Eval.self, Bench.self, Demos.self, Lab.self, PresetsCommand.self,
                      Reproduce.self, Show.self, DataCommand.self, Fault.self],
        defaultSubcommand: Run.self
    )

    /// `vae-tui --version`: the program, and the BLAS and CPU it runs on.
    static var versionText: String {
        "vae-tui \(Program.version)\nBLAS: \(BLASKernel.summary)\nCPU: \(CPUInfo.current.summary)"
    }

    static func main() {
        BLASStartup.ensureBestKernel()
        // Past a file-size limit (`ulimit -f`) a write then fails with EFBIG, reported like a full disk,
        // instead of the signal killing the process in the middle of a save.
        signal(SIGXFSZ, SIG_IGN)
        Allocator.keepFreedBuffers()
        do {
            let environment = ProcessInfo.processInfo.environment
            guard let flush = Subnormals.flushes(environment: environment) else {
                throw fail("\(Subnormals.environmentKey) must be keep or flush, "
                           + "got '\(environment[Subnormals.environmentKey] ?? "")'")
            }
            Subnormals.flushOnThisThread(flush)  // before any thread is made: they all inherit it
            let arguments: [String]
            do {
                arguments = try Presets.expand(Array(CommandLine.arguments.dropFirst()))
            } catch let e as UserError {
                throw fail(e.description)
            }
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
