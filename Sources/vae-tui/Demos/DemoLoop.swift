import LatentUI

/// The screen loop every demo runs, on a screen its caller started and will stop: paint, wait up to
/// `timeout` ms for a key, `tick` when none came (a running demo steps there), redraw on resize.
/// q or Esc (as `handle` reports) returns to the caller; Ctrl-C or a signal quits the program.
func runDemoLoop(on screen: CursesScreen, timeout: () -> Int32, render: (_ width: Int, _ height: Int) -> Canvas,
                 tick: () -> Void, handle: (Key) -> DemoKeyOutcome) -> DemoExit {
    while !SignalFlag.raised.load(ordering: .relaxed) {
        let (width, height) = screen.size
        screen.paint(render(width, height))
        guard let key = screen.readKey(timeout: timeout()) else {
            tick()
            continue
        }
        switch key {
        case .resize: screen.invalidate()
        case .controlC: return .quit
        default: if handle(key) == .quit { return .back }
        }
    }
    return .quit
}
