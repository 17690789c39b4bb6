import Foundation

/// A demo's costs for the benchmarks: the median of 20 exact evaluations, and the mean frame over a second.
enum DemoCosts {
    static func measure(evaluate: () -> Void, render: () -> Void) -> (evaluationSeconds: Double, frameSeconds: Double) {
        let clock = ContinuousClock()
        let evaluations = (0..<20).map { _ in
            let t = clock.now
            evaluate()
            return (clock.now - t).seconds
        }.sorted()
        let start = clock.now
        var frames = 0
        while (clock.now - start).seconds < 1 {
            render()
            frames += 1
        }
        return (evaluations[evaluations.count / 2], (clock.now - start).seconds / Double(frames))
    }
}
