extension Snapshot {
    /// The probe images' inference gap taken apart, for the gap panel: the approximation gap log p(x) − L[q*]
    /// and the amortisation gap L[q*] − L[q_φ] of each image, their means with standard errors, and how local
    /// inference went (docs/THEORY.md section 8). Parts may be slightly negative from noise: kept as they are.
    public struct Gaps: Sendable, Equatable {
        public var approximation: [Float] = []
        public var amortisation: [Float] = []
        public var meanApproximation = Estimate(0, standardError: 0)
        public var meanAmortisation = Estimate(0, standardError: 0)
        public var meanInference = Estimate(0, standardError: 0)
        /// The mean L[q_φ] and L[q*] of the images.
        public var amortisedELBO: Float = 0
        public var localELBO: Float = 0
        public var localSteps = 0
        public var stop = LocalOptimisation.Stop.plateau
        public var seconds = 0.0
        /// The training step the model was at.
        public var step = 0
        /// Draws of each ELBO, and k of the L_k that stands in for log p(x).
        public var samples = 0
        public var importanceSamples = 0

        public init() {}

        public init(_ d: GapDecomposition, step: Int) {
            approximation = d.approximationGaps.map(\.value)
            amortisation = d.amortisationGaps.map(\.value)
            meanApproximation = d.approximationGap
            meanAmortisation = d.amortisationGap
            meanInference = d.inferenceGap
            amortisedELBO = d.meanAmortisedELBO.value
            localELBO = d.meanLocalELBO.value
            localSteps = d.localSteps
            stop = d.localStop
            seconds = d.seconds
            self.step = step
            samples = d.samples
            importanceSamples = d.importanceSamples
        }

        /// The larger part, by its mean, and its share of the inference gap: the lever to pull (a flow for
        /// approximation; a bigger encoder, more encoder steps or aggressive training for amortisation).
        public var dominant: (part: String, share: Float) {
            let (a, m) = (meanApproximation.value, meanAmortisation.value)
            let total = meanInference.value
            let share = total > 0 ? max(a, m) / total : 0
            return (a > m ? "approximation" : "amortisation", share)
        }
    }
}
