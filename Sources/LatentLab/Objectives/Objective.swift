import Foundation

/// What one evaluation of the training objective measured, averaged over the batch.
public struct ObjectiveStats: Sendable, Equatable {
    /// The value minimised: −(bound with beta, warm-up and free bits applied).
    public var loss: Float
    /// The plain bound: the k-sample ELBO or L_k, in nats per example (higher is better).
    public var bound: Float
    /// −E_q log p(x|z), nats per example.
    public var distortion: Float
    /// KL(q(z|x) ‖ p(z)), nats per example: in closed form where the pair has one, else sampled.
    public var rate: Float
    /// The weight the KL term carried (beta × warm-up).
    public var klWeight: Float
}

/// Builds the training loss on a tape.
///
/// ELBO: mean over k samples of log p(x|z) minus the KL (in closed form where the pair has one, else
/// sampled unit by unit), weighted by beta × warm-up, with free bits clamping each group's batch-averaged
/// KL at λ.
/// IWAE: log (1/k) Σ_i w_i with log w_i = log p(x|z_i) + weight·(log p(z_i) − log q(z_i|x)); its gradient
/// is Σ_i w̃_i ∇ log w_i, the normalised weights w̃ entering as constants (the softmax of log-sum-exp).
/// Free bits act on the ELBO's rate term and so apply to the ELBO only.
public enum Objective {
    public static func loss(model: VAE, batch x: Tensor, settings: ObjectiveSettings, klWeight: Float,
                            rng: inout RandomSource, on tape: Tape) -> (loss: Var, stats: ObjectiveStats) {
        let noise = rng.normalTensor(max(1, settings.k) * x.rows, model.config.latentSize)
        return loss(model: model, batch: x, settings: settings, klWeight: klWeight, noise: noise,
                    seen: seenPixels(model, x, settings, rng: &rng), on: tape)
    }

    /// What the decoder reads as the previous pixels in a training step: x with conditioning dropout applied
    /// when it is on and the decoder is autoregressive, else nil (x itself).
    public static func seenPixels(_ model: VAE, _ x: Tensor, _ settings: ObjectiveSettings,
                                  rng: inout RandomSource) -> Tensor? {
        settings.conditioningDropout > 0 && model.likelihood.isAutoregressive ? settings.seenPixels(x, rng: &rng) : nil
    }

    /// The same with the reparameterisation noise given: k·B×d standard normals, sample-major
    /// (row s·B + i is sample s of example i); and `seen`, the pixels the decoder reads in place of x.
    public static func loss(model: VAE, batch x: Tensor, settings: ObjectiveSettings, klWeight: Float,
                            noise: Tensor, seen: Tensor? = nil, on tape: Tape) -> (loss: Var, stats: ObjectiveStats) {
        let b = x.rows, k = max(1, settings.k), d = model.config.latentSize
        precondition(noise.rows == k * b && noise.cols == d, "noise \(noise.shape) for k \(k), batch \(b)")
        let encoding = model.encode(Var(constant: x), on: tape)
        let terms = model.logWeights(x, encoding, noise: noise, seen: seen, on: tape)
        let logPxz = terms.logLikelihood                                             // kB×1
        let distortion = -logPxz.value.mean()
        // KL per unit: in closed form where the pair has one (B×d), else sampled, E_q[log q − log p] per unit
        // (kB×d).
        let klUnits = model.posterior.closedFormKL(encoding, against: model.prior, on: tape)
            ?? terms.rateUnits(on: tape)
        let klPerExample = klUnits.value.rowSumsMean()

        switch settings.kind {
        case .elbo:
            let reconstruction = tape.scale(tape.sum(logPxz), by: 1 / Float(k * b))  // mean over samples and batch
            let batchKL = tape.mean(klUnits, axis: 0)                                  // 1×d, batch-averaged per unit
            let rate: Var
            if settings.freeBits.isOn {
                let groups = settings.freeBits.groupRanges(latentSize: d).map { r in
                    tape.clampMin(tape.sum(tape.sliceCols(batchKL, r.lowerBound, r.count)), settings.freeBits.lambda)
                }
                rate = groups.dropFirst().reduce(groups[0]) { tape.add($0, $1) }
            } else {
                rate = tape.sum(batchKL)
            }
            let objective = tape.sub(reconstruction, tape.scale(rate, by: klWeight))
            let loss = tape.negate(objective)
            let bound = -distortion - klPerExample
            return (loss, ObjectiveStats(loss: loss.value.scalar, bound: bound, distortion: distortion,
                                         rate: klPerExample, klWeight: klWeight))
        case .iwae:
            let logW = terms.logW(klWeight: klWeight, on: tape)
            let weighted = tape.reshape(logW, k, b)                                    // row s = sample s
            let perExample = tape.addScalar(tape.logSumExp(weighted, axis: 0), -Foundation.log(Float(k)))
            let objective = tape.mean(perExample)
            let loss = tape.negate(objective)
            // The unweighted L_k, for reporting (equal to the objective when the weight is 1).
            let bound = klWeight == 1 ? objective.value.scalar
                : Bounds.logMeanExp(terms.logW(on: Tape(recording: false)).value, k: k, batch: b).mean()
            return (loss, ObjectiveStats(loss: loss.value.scalar, bound: bound, distortion: distortion,
                                         rate: klPerExample, klWeight: klWeight))
        }
    }
}
