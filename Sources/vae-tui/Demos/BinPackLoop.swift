import LatentLab
import LatentUI

/// The bin-packing demo on an open screen: while running, `speed` steps and one evaluation per 30 ms frame
/// (keys in `BinPackKeys`).
func runBinPackDemo(on screen: CursesScreen, seed: UInt64, family: PosteriorFamily = .diagonal,
                    prior: PriorKind = .standard) -> DemoExit {
    let demo = BinPackDemo(seed: seed, family: family, prior: prior)
    var options = BinPackViewOptions()
    return runDemoLoop(
        on: screen, timeout: { options.running ? 30 : 200 },
        render: { BinPackScreen.render(demo.snapshot, options: options, width: $0, height: $1) },
        tick: { if options.running { demo.advance(options.speed) } },
        handle: { BinPackKeys.handle($0, demo: demo, options: &options) })
}
