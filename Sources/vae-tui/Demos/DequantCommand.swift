import ArgumentParser
import LatentLab
import LatentUI

/// `vae-tui demo dequant`: a continuous density fitted to discrete 2-D data through uniform or variational
/// dequantization, with the exact discrete likelihood beside both bounds.
struct Dequant: DemoCommand {
    static let configuration = CommandConfiguration(
        abstract: "Dequantization: uniform against variational, "
            + "with the exact discrete log-likelihood beside both bounds.")

    @Option(help: ArgumentHelp("Levels per dimension: x in {0..L-1}².", valueName: "L"))
    var levels = DequantData.defaultLevels

    @Option(name: .customLong("data-shape"), help: "The discrete distribution: mixture, smiley or checker.")
    var dataShape: DequantDataShape = .mixture

    @Option(help: "The dequantizer to train with first: uniform or variational (v switches it in the demo).")
    var dequantizer: DequantizerKind = .uniform

    @OptionGroup var start: DemoStart

    @OptionGroup var screenOptions: ScreenOptions

    func validate() throws {
        guard DequantData.levelRange.contains(levels) else {
            let range = DequantData.levelRange
            throw ValidationError("--levels must be between \(range.lowerBound) and \(range.upperBound), got \(levels)")
        }
    }

    func makeDemo() -> any LatentUI.Demo {
        let demo = DequantDemo(seed: start.seed, levels: levels, shape: dataShape, kind: dequantizer)
        demo.advance(start.steps)
        return DequantLiveDemo(demo)
    }
}

extension DequantDataShape: ExpressibleByArgument {}
extension DequantizerKind: ExpressibleByArgument {}
