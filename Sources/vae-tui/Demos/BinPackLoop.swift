import Foundation
import LatentLab
import LatentUI

/// The bin-packing demo's screen loop, on a screen that the caller started and will stop:
/// `vae-tui demo binpack` runs it alone, the dashboard's d menu over the dashboard.
/// While running it takes `speed` steps per frame and re-evaluates once per frame.
func runBinPackDemo(on screen: CursesScreen, seed: UInt64, family: PosteriorFamily = .diagonal,
                    prior: PriorKind = .standard) -> DemoExit {
    let demo = BinPackDemo(seed: seed, family: family, prior: prior)
    var options = BinPackViewOptions()
    while !SignalFlag.raised.load(ordering: .relaxed) {
        let (width, height) = screen.size
        screen.paint(BinPackScreen.render(demo.snapshot, options: options, width: width, height: height))
        guard let key = screen.readKey(timeout: options.running ? 30 : 200) else {
            if options.running { demo.advance(options.speed) }
            continue
        }
        switch key {
        case .resize: screen.invalidate()
        case .controlC: return .quit
        default: if BinPackKeys.handle(key, demo: demo, options: &options) == .quit { return .back }
        }
    }
    return .quit
}
