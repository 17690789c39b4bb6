import Foundation
import Testing
@testable import LatentLab

/// Checks every autoregressive decoder must pass, against its own exact likelihood over all 2^D images.
enum AutoregressiveChecks {
    /// Every binary image of `pixels` pixels, image i's pixel j = bit j of i.
    static func allImages(_ pixels: Int) -> Tensor {
        let n = 1 << pixels
        var all = Tensor(zeros: n, pixels)
        for image in 0..<n { for j in 0..<pixels { all[image, j] = Float((image >> j) & 1) } }
        return all
    }

    /// p(x|z) of every image given one z, exactly.
    static func exactProbabilities(_ decoder: any Likelihood, pixels: Int, z: Tensor) -> [Double] {
        let n = 1 << pixels
        return decoder.logLikelihood(allImages(pixels), given: Var(constant: z.tiledRows(n)), on: Tape(recording: false))
            .value.scalars.map { exp(Double($0)) }
    }

    /// Σ_x p(x|z) over all images is 1.
    static func expectNormalised(_ decoder: any Likelihood, pixels: Int, z: Tensor, sourceLocation: SourceLocation = #_sourceLocation) {
        let total = exactProbabilities(decoder, pixels: pixels, z: z).reduce(0, +)
        #expect(abs(total - 1) < 1e-4, "Σ_x p(x|z) = \(total)", sourceLocation: sourceLocation)
    }

    /// `draws` pixel-by-pixel draws given z land on each image as often as its exact probability says, within
    /// four standard errors.
    static func expectDrawsFollowTheLikelihood(_ decoder: any Likelihood, pixels: Int, z: Tensor, draws: Int, seed: UInt64,
                                               sourceLocation: SourceLocation = #_sourceLocation) {
        var rng = RandomSource(seed: seed)
        let sampled = decoder.sample(Var(constant: z.tiledRows(draws)), rng: &rng)
        var counts = [Int](repeating: 0, count: 1 << pixels)
        for r in 0..<draws { counts[(0..<pixels).reduce(0) { $0 | (Int(sampled[r, $1]) << $1) }] += 1 }
        for (image, p) in exactProbabilities(decoder, pixels: pixels, z: z).enumerated() {
            let observed = Double(counts[image]) / Double(draws), standardError = (p * (1 - p) / Double(draws)).squareRoot()
            #expect(abs(observed - p) < 4 * standardError + 1e-4, "image \(image): \(observed) vs \(p)", sourceLocation: sourceLocation)
        }
    }
}
