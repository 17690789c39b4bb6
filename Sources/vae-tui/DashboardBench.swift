import ArgumentParser
import Foundation
import LatentLab
import LatentUI

/// The page `bench --dashboard` shows while it measures: each asks the engine for its own work (the gap
/// panel its local inference, the latent map's page and the images page the latent walk), and `manifold` is
/// the latent map's page of the m menu's two-unit model, the decoder's images over the quantile grid.
enum DashboardPage: String, ExpressibleByArgument, CaseIterable {
    case overview, latentMap = "latent-map", images, gaps, manifold

    var page: ViewState.Page {
        switch self {
        case .overview: .overview
        case .latentMap, .manifold: .latentMap
        case .images: .images
        case .gaps: .gaps
        }
    }
}

/// The dashboard's costs: training throughput with the screen attached against headless, the time to
/// build a 200×60 frame, and the process's peak memory, with `page` shown (and with `ratePlane`, the curves
/// pane showing the rate-distortion plane, p).
enum DashboardBench {
    static func run(splits: DataSplits, decoder: LatentDecoder, page: DashboardPage, ratePlane: Bool,
                    seconds: Double, json: Bool) -> JSONValue {
        let family: ModelFamily = switch decoder {
        case _ where page == .manifold: .twoUnits
        case .factorized: .diagonal
        case .made: .madeDecoder
        case .pixelcnn: .pixelCNNDecoder
        }
        let config = TrainingConfig(model: family.applied(to: VAEConfig(inputSize: splits.train.dimension)),
                                    batchSize: 100)

        let clock = ContinuousClock()
        // Attached, first so that the peak memory is a dashboard run's alone: the engine thread with its
        // diagnostics, and this thread building 200×60 frames (density shading on) at 20 a second.
        let session = TrainingSession(engine: SessionEngine(trainer: Trainer(config: config, data: splits)))
        session.start()
        var view = ViewState()
        view.showDensity = true
        view.showsPlane = ratePlane
        view.page = page.page
        // What the keys that open the page ask of the engine.
        switch page.page {
        case .gaps: session.send(.showGaps(true))
        case .latentMap, .images: session.send(.latentWalk(view.walkRequest(for: session.anticipated())))
        case .overview: break
        }
        var frames = 0, frameSeconds = 0.0
        var snapshot = session.latest() ?? Snapshot()
        while snapshot.step < 3 { usleep(5_000); snapshot = session.latest() ?? snapshot }
        let firstStep = snapshot.step
        let start = clock.now
        while (clock.now - start).seconds < seconds {
            if let latest = session.latest() { snapshot = latest }
            let t = clock.now
            _ = Dashboard.render(snapshot, view: view, width: 200, height: 60)
            frameSeconds += (clock.now - t).seconds
            frames += 1
            usleep(50_000)
        }
        let elapsed = (clock.now - start).seconds
        snapshot = session.latest() ?? snapshot
        let attachedRate = Double((snapshot.step - firstStep) * config.batchSize) / elapsed
        session.stop()

        // Taken before the headless trainer exists.
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peakMB = Double(usage.ru_maxrss) / 1024  // Linux reports kilobytes

        // Headless: the trainer alone.
        let headlessRate = Bench.stepsPerSecond(Trainer(config: config, data: splits), seconds: seconds)
            * Double(config.batchSize)

        let frameMs = 1000 * frameSeconds / Double(max(frames, 1))
        if !json {
            print(String(format: "training headless %.0f img/s, with the dashboard %.0f img/s (%.1f%%)",
                         headlessRate, attachedRate, 100 * attachedRate / headlessRate))
            print(String(format: "frame build at 200x60: %.2f ms (mean of %d frames)%@", frameMs, frames,
                         ratePlane ? ", the rate-distortion plane shown" : ""))
            if let gaps = snapshot.gaps {
                print(String(format: "gap panel: last taken at step %d, %d local steps (%@) in %.2f s",
                             gaps.step, gaps.localSteps, gaps.stop.description, gaps.seconds))
            }
            print(String(format: "peak memory (max RSS of this process): %.0f MB", peakMB))
        }
        return .object([
            ("threads", .int(Parallel.threads)),
            ("headless_samples_per_s", .number(headlessRate)), ("dashboard_samples_per_s", .number(attachedRate)),
            ("ratio", .number(attachedRate / headlessRate)), ("frame_ms_200x60", .number(frameMs)),
            ("frames", .int(frames)), ("page", .string(page.rawValue)), ("rd_plane", .bool(ratePlane)),
            ("gap_seconds", snapshot.gaps.map { .number($0.seconds) } ?? .null),
            ("gap_local_steps", snapshot.gaps.map { .int($0.localSteps) } ?? .null),
            ("peak_rss_mb", .number(peakMB)),
        ])
    }
}
