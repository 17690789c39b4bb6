import Foundation

/// Importance-weighted bounds L_k evaluated without a tape, in memory bounded by `maxRows`
/// decoder rows at a time whatever k is (k = 5000 for the standard NLL estimate).
public enum Bounds {
    /// log w_i = log p(x|z_i) + log p(z_i) − log q(z_i|x) for `samples` draws per example, sample-major.
    static func logWeights(model: VAE, x: Tensor, mean mu: Tensor, logVariance lv: Tensor,
                           samples: Int, rng: inout RandomSource) -> Tensor {
        let tape = Tape(recording: false)
        let muV = Var(constant: mu), lvV = Var(constant: lv)
        let z = model.sample(mean: muV, logVariance: lvV, k: samples,
                             noise: rng.normalTensor(samples * x.rows, model.config.latentSize), on: tape)
        let logPxz = tape.bernoulliLogLikelihood(logits: model.decode(z, on: tape), targets: x)
        let logPz = tape.sum(tape.standardNormalLogDensity(z), axis: 1)
        let logQz = tape.sum(tape.gaussianLogDensity(z, mean: tape.tileRows(muV, samples),
                                                     logVariance: tape.tileRows(lvV, samples)), axis: 1)
        return tape.sub(tape.add(logPxz, logPz), logQz).value
    }

    /// log (1/k) Σ_i exp(logW[i·B + b]) for each example b: sample-major k·B×1 → 1×B.
    public static func logMeanExp(_ logW: Tensor, k: Int, batch: Int) -> Tensor {
        let tape = Tape(recording: false)
        let lse = tape.logSumExp(Var(constant: logW.reshaped(k, batch)), axis: 0)
        return tape.addScalar(lse, -Foundation.log(Float(k))).value
    }

    /// L_k for each example (row) of x.
    public static func importanceWeighted(model: VAE, x: Tensor, k: Int, rng: inout RandomSource,
                                          maxRows: Int = 5000) -> [Float] {
        precondition(k >= 1, "k must be at least 1")
        let tape = Tape(recording: false)
        let (mu, lv) = model.encode(Var(constant: x), on: tape)
        var result = [Float](repeating: 0, count: x.rows)
        if k <= maxRows {
            // Several examples per pass.
            let perPass = max(1, maxRows / k)
            var start = 0
            while start < x.rows {
                let n = min(perPass, x.rows - start)
                let w = logWeights(model: model, x: x.rowBlock(start, n), mean: mu.value.rowBlock(start, n),
                                   logVariance: lv.value.rowBlock(start, n), samples: k, rng: &rng)
                let bound = logMeanExp(w, k: k, batch: n)
                bound.withPointer { p in for i in 0..<n { result[start + i] = p[i] } }
                start += n
            }
        } else {
            // One example at a time, its samples in chunks, combined by a running log-sum-exp.
            for i in 0..<x.rows {
                let xi = x.rowBlock(i, 1), mi = mu.value.rowBlock(i, 1), vi = lv.value.rowBlock(i, 1)
                var chunkLSEs: [Float] = []
                var done = 0
                while done < k {
                    let s = min(maxRows, k - done)
                    let w = logWeights(model: model, x: xi, mean: mi, logVariance: vi, samples: s, rng: &rng)
                    chunkLSEs.append(logMeanExp(w, k: s, batch: 1).scalar + Foundation.log(Float(s)))
                    done += s
                }
                let all = Tensor(rows: 1, cols: chunkLSEs.count, chunkLSEs)
                result[i] = logMeanExp(all, k: chunkLSEs.count, batch: 1).scalar
                    + Foundation.log(Float(chunkLSEs.count)) - Foundation.log(Float(k))
            }
        }
        return result
    }
}
