import LatentLab
import LatentUI

/// The enumeration demo on an open screen: space runs a step every 100 ms (keys in `EnumerationKeys`).
func runEnumerationDemo(on screen: CursesScreen, states: Int, seed: UInt64) -> DemoExit {
    var demo = EnumerationDemo(states: states, seed: seed)
    var running = false
    return runDemoLoop(
        on: screen, timeout: { 100 },
        render: { EnumerationScreen.render(demo, running: running, width: $0, height: $1) },
        tick: { if running { demo.advance() } },
        handle: { EnumerationKeys.handle($0, demo: &demo, running: &running) })
}
