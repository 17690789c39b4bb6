import ArgumentParser
import Foundation
import LatentLab
import LatentUI

/// `vae-tui lab rate-distortion`: one model per (decoder, β), each decoder's frontier in the rate-distortion plane,
/// the table and the picture, and the expectations about the frontiers checked against them.
struct RateDistortionLabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rate-distortion",
        abstract: "Train one model per decoder and β for the same budget, print rate, distortion, -ELBO, NLL and "
            + "active units, draw each decoder's frontier as SVG and check the expectations.")

    @OptionGroup var data: DataOptions
    @OptionGroup var split: SplitOptions
    @OptionGroup var threading: ThreadOptions
    @OptionGroup var lab: LabBudgetOptions

    @Option(help: ArgumentHelp("The KL weights, comma-separated, each a number > 0.", valueName: "B,B,..."))
    var betas: String = RateDistortionLab.defaultBetas.map(RateDistortionLab.betaText).joined(separator: ",")

    @Option(name: .customLong("decoder"), parsing: .singleValue,
            help: ArgumentHelp("A decoder to sweep: repeat the option or separate them with commas (default "
                               + "\(Self.defaultDecoderText)).", valueName: "factorized|made|pixelcnn"),
            transform: Self.decoders)
    var decoderLists: [[LatentDecoder]] = []

    @OptionGroup var evaluation: LabEvaluationOptions

    @Option(help: ArgumentHelp("Write the table to PREFIX.md and PREFIX.json, the frontiers to PREFIX.svg.",
                               valueName: "PREFIX"))
    var out: String = "lab-rate-distortion"

    static let defaultDecoderText = RateDistortionLab.defaultDecoders.map(\.rawValue).joined(separator: ",")

    /// One `--decoder` value: a name or several separated by commas.
    @Sendable static func decoders(_ text: String) throws -> [LatentDecoder] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { part in
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let decoder = LatentDecoder(rawValue: name) else {
                throw ValidationError("no decoder '\(name)'; the decoders are "
                                      + LatentDecoder.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return decoder
        }
    }

    /// The decoders in the order given, or the default pair.
    var decoders: [LatentDecoder] {
        decoderLists.isEmpty ? RateDistortionLab.defaultDecoders : decoderLists.flatMap { $0 }
    }

    /// `--betas` read: each a finite number > 0, none twice, in the order given.
    func betaValues() throws -> [Float] {
        var values: [Float] = []
        for part in betas.split(separator: ",", omittingEmptySubsequences: false) {
            let text = part.trimmingCharacters(in: .whitespaces)
            guard let beta = Float(text), beta.isFinite, beta > 0 else {
                throw ValidationError("--betas takes numbers > 0, comma-separated; '\(text)' is not one")
            }
            if values.contains(beta) { throw ValidationError("--betas: \(text) is given twice") }
            values.append(beta)
        }
        return values
    }

    func validate() throws {
        _ = try betaValues()
        var seen: [LatentDecoder] = []
        for d in decoders {
            if seen.contains(d) { throw ValidationError("--decoder: \(d.rawValue) is given twice") }
            seen.append(d)
        }
    }

    /// One run of the sweep.
    struct Run {
        let decoder: LatentDecoder
        let beta: Float
        var key: String { "\(decoder.rawValue), β \(RateDistortionLab.betaText(beta))" }
    }

    func run() throws {
        try reportingUserErrors {
            threading.apply()
            let splits = try split.load(try data.source())
            let options = try TrainOptions.parse(["--seed", String(lab.seed)])
            let config = try options.trainingConfig(inputSize: splits.train.dimension)
            try LabTable.checkWritable(out, extensions: LabTable.tableExtensions + ["svg"])
            let betas = try betaValues()
            let runs = decoders.flatMap { d in betas.map { Run(decoder: d, beta: $0) } }
            print("vae-tui lab rate-distortion: \(splits.name), \(runs.count) runs of \(lab.budget.description) each "
                  + "(\(decoders.map(\.rawValue).joined(separator: ", ")) × β "
                  + "\(betas.map(RateDistortionLab.betaText).joined(separator: ", "))), seed \(lab.seed)")
            let clock = ContinuousClock(), start = clock.now
            let results = LabTable.run(runs, key: \.key, summary: summary) { run, progress in
                RateDistortionLab.run(decoder: run.decoder, beta: run.beta, config: config, data: splits,
                                      budget: lab.budget, nllK: evaluation.nllK, nllImages: evaluation.nllImages,
                                      evalImages: evaluation.evalImages, progress: progress)
            }
            print(String(format: "all runs: %.0f s", (clock.now - start).seconds))
            let caption = caption(splits.name, config: config, betas: betas)
            try LabTable.write(markdown: RateDistortionLab.markdown(results, caption: caption),
                               json: RateDistortionLab.json(results, caption: caption),
                               svg: RateDistortionChart.render(Self.series(results),
                                                               title: "Rate-distortion frontiers, \(splits.name)"),
                               to: out)
        }
    }

    private func summary(_ r: RateDistortionLab.Result) -> String {
        let e = r.evaluation
        return String(format: "%@ β %@: R %.2f  D %.2f  -ELBO %.2f  NLL %.2f  AU %d  (%.0f s)", r.decoder.rawValue,
                      RateDistortionLab.betaText(r.beta), e.kl, e.distortion, -e.elbo, r.nll, e.activeUnits,
                      r.seconds)
    }

    /// Each decoder's runs in β order, for the chart.
    static func series(_ results: [RateDistortionLab.Result]) -> [RateDistortionChart.Series] {
        var decoders: [LatentDecoder] = []
        for r in results where !decoders.contains(r.decoder) { decoders.append(r.decoder) }
        return decoders.map { d in
            RateDistortionChart.Series(name: d.title, points: results.filter { $0.decoder == d }
                .sorted { $0.beta < $1.beta }
                .map { .init(label: RateDistortionLab.betaText($0.beta), rate: Double($0.evaluation.kl),
                             distortion: Double($0.evaluation.distortion)) })
        }
    }

    private func caption(_ name: String, config: TrainingConfig, betas: [Float]) -> String {
        let settings = decoders.map { d in
            let c = RateDistortionLab.config(config, decoder: d, beta: 1)
            return "\(d.title) \(c.model.summary) at Adam \(c.adam.learningRate)"
        }
        return "`vae-tui lab rate-distortion` on \(name): \(lab.budget.description) per run, "
            + "batch \(config.batchSize), "
            + "seed \(lab.seed), β \(betas.map(RateDistortionLab.betaText).joined(separator: ", ")); "
            + settings.joined(separator: "; ") + ". R and D in nats per image, \(evaluation.description); "
            + "a step of R or D under \(RateDistortionLab.betaText(RateDistortionLab.tie)) nat counts as a tie."
    }
}
