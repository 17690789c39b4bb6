/// The curves' points: each appended at the trainer's step, a curve thinned by half when it is full.
extension SessionEngine {
    /// One held-out evaluation's points: the −ELBO with its rate and distortion (the rate-distortion plane's
    /// held-out points), and each stochastic layer's KL when there are two or more.
    func appendHeldOut(_ eval: Evaluation) {
        append(&snapshot.curves.testLoss, -eval.elbo)
        append(&snapshot.curves.testRate, eval.kl)
        append(&snapshot.curves.testDistortion, eval.distortion)
        if eval.layerSizes.count > 1 {
            if snapshot.curves.klLayers.count != eval.layerSizes.count {
                snapshot.curves.klLayers = eval.layerSizes.map { _ in [] }
            }
            for (l, kl) in eval.klLayers.enumerated() { append(&snapshot.curves.klLayers[l], kl) }
        }
    }

    func append(_ series: inout [Snapshot.Point], _ value: Float) {
        series.append(Snapshot.Point(step: trainer.step, value: value))
        if series.count > Self.maxPoints {
            series = stride(from: 0, to: series.count, by: 2).map { series[$0] }
        }
    }
}
