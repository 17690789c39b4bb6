import ArgumentParser
import Foundation
import LatentLab
import LatentUI

/// `vae-tui demo …`: the lecture's pictures, one optimisation step at a time.
struct Demos: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Step through the lecture's demos in the terminal.",
        subcommands: DemoRegistry.all.map(\.command))
}

/// `vae-tui demo enumerate`: a categorical latent whose marginal is an exact sum, against the ELBO and L_k.
struct Enumerate: DemoCommand {
    static let configuration = CommandConfiguration(
        abstract: "Marginal by enumeration: exact log p(x) over K states against the ELBO and L_k, stepping q (and p).")

    @Option(help: ArgumentHelp("Number of latent states K (the lecture uses 4 and 100).", valueName: "K"))
    var states: Int = 4

    @Option(help: "Seed of the model's random start.")
    var seed: UInt64 = 1

    @OptionGroup var screenOptions: ScreenOptions

    func validate() throws {
        guard (2...200).contains(states) else {
            throw ValidationError("--states must be between 2 and 200, got \(states)")
        }
    }

    func makeDemo() -> any LatentUI.Demo { EnumerationLiveDemo(EnumerationDemo(states: states, seed: seed)) }
}

/// A demo run on its own from the shell: it needs a terminal, and gives it back however it ends.
func runStandaloneDemo(_ options: ScreenOptions, _ demo: (CursesScreen) -> DemoExit) throws {
    try reportingUserErrors {
        guard isatty(0) == 1 && isatty(1) == 1 else { throw UserError("the demo needs a terminal") }
        let screen = try options.start()
        SignalFlag.install()
        _ = demo(screen)
        screen.stop()
    }
}

/// What a stepping demo's command takes besides its model: steps before the screen opens, and the seed.
struct DemoStart: ParsableArguments {
    @Option(help: ArgumentHelp("Optimisation steps taken before the screen opens.", valueName: "N"))
    var steps = 0

    @Option(help: "Seed of the model's random start.")
    var seed: UInt64 = 1

    /// The most steps taken before the screen opens: about a minute on one core for each demo (bin packing takes
    /// 3,300 steps a second, the variational dequantizer 1,900).
    static let maximumSteps = 100_000

    func validate() throws {
        guard (0...Self.maximumSteps).contains(steps) else {
            throw ValidationError("--steps must be between 0 and \(Self.maximumSteps), got \(steps)")
        }
    }
}
