import Foundation

/// How the learning rate moves with the epochs: constant, the IWAE paper's staircase, or a cosine decay.
public enum LearningRateSchedule: String, Codable, Sendable, CaseIterable {
    case constant
    /// Burda et al. 2015: for i = 0…7, 3^i epochs at base · 10^(−i/7) (base 1e-3 in the paper): 3,280 epochs,
    /// then the last rate.
    case iwae
    /// base · ½(1 + cos(π · epoch / total)).
    case cosine

    /// Epochs of the IWAE paper's schedule: Σ_{i<8} 3^i.
    public static let iwaeEpochs = (0..<iwaeStages).reduce(0) { $0 + power3($1) }
    static let iwaeStages = 8

    static func power3(_ i: Int) -> Int { (0..<i).reduce(1) { r, _ in r * 3 } }

    /// The rate at a (fractional) epoch, from the base rate; `totalEpochs` is the cosine's length.
    public func rate(base: Float, epoch: Double, totalEpochs: Int) -> Float {
        switch self {
        case .constant:
            return base
        case .iwae:
            var stage = 0, end = 1
            while stage < Self.iwaeStages - 1 && epoch >= Double(end) {
                stage += 1
                end += Self.power3(stage)
            }
            return base * Float(Foundation.pow(10, -Double(stage) / 7))
        case .cosine:
            let t = min(1, epoch / Double(max(1, totalEpochs)))
            return base * Float(0.5 * (1 + Foundation.cos(Double.pi * t)))
        }
    }
}
