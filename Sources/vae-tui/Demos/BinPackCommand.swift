import ArgumentParser
import Foundation
import LatentLab
import LatentUI

/// `vae-tui demo binpack`: the lecture's four points in a 2-D latent, stepped one optimisation step at a time.
struct Binpack: DemoCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bin packing: four points A–D in a 2-D latent, each q(z|x) against the prior, with the exact gap.")

    @Option(help: ArgumentHelp("Start from a preset's settings (vae-tui presets lists the binpack-* ones); "
                               + "flags given here override it.", valueName: "NAME"),
            completion: .custom { _, _, _ in Presets.names() })
    var preset: String?

    @Option(help: "Posterior family to start with: diagonal, full, iaf.")
    var posterior = DemoName<LatentPosterior>(.diag)

    @Option(help: "Prior to start with: normal (N(0,I)) or flow (a learned autoregressive flow).")
    var prior = DemoName<LatentPrior>(.normal)

    @Option(help: ArgumentHelp("Objective: elbo (k-sample ELBO) or iwae (L_k).", valueName: "elbo|iwae"))
    var objective: ObjectiveKind = .elbo

    @Option(help: ArgumentHelp("Samples per point.", valueName: "K"))
    var k: Int = 1

    @Option(help: ArgumentHelp("Weight on the KL term.", valueName: "B"))
    var beta: Float = 1

    @Option(name: .customLong("free-bits"),
            help: ArgumentHelp("Free bits on the whole rate (0 = off).", valueName: "L"))
    var freeBits: Float = 0

    @Option(help: ArgumentHelp("Adam's learning rate.", valueName: "LR"))
    var lr: Float = BinPackSettings().learningRate

    @OptionGroup var start: DemoStart

    @OptionGroup var screenOptions: ScreenOptions

    func validate() throws {
        guard (1...1000).contains(k) else { throw ValidationError("--k must be between 1 and 1000, got \(k)") }
        guard beta >= 0 && beta.isFinite else { throw ValidationError("--beta must be 0 or more, got \(beta)") }
        guard freeBits >= 0 && freeBits.isFinite else {
            throw ValidationError("--free-bits must be 0 or more, got \(freeBits)")
        }
        guard lr > 0 && lr < 1 else { throw ValidationError("--lr must be between 0 and 1, got \(lr)") }
    }

    /// The demo in the state these options give, its steps taken.
    func makeDemo() -> any LatentUI.Demo {
        let demo = BinPackDemo(seed: start.seed, family: posterior.family, prior: prior.family)
        demo.settings.objective.kind = objective
        demo.settings.objective.k = k
        demo.settings.objective.beta = beta
        demo.settings.objective.freeBits.lambda = freeBits
        demo.settings.learningRate = lr
        demo.advance(start.steps)
        return BinPackLiveDemo(demo)
    }
}

/// A shared family by its name on the demo's command line: the model's names, except the demo's own older
/// `diagonal` (diag) and `flow` (af), which its presets and users' scripts use.
struct DemoName<Family: RawRepresentable & CaseIterable & Sendable>: ExpressibleByArgument
    where Family.RawValue == String {
    let family: Family
    init(_ family: Family) { self.family = family }

    init?(argument: String) {
        guard let family = Family.allCases.first(where: { Self.name($0) == argument }) else { return nil }
        self.family = family
    }

    static func name(_ family: Family) -> String { demoNames[family.rawValue] ?? family.rawValue }

    static var allValueStrings: [String] { Family.allCases.map(name) }
    var defaultValueDescription: String { Self.name(family) }
}

private let demoNames = [LatentPosterior.diag.rawValue: "diagonal", LatentPrior.af.rawValue: "flow"]
