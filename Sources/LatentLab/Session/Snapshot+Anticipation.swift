extension Snapshot {
    /// This snapshot as it will read once the engine has applied `commands`: its knobs, learning rate and
    /// running or paused. The engine applies commands only between steps, so keys pressed faster than it
    /// publishes (a held key, a paste, a key during a held-out evaluation) would otherwise all step a knob
    /// from the same stale value, and two presses of space would both pause.
    public func anticipating(_ commands: [Command]) -> Snapshot {
        var s = self
        for command in commands {
            switch command {
            case .setBeta(let b): s.settings.beta = b
            case .setFreeBits(let l): s.settings.freeBits.lambda = l
            case .setFreeBitsPerUnit(let p): s.settings.freeBits.perUnit = p
            case .setWarmup(let n): s.settings.warmup.steps = n
            case .setK(let k): s.settings.k = k
            case .setObjective(let o): s.settings.kind = o
            case .setLearningRate(let lr): s.learningRate = lr
            case .setConditioningDropout(let p): s.settings.conditioningDropout = p
            case .setMinimumRate(let delta): s.settings.minimumRate = delta
            case .setAggressive(let on): s.aggressive.isOn = on
            case .setFreeRunning(let on): s.images.reconstructionsAreDraws = on
            case .pause, .step: s.running = false
            case .resume: s.running = true
            case .reset, .setModel, .save, .screenCosts, .quit: break
            }
        }
        return s
    }
}
