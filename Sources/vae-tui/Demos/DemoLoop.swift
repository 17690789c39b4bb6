import LatentUI

/// The screen loop every demo runs, on a screen its caller started and will stop: paint, wait up to the
/// demo's frame interval for a key, `tick` when none came (a running demo queues steps there), redraw on
/// resize. The loop answers S (save the screen) and ? (the demo's keys) itself. q or Esc (as the demo
/// reports) returns to the caller; Ctrl-C or a signal quits the program.
func runDemoLoop(on screen: CursesScreen, demo: any Demo) -> DemoExit {
    var helpVisible = false
    defer { demo.settle() }
    while !SignalFlag.raised.load(ordering: .relaxed) {
        let (width, height) = screen.size
        var canvas = demo.render(width: width, height: height)
        if helpVisible { Overlays.help(into: &canvas, keys: DemoKey.help(demo.keys)) }
        screen.paint(canvas)
        guard let key = screen.readKey(timeout: demo.frameInterval) else {
            demo.tick()
            continue
        }
        if helpVisible {
            if key.closesHelp { helpVisible = false }
            continue
        }
        switch key {
        case .resize: screen.invalidate()
        case .controlC: return .quit
        case ScreenCapture.key: screen.captureLastFrame()
        case .character("?"), .f1: helpVisible = true
        default: if demo.handle(key) == .quit { return .back }
        }
    }
    return .quit
}
