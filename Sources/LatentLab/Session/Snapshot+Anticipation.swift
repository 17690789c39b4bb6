extension Snapshot {
    /// This snapshot as it will read once the engine has applied `commands`: its knobs, learning rate and
    /// running or paused. The engine applies commands only between steps, so keys pressed faster than it
    /// publishes (a held key, a paste, a key during a held-out evaluation) would otherwise all step a knob
    /// from the same stale value, and two presses of space would both pause.
    public func anticipating(_ commands: [Command]) -> Snapshot {
        var s = self
        for command in commands {
            switch command {
            case .set(let knob, let value): s.knobs = knob.setting(value, in: s.knobs).settings
            case .pause, .step: s.running = false
            case .resume: s.running = true
            case .reset, .setModel, .save, .showGaps, .latentWalk, .screenCosts, .quit: break
            }
        }
        return s
    }
}
