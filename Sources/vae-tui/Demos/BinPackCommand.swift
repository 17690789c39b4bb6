import ArgumentParser
import Foundation
import LatentLab

/// `vae-tui demo binpack`: the lecture's four points in a 2-D latent, stepped one optimisation step at a time.
struct Binpack: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bin packing: four points A–D in a 2-D latent, each q(z|x) against the prior, with the exact gap.")

    @Option(help: "Posterior family to start with: diagonal, full, iaf.")
    var posterior: String = "diagonal"

    @Option(help: "Prior to start with: normal (N(0,I)) or flow (a learned autoregressive flow).")
    var prior: String = "normal"

    @Option(help: "Seed of the model's random start.")
    var seed: UInt64 = 1

    static let families: [String: PosteriorFamily] = ["diagonal": .diagonal, "full": .fullCovariance, "iaf": .iaf]
    static let priors: [String: PriorKind] = ["normal": .standard, "flow": .flow]

    func validate() throws {
        guard Self.families[posterior] != nil else { throw ValidationError("--posterior must be diagonal, full or iaf, got \(posterior)") }
        guard Self.priors[prior] != nil else { throw ValidationError("--prior must be normal or flow, got \(prior)") }
    }

    func run() throws {
        try runStandaloneDemo { screen in
            BLAS.setThreads(1)  // the demo's products are small: more threads only spin
            return runBinPackDemo(on: screen, seed: seed, family: Self.families[posterior]!, prior: Self.priors[prior]!)
        }
    }
}
