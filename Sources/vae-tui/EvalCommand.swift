import ArgumentParser
import Foundation
import LatentLab

/// `vae-tui eval`: the standard test-set numbers of a saved model.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a checkpoint on the test set: NLL = -L_k, ELBO, KL, active units, I_q(x;z), "
            + "the Barber-Agakov bound on I(z;x), the decoder's use of z.")

    @Option(help: ArgumentHelp("The checkpoint to evaluate.", valueName: "FILE"))
    var checkpoint: String

    @OptionGroup var data: DataOptions
    @OptionGroup var threading: ThreadOptions

    @Option(help: ArgumentHelp("Importance samples for the NLL estimate.", valueName: "K"))
    var k: Int = 5000

    @Option(help: ArgumentHelp("Use only the first N test images.", valueName: "N"))
    var limit: Int?

    @Option(help: ArgumentHelp("Seed for the importance samples.", valueName: "S"))
    var seed: UInt64 = 1

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Flag(help: "Take the inference gap apart into the approximation and amortization gaps (local inference).")
    var gaps = false

    @Option(help: ArgumentHelp("With --gaps: the most Adam steps of local inference.", valueName: "N"))
    var localSteps: Int = LocalOptimisationSettings.defaultSteps

    @Option(help: ArgumentHelp("With --gaps: draws per image for each ELBO.", valueName: "S"))
    var gapSamples: Int = GapAnalysis.defaultSamples

    func validate() throws {
        if k < 1 || k > 1_000_000 { throw ValidationError("--k must be between 1 and 1000000, got \(k)") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        if localSteps < 0 || localSteps > 1_000_000 {
            throw ValidationError("--local-steps must be between 0 and 1000000, got \(localSteps)")
        }
        if gapSamples < 2 || gapSamples > 1_000_000 {
            throw ValidationError("--gap-samples must be between 2 and 1000000, got \(gapSamples)")
        }
    }

    func run() throws {
        try reportingUserErrors {
            threading.apply()
            let saved = try Checkpoint.load(checkpoint)
            let source = try data.source(trainedOn: saved.dataset)
            let dataName = source.name, test = try DataOptions.loadTest(source)
            guard test.dimension == saved.config.inputSize else {
                throw UserError("\(checkpoint): the model takes \(saved.config.inputSize) pixels "
                                + "but \(dataName) images have \(test.dimension)")
            }
            let model = try saved.makeModel()
            let n = min(limit ?? test.count, test.count)
            let clock = ContinuousClock()
            let start = clock.now
            let nll = Evaluator.negativeLogLikelihood(model: model, data: test, k: k, limit: n,
                                                      seed: seed) { done, total in
                if done % 10 == 0 || done == total { Terminal.progress("NLL (k=\(k))", done: done, total: total) }
            }
            Terminal.clearProgress()
            let nllSeconds = (clock.now - start).seconds
            let eval = Evaluator.evaluate(model: model, data: test, limit: n, seed: seed)
            let gap = gaps ? decomposeGaps(model, test.batch(0..<n)) : nil
            if json {
                print(JSONValue.object([
                    ("nll", .float(nll)), ("elbo", .float(eval.elbo)), ("kl", .float(eval.kl)),
                    ("distortion", .float(eval.distortion)), ("active_units", .int(eval.activeUnits)),
                    ("mi", .float(eval.mutualInformation)), ("mi_ba", .float(eval.mutualInformationBound)),
                    ("ll_prior_z", .float(eval.priorLikelihood)), ("z_use", .float(eval.zUse)), ("k", .int(k)),
                    ("images", .int(n)), ("latent", .int(model.config.latentSize)), ("dataset", .string(dataName)),
                    ("nll_seconds", .number(nllSeconds)),
                    ("kl_layers", .array(eval.klLayers.map { .float($0) })),
                    ("active_units_layers", .array(eval.activeUnitsLayers.map { .int($0) })),
                ] + (gap?.fields ?? [])).encoded)
            } else {
                print(String(format: "%@ on %d %@ test images (%@)", checkpoint, n, dataName, model.config.summary))
                print(String(format: "NLL (-L_%d)   %.2f nats", k, nll))
                print(String(format: "ELBO          %.2f nats (distortion %.2f, KL %.2f)",
                             eval.elbo, eval.distortion, eval.kl))
                print(String(format: "active units  %d/%d", eval.activeUnits, model.config.latentSize))
                if eval.layerSizes.count > 1 {
                    for (l, (kl, active)) in zip(eval.klLayers, eval.activeUnitsLayers).enumerated() {
                        print(String(format: "  layer z%d    KL %.2f, active %d/%d",
                                     l + 1, kl, active, eval.layerSizes[l]))
                    }
                }
                print(String(format: "I_q(x;z)      %.2f nats", eval.mutualInformation))
                print(String(format: "BA bound      %.2f nats (≤ I(z;x) under the model's joint)",
                             eval.mutualInformationBound))
                print(String(format: "z use         %.2f nats (E log p(x|z): %.2f with z ~ q(z|x), %.2f with z ~ p(z))",
                             eval.zUse, -eval.distortion, eval.priorLikelihood))
                if let gap { printGaps(gap) }
            }
        }
    }

    /// Local inference on the evaluated images; log p(x) by L_k with the NLL's k.
    private func decomposeGaps(_ model: VAE, _ x: Tensor) -> GapDecomposition {
        Terminal.progress("gaps (local inference)", done: 0, total: x.rows)
        defer { Terminal.clearProgress() }
        return GapAnalysis.decompose(model: model, x: x, local: LocalOptimisationSettings(steps: localSteps),
                                     samples: gapSamples, importanceSamples: k, seed: seed)
    }

    private func printGaps(_ gap: GapDecomposition) {
        let (approximation, amortisation, inference) = (gap.approximationGap, gap.amortisationGap, gap.inferenceGap)
        let (local, amortised) = (gap.meanLocalELBO, gap.meanAmortisedELBO)
        print(String(format: "inference gap %.2f ± %.3f nats (L_%d with q* as proposal − ELBO of %d draws)",
                     inference.value, inference.standardError, gap.importanceSamples, gap.samples))
        print(String(format: "  approximation %.2f ± %.3f nats (log p(x) − L[q*])",
                     approximation.value, approximation.standardError))
        print(String(format: "  amortization  %.2f ± %.3f nats (L[q*] − L[q_φ])",
                     amortisation.value, amortisation.standardError))
        print(String(format: "local ELBO    %.2f ± %.3f nats (amortized %.2f ± %.3f), %d local steps (%@), %.1f s",
                     local.value, local.standardError, amortised.value, amortised.standardError, gap.localSteps,
                     gap.localStop.description, gap.seconds))
    }
}
