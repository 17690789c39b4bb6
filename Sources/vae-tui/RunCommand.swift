import ArgumentParser
import Foundation
import LatentLab
import LatentUI

/// `vae-tui run` (and `vae-tui` alone): the dashboard, training live in the background.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open the dashboard and train live: curves, KL per unit, latent map, images, knobs.")

    @OptionGroup var data: DataOptions
    @OptionGroup var split: SplitOptions
    @OptionGroup var options: TrainOptions
    @OptionGroup var threading: ThreadOptions
    @OptionGroup var screenOptions: ScreenOptions

    @Option(help: ArgumentHelp("Append the knob changes (and the start) to this JSONL log.", valueName: "FILE.jsonl"))
    var log: String?

    @Option(help: ArgumentHelp("Where s saves a checkpoint.", valueName: "FILE"))
    var checkpoint: String = "vae-tui.safetensors"

    @Option(name: .customLong("run-dir"),
            help: ArgumentHelp("Keep the run here: config.json, metrics.jsonl (the log), and on quit and s the weights "
                               + "with the trainer's state and the curves (default runs/<date>-<time>-<model>).",
                               valueName: "DIR"),
            completion: .directory)
    var runDirectory: String?

    @Option(help: ArgumentHelp("Reopen the run in DIR where it was saved: "
                               + "its weights, trainer state, knobs and curves.", valueName: "DIR"),
            completion: .directory)
    var resume: String?

    func validate() throws {
        if resume != nil && runDirectory != nil {
            throw ValidationError("--resume continues its own directory: leave out --run-dir")
        }
    }

    func run() throws {
        try reportingUserErrors {
            guard isatty(0) == 1 && isatty(1) == 1 else {
                throw UserError("the dashboard needs a terminal; use `vae-tui train` to train without one")
            }
            try CursesScreen.checkTerminal()
            threading.apply()
            // Before the run directory is made: a refusal leaves nothing.
            let givenLog = try log.map { try RunLog(path: $0) }
            let (directory, settings, splits) = try start()
            directory.removeStaleTemporaries()
            let runLog = try givenLog ?? RunLog(path: directory.metrics)
            let trainer = Trainer(config: settings.training, data: splits)
            trainer.faultInjection = options.injectNaN
            let engine = SessionEngine(trainer: trainer, log: runLog)
            engine.stateFiles = (directory.checkpoint, directory.curves)
            if resume != nil {
                let curves = FileManager.default.contents(atPath: directory.curves).flatMap {
                    try? JSONDecoder().decode(Snapshot.Curves.self, from: $0)
                }
                try engine.restore(try Checkpoint.load(directory.checkpoint), curves: curves)
                runLog.write([("event", .string("resume")), ("step", .int(trainer.step))])
            } else {
                runLog.write(RunRecords.start(trainer: trainer, epochs: 0, threads: threading.threads))
            }
            let session = TrainingSession(engine: engine)
            try DashboardLoop(session: session, checkpointPath: checkpoint, seed: settings.training.seed,
                              runDirectory: directory.path, screenOptions: screenOptions).run()
            if let failure = session.quitSaveFailure {
                throw UserError("the run was not saved on quit: \(failure.description)")
            }
        }
    }

    /// The run directory, its settings and data: a resumed run's from its config.json, a new one's from the flags.
    private func start() throws -> (RunDirectory, RunConfig, DataSplits) {
        if let resume {
            let reopened = try RunDirectory.reopen(resume)
            guard FileManager.default.fileExists(atPath: reopened.0.checkpoint) else {
                throw UserError("\(reopened.0.checkpoint): the run was never saved (s saves it, and quitting does)")
            }
            return reopened
        }
        return try RunDirectory.start(data: data, split: split, given: runDirectory, epochs: 0, evalLimit: nil,
                                      threads: threading.threads) { try options.trainingConfig(inputSize: $0) }
    }
}

/// The UI thread: draw the latest snapshot, read keys, send commands; 20 frames a second at most.
/// A demo from the d menu takes over the screen until it returns; training goes on meanwhile.
struct DashboardLoop {
    let session: TrainingSession
    let checkpointPath: String
    let seed: UInt64
    /// Where S saves the screen, and where the final screen is kept on quit.
    let runDirectory: String
    let screenOptions: ScreenOptions

    func run() throws {
        let screen = try screenOptions.start()
        screen.captureDirectory = runDirectory
        SignalFlag.install()
        session.start()
        var view = ViewState()
        var snapshot = session.latest() ?? Snapshot()
        var resets: UInt64 = 0
        var costs = FrameCosts()
        let items = DemoRegistry.all.map(\.item)
        var demoFailure: String?
        func paint() {
            let (width, height) = screen.size
            costs.time {
                screen.paint(Dashboard.render(snapshot, view: view, width: width, height: height, demos: items))
            }
        }
        /// A key's effect: go on with the keys waiting, paint first (back from a demo), or end the run.
        enum After { case nextKey, nextFrame, quit }
        func handle(_ key: Key) -> After {
            if key == .resize { screen.invalidate(); return .nextKey }
            if key == ScreenCapture.key && view.overlay != .help {
                paint()  // with the keys before it, which had no frame of their own
                screen.captureLastFrame()
                return .nextKey
            }
            let result = KeyMap.handle(key, view: view, snapshot: session.anticipated(), checkpointPath: checkpointPath,
                                       demos: items) {
                resets += 1
                return seed &+ resets
            }
            view = result.view
            result.commands.forEach(session.send)
            if result.quit { return .quit }
            guard let chosen = DemoRegistry.all.first(where: { $0.menuKey == result.demo }) else { return .nextKey }
            // A demo's defaults that do not parse is a bug: the run ends as on q (saved), and says so.
            do {
                return runDemoLoop(on: screen, demo: try chosen.make(seed: seed)) == .quit ? .quit : .nextFrame
            } catch {
                demoFailure = "could not open the demo \(chosen.title): \(describe(error))"
                return .quit
            }
        }
        // Keys already waiting (a paste, a held key) are all handled before the next frame, as in a demo: a frame
        // after each left the screen seconds behind a paste, and the keys after a demo's had waited behind them.
        running: while !SignalFlag.raised.load(ordering: .relaxed) {
            if let latest = session.latest() { snapshot = latest }
            paint()
            if let minute = costs.takeIfDue() { session.send(minute) }
            var next = screen.readKey(timeout: 50)
            while let key = next {
                switch handle(key) {
                case .nextKey: next = screen.readKey(timeout: 0)
                case .nextFrame: next = nil
                case .quit: break running
                }
            }
        }
        session.stop()
        screen.stop()
        if let frame = screen.lastFrame {
            do { try ScreenCapture.save(frame, directory: runDirectory, name: ScreenCapture.finalName) } catch {
                Terminal.error("vae-tui: could not keep the final screen in \(runDirectory): \(describe(error))")
            }
        }
        if let demoFailure { throw UserError(demoFailure) }
    }
}
