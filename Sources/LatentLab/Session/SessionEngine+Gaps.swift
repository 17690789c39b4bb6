extension SessionEngine {
    /// The gap panel's decomposition, when it is open and due (`GapMonitor`), into the snapshot and the log.
    func refreshGaps() {
        let clock = ContinuousClock(), start = clock.now
        defer { lastGapSeconds = (clock.now - start).seconds }
        guard let (decomposition, gaps) = gapMonitor.refresh(model: trainer.model, probe: probe,
                                                              step: trainer.step) else { return }
        snapshot.gaps = gaps
        log?.write([("event", .string("gaps")), ("step", .int(trainer.step)), ("images", .int(probe.rows))]
                   + decomposition.fields)
    }
}
