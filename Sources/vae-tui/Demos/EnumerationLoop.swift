import LatentLab
import LatentUI

/// The enumeration demo's screen loop, on a screen that the caller started and will stop:
/// `vae-tui demo enumerate` runs it alone, the dashboard's d menu over the dashboard.
/// n/N step q (and p with m), space runs a step every 100 ms, c switches K = 4 ⇄ 100, r re-seeds.
func runEnumerationDemo(on screen: CursesScreen, states: Int, seed: UInt64) -> DemoExit {
    var demo = EnumerationDemo(states: states, seed: seed)
    var running = false, seeds = seed
    while !SignalFlag.raised.load(ordering: .relaxed) {
        let (width, height) = screen.size
        screen.paint(EnumerationScreen.render(demo, running: running, width: width, height: height))
        guard let key = screen.readKey(timeout: 100) else {
            if running { demo.advance() }
            continue
        }
        switch key {
        case .resize: screen.invalidate()
        case .character("n"): demo.advance()
        case .character("N"): demo.advance(10)
        case .character(" "): running.toggle()
        case .character("m"): demo.trainModel.toggle()
        case .character("c"): demo.restart(states: demo.states == 4 ? 100 : 4)
        case .character("r"): seeds &+= 1; demo.restart(seed: seeds)
        case .character("q"), .escape: return .back
        case .controlC: return .quit
        default: break
        }
    }
    return .quit
}
