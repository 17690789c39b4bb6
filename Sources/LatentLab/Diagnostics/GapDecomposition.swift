import Foundation

/// A Monte Carlo estimate and its standard error.
public struct Estimate: Sendable, Equatable, Codable {
    public var value: Float
    public var standardError: Float

    public init(_ value: Float, standardError: Float) {
        self.value = value
        self.standardError = standardError
    }

    /// a − b from independent draws.
    static func difference(_ a: Estimate, _ b: Estimate) -> Estimate {
        Estimate(a.value - b.value, standardError: (a.standardError * a.standardError
                                                    + b.standardError * b.standardError).squareRoot())
    }

    /// The mean of independent estimates: its error is that of the estimators for these images, not the
    /// spread over images.
    static func mean(_ all: [Estimate]) -> Estimate {
        let n = Double(max(all.count, 1))
        let value = all.reduce(0.0) { $0 + Double($1.value) } / n
        let variance = all.reduce(0.0) { $0 + Double($1.standardError) * Double($1.standardError) }
        return Estimate(Float(value), standardError: Float(variance.squareRoot() / n))
    }
}

/// The inference gap taken apart (Cremer, Li and Duvenaud 2018; docs/THEORY.md section 8), per image:
///     log p(x) − L[q_φ] = (log p(x) − L[q*]) + (L[q*] − L[q_φ])
/// with log p(x) by L_k, and both ELBOs by `samples` draws each. Parts may come out slightly negative from
/// noise; they are reported as they are.
public struct GapDecomposition: Sendable {
    /// L_k of each image, q* the proposal (its own error is not in the standard errors).
    public var logMarginal: [Float]
    /// L[q*]: the ELBO of the locally optimised q, each image.
    public var localELBO: [Estimate]
    /// L[q_φ]: the encoder's ELBO, each image.
    public var amortisedELBO: [Estimate]
    /// The most local steps any group of images took.
    public var localSteps: Int
    /// What stopped local inference: over the groups, the most telling reason (time, then steps, then plateau).
    public var localStop: LocalOptimisation.Stop
    /// Wall time of the whole analysis: local inference and the three estimates.
    public var seconds: Double
    public var samples: Int
    public var importanceSamples: Int

    public var approximationGaps: [Estimate] {
        zip(logMarginal, localELBO).map { Estimate($0 - $1.value, standardError: $1.standardError) }
    }
    public var amortisationGaps: [Estimate] { zip(localELBO, amortisedELBO).map { Estimate.difference($0, $1) } }
    /// L_k − L[q_φ]: the two parts' sum.
    public var inferenceGaps: [Estimate] {
        zip(logMarginal, amortisedELBO).map { Estimate($0 - $1.value, standardError: $1.standardError) }
    }

    public var approximationGap: Estimate { .mean(approximationGaps) }
    public var amortisationGap: Estimate { .mean(amortisationGaps) }
    public var inferenceGap: Estimate { .mean(inferenceGaps) }
    public var meanLocalELBO: Estimate { .mean(localELBO) }
    public var meanAmortisedELBO: Estimate { .mean(amortisedELBO) }
    public var meanLogMarginal: Float { logMarginal.reduce(0, +) / Float(max(logMarginal.count, 1)) }
}

extension GapDecomposition {
    /// The figures under the names `eval --gaps --json` prints and the run log's `gaps` records carry.
    public var fields: [(String, JSONValue)] {
        func pair(_ name: String, _ e: Estimate) -> [(String, JSONValue)] {
            [(name, .float(e.value)), (name + "_se", .float(e.standardError))]
        }
        return pair("approximation_gap", approximationGap) + pair("amortization_gap", amortisationGap)
            + pair("inference_gap", inferenceGap) + pair("local_elbo", meanLocalELBO)
            + pair("amortized_elbo", meanAmortisedELBO)
            + [("gap_log_px", .float(meanLogMarginal)), ("gap_samples", .int(samples)),
               ("local_steps", .int(localSteps)), ("local_stop", .string(localStop.description)),
               ("gap_seconds", .number(seconds))]
    }
}

public enum GapAnalysis {
    /// Draws per image for each ELBO: its standard error is the draws' spread over √1000.
    public static let defaultSamples = 1000
    public static let defaultImportanceSamples = 5000
    /// Images optimised together: groups of a fixed size, each on its own stream, so the figures do not
    /// depend on the number of threads.
    static let groupSize = 25
    static let localStreamOffset: UInt64 = 0x10CA1
    static let elboStreamOffset: UInt64 = 0xE1B0 << 16
    static let amortisedStreamOffset: UInt64 = 0xA307 << 16
    static let boundStreamOffset: UInt64 = 0xB0D << 16

    /// Local inference on each group of x's images, then L[q*] and L[q_φ] (`samples` draws each) and L_k with
    /// q* as the proposal: q* is nearer the posterior than the encoder's q, so L_k's weights are less
    /// heavy-tailed (with a poor encoder one L_5000 can land above log p(x)) and the bound is tighter. At most
    /// `maxRows` decoder rows are scored at once, per thread: fewer keep the dashboard's memory down.
    public static func decompose(model: VAE, x: Tensor, local: LocalOptimisationSettings = .init(),
                                 samples: Int = defaultSamples, importanceSamples k: Int = defaultImportanceSamples,
                                 seed: UInt64 = 0, threads: Int = Parallel.threads,
                                 maxRows: Int = Bounds.defaultMaxRows) -> GapDecomposition {
        let n = x.rows, groups = (n + groupSize - 1) / groupSize
        let start = model.encode(Var(constant: x), on: Tape(recording: false))
        var rows = [GroupRow](repeating: GroupRow(), count: n)
        var runs = [(steps: Int, stop: LocalOptimisation.Stop)](repeating: (0, .plateau), count: groups)
        let clock = ContinuousClock(), began = clock.now
        rows.withUnsafeMutableBufferPointer { rowBuffer in runs.withUnsafeMutableBufferPointer { runBuffer in
            nonisolated(unsafe) let (rowsOut, runsOut) = (rowBuffer, runBuffer)   // each group writes its own
            let parts = Parallel.parts(for: groups, threads: threads)
            Parallel.forEachPart(parts) { part in
                for g in stride(from: part, to: groups, by: parts) {
                    let first = g * groupSize, count = min(groupSize, n - first)
                    let xs = x.rowBlock(first, count), es = start.rows(first, count)
                    func stream(_ offset: UInt64) -> RandomSource { RandomSource(seed: seed &+ offset &+ UInt64(g)) }
                    var localRNG = stream(localStreamOffset)
                    let result = LocalOptimisation.optimise(model: model, x: xs, from: es, settings: local,
                                                            rng: &localRNG)
                    runsOut[g] = (result.steps, result.stop)
                    // Independent draws for each estimate: a difference's error is the errors' root sum of squares.
                    var a = stream(elboStreamOffset), b = stream(amortisedStreamOffset), c = stream(boundStreamOffset)
                    let optimised = elbo(model: model, x: xs, encoding: result.encoding, samples: samples, rng: &a,
                                         maxRows: maxRows)
                    let amortised = elbo(model: model, x: xs, encoding: es, samples: samples, rng: &b,
                                         maxRows: maxRows)
                    let bound = Bounds.importanceWeighted(model: model, x: xs, k: k, rng: &c, maxRows: maxRows,
                                                          threads: 1, proposal: result.encoding)
                    for i in 0..<count {
                        rowsOut[first + i] = GroupRow(logMarginal: bound[i], local: optimised[i],
                                                      amortised: amortised[i])
                    }
                }
            }
        } }
        return GapDecomposition(logMarginal: rows.map(\.logMarginal), localELBO: rows.map(\.local),
                                amortisedELBO: rows.map(\.amortised), localSteps: runs.map(\.steps).max() ?? 0,
                                localStop: runs.map(\.stop).max() ?? .plateau,
                                seconds: (clock.now - began).seconds, samples: samples, importanceSamples: k)
    }

    /// One image's three estimates.
    private struct GroupRow {
        var logMarginal: Float = 0
        var local = Estimate(0, standardError: 0)
        var amortised = Estimate(0, standardError: 0)
    }

    /// The ELBO of each image of x under `encoding` from `samples` draws, through the one log-w path, at most
    /// `maxRows` decoder rows at a time; the standard error is the draws' standard deviation over √samples.
    public static func elbo(model: VAE, x: Tensor, encoding: PosteriorEncoding, samples: Int,
                            rng: inout RandomSource, maxRows: Int = Bounds.defaultMaxRows) -> [Estimate] {
        let b = x.rows, perChunk = max(1, min(maxRows, model.likelihood.evaluationRows) / max(b, 1))
        var sum = [Double](repeating: 0, count: b), squares = sum
        var done = 0
        while done < samples {
            let s = min(perChunk, samples - done)
            let w = Bounds.logWeights(model: model, x: x, encoding: encoding, samples: s, rng: &rng)
            w.withPointer { p in
                for r in 0..<(s * b) { let v = Double(p[r]); sum[r % b] += v; squares[r % b] += v * v }
            }
            done += s
        }
        let count = Double(max(samples, 1))
        return (0..<b).map { i in
            let mean = sum[i] / count
            let variance = max(0, squares[i] / count - mean * mean) * count / max(count - 1, 1)
            return Estimate(Float(mean), standardError: Float((variance / count).squareRoot()))
        }
    }
}
