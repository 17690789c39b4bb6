import Foundation

/// Importance-weighted bounds L_k evaluated without a tape, in memory bounded by `maxRows` decoder rows
/// at a time (fewer if the decoder asks) whatever k is (k = 5000 for the standard NLL estimate).
public enum Bounds {
    /// Decoder rows scored at once unless a caller asks for fewer: 5000 × 784 logits are 16 MB.
    public static let defaultMaxRows = 5000

    /// log w_i = log p(x|z_i) + log p(z_i) − log q(z_i|x) for `samples` draws per example, sample-major.
    static func logWeights(model: VAE, x: Tensor, encoding: PosteriorEncoding, samples: Int,
                           rng: inout RandomSource) -> Tensor {
        let tape = Tape(recording: false)
        let noise = rng.normalTensor(samples * x.rows, model.config.latentSize)
        return model.logWeights(x, encoding, noise: noise, on: tape).logW(on: tape).value
    }

    /// log (1/k) Σ_i exp(logW[i·B + b]) for each example b: sample-major k·B×1 → 1×B.
    public static func logMeanExp(_ logW: Tensor, k: Int, batch: Int) -> Tensor {
        let tape = Tape(recording: false)
        let lse = tape.logSumExp(Var(constant: logW.reshaped(k, batch)), axis: 0)
        return tape.addScalar(lse, -Foundation.log(Float(k))).value
    }

    /// L_k for each example (row) of x. Examples are scored in groups of up to `maxRows / k` (one
    /// example's samples in chunks of `maxRows` when k is larger, combined by a running log-sum-exp),
    /// the groups spread over the engine's threads. Each group draws from its own stream, seeded from one
    /// draw of `rng`, so the values do not depend on the number of threads. The proposal is the encoder's
    /// q(z|x) unless `proposal` gives another encoding of x (the locally optimised q* of the gap analysis).
    public static func importanceWeighted(model: VAE, x: Tensor, k: Int, rng: inout RandomSource,
                                          maxRows requested: Int = defaultMaxRows, threads: Int = Parallel.threads,
                                          proposal: PosteriorEncoding? = nil) -> [Float] {
        precondition(k >= 1, "k must be at least 1")
        let maxRows = min(requested, model.likelihood.evaluationRows)
        let encoding = proposal ?? model.encode(Var(constant: x), on: Tape(recording: false))
        let perGroup = max(1, maxRows / k)
        let groups = (x.rows + perGroup - 1) / perGroup
        let streamBase = rng.next()
        var result = [Float](repeating: 0, count: x.rows)
        result.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer  // each group writes its own examples' entries
            let parts = Parallel.parts(for: groups, threads: threads)
            Parallel.forEachPart(parts) { part in
                for g in stride(from: part, to: groups, by: parts) {
                    var stream = RandomSource(seed: streamBase &+ UInt64(g))
                    let start = g * perGroup, n = min(perGroup, x.rows - start)
                    let xs = x.rowBlock(start, n), es = encoding.rows(start, n)
                    if k <= maxRows {
                        let w = logWeights(model: model, x: xs, encoding: es, samples: k, rng: &stream)
                        logMeanExp(w, k: k, batch: n).withPointer { p in for i in 0..<n { out[start + i] = p[i] } }
                    } else {
                        out[start] = chunkedLogMeanExp(model: model, x: xs, encoding: es, k: k, chunk: maxRows,
                                                       rng: &stream)
                    }
                }
            }
        }
        return result
    }

    /// L_k of one example with its k samples drawn `chunk` at a time.
    static func chunkedLogMeanExp(model: VAE, x: Tensor, encoding: PosteriorEncoding, k: Int, chunk: Int,
                                  rng: inout RandomSource) -> Float {
        var chunkLSEs: [Float] = []
        var done = 0
        while done < k {
            let s = min(chunk, k - done)
            let w = logWeights(model: model, x: x, encoding: encoding, samples: s, rng: &rng)
            chunkLSEs.append(logMeanExp(w, k: s, batch: 1).scalar + Foundation.log(Float(s)))
            done += s
        }
        let all = Tensor(rows: 1, cols: chunkLSEs.count, chunkLSEs)
        return logMeanExp(all, k: chunkLSEs.count, batch: 1).scalar
            + Foundation.log(Float(chunkLSEs.count)) - Foundation.log(Float(k))
    }
}
