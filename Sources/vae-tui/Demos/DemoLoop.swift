import LatentUI

/// The screen loop every demo runs, on a screen its caller started and will stop: paint, wait up to the
/// demo's frame interval for a key, `tick` when none came (a running demo queues steps there), redraw on
/// resize. Keys already waiting (a paste, a held key) are all handled before the next frame: a frame after
/// each left the screen seconds behind a burst, and an Esc in it acting long after it was typed. The loop
/// answers S (save the screen) and ? (the demo's keys) itself. q or Esc (as the demo reports) returns to the
/// caller; Ctrl-C or a signal quits the program.
func runDemoLoop(on screen: CursesScreen, demo: any Demo) -> DemoExit {
    var helpVisible = false
    defer { demo.close() }
    func paint() {
        let (width, height) = screen.size
        var canvas = demo.render(width: width, height: height)
        if helpVisible { Overlays.help(into: &canvas, keys: DemoKey.help(demo.keys)) }
        screen.paint(canvas)
    }
    /// The key's effect; how the loop ends, if it does.
    func handle(_ key: Key) -> DemoExit? {
        if helpVisible {
            if key.closesHelp { helpVisible = false }
            return nil
        }
        switch key {
        case .resize: screen.invalidate()
        case .controlC: return .quit
        case ScreenCapture.key:
            paint()  // with the keys before it, which had no frame of their own
            screen.captureLastFrame()
        case .character("?"), .f1: helpVisible = true
        default: if demo.handle(key) == .quit { return .back }
        }
        return nil
    }
    while !SignalFlag.raised.load(ordering: .relaxed) {
        paint()
        var next = screen.readKey(timeout: demo.frameInterval)
        if next == nil { demo.tick() }
        while let key = next {
            if let exit = handle(key) { return exit }
            next = screen.readKey(timeout: 0)
        }
    }
    return .quit
}
