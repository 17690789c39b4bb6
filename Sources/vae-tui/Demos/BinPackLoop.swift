import Foundation
import LatentLab
import LatentUI

/// Runs `vae-tui demo binpack` on an open screen until q or Esc; the caller owns the screen.
func runBinPackDemo(on screen: CursesScreen, seed: UInt64, family: PosteriorFamily, prior: PriorKind) {
    let demo = BinPackDemo(seed: seed, family: family, prior: prior)
    var options = BinPackViewOptions()
    while !SignalFlag.raised.load(ordering: .relaxed) {
        let (width, height) = screen.size
        screen.paint(BinPackScreen.render(demo.snapshot, options: options, width: width, height: height))
        guard let key = screen.readKey(timeout: options.running ? 30 : 200) else {
            if options.running { demo.advance(options.speed) }
            continue
        }
        if key == .resize { screen.invalidate(); continue }
        if BinPackKeys.handle(key, demo: demo, options: &options) == .quit { return }
    }
}
