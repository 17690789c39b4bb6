/// The engine side of the panels the screen opens: the gap panel and the latent walk.
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

    /// The latent walk's images for the last request (`LatentWalker`).
    func refreshWalk(onRequest: Bool) {
        let means = Array(snapshot.posterior.means.prefix(SessionPictures.imageCount))
        snapshot.walk = walker.refresh(model: trainer.model, means: means, step: trainer.step, onRequest: onRequest,
                                       current: snapshot.walk)
    }
}
