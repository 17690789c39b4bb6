import LatentLab

/// The dashboard's frame times (render and paint), reported to the run log once a minute as a `ui` record.
struct FrameCosts {
    static let interval = Duration.seconds(60)
    private let clock = ContinuousClock()
    private var since = ContinuousClock.now
    private var frames = 0
    private var total = Duration.zero
    private var longest = Duration.zero

    mutating func time(_ frame: () -> Void) {
        let start = clock.now
        frame()
        let spent = clock.now - start
        frames += 1
        total += spent
        longest = max(longest, spent)
    }

    /// The last interval's costs as a command for the engine's log, when an interval has passed.
    mutating func takeIfDue() -> Command? {
        guard clock.now - since >= Self.interval, frames > 0 else { return nil }
        let command = Command.screenCosts(frames: frames, meanMilliseconds: total.seconds * 1000 / Double(frames),
                                          maxMilliseconds: longest.seconds * 1000)
        self = FrameCosts()
        return command
    }
}
