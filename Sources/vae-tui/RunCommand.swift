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

    @Option(help: ArgumentHelp("Append the knob changes (and the start) to this JSONL log.", valueName: "FILE.jsonl"))
    var log: String?

    @Option(help: ArgumentHelp("Where s saves a checkpoint.", valueName: "FILE"))
    var checkpoint: String = "vae-tui.safetensors"

    func run() throws {
        try reportingUserErrors {
            guard isatty(0) == 1 && isatty(1) == 1 else {
                throw UserError("the dashboard needs a terminal; use `vae-tui train` to train without one")
            }
            threading.apply()
            let splits = try split.load(data)
            let config = try options.trainingConfig(inputSize: splits.train.dimension)
            let runLog = try log.map { try RunLog(path: $0) }
            let trainer = Trainer(config: config, data: splits)
            runLog?.write(RunRecords.start(trainer: trainer, epochs: 0, threads: threading.threads))
            let session = TrainingSession(engine: SessionEngine(trainer: trainer, log: runLog))
            try DashboardLoop(session: session, checkpointPath: checkpoint, seed: config.seed).run()
        }
    }
}

/// The UI thread: draw the latest snapshot, read keys, send commands; 20 frames a second at most.
/// A demo from the d menu takes over the screen until it returns; training goes on meanwhile.
struct DashboardLoop {
    let session: TrainingSession
    let checkpointPath: String
    let seed: UInt64

    func run() throws {
        guard let screen = CursesScreen() else { throw UserError("cannot start the terminal (is TERM set?)") }
        SignalFlag.install()
        session.start()
        var view = ViewState()
        var snapshot = session.latest() ?? Snapshot()
        var resets: UInt64 = 0
        let demos = DashboardDemo.all(seed: seed)
        let items = demos.map(\.item)
        while !SignalFlag.raised.load(ordering: .relaxed) {
            if let latest = session.latest() { snapshot = latest }
            let (width, height) = screen.size
            screen.paint(Dashboard.render(snapshot, view: view, width: width, height: height, demos: items))
            guard let key = screen.readKey(timeout: 50) else { continue }
            if key == .resize { screen.invalidate(); continue }
            let result = KeyMap.handle(key, view: view, snapshot: snapshot, checkpointPath: checkpointPath, demos: items) {
                resets += 1
                return seed &+ resets
            }
            view = result.view
            result.commands.forEach(session.send)
            if result.quit { break }
            if let chosen = demos.first(where: { $0.item.key == result.demo }), chosen.launch(screen) == .quit { break }
        }
        session.stop()
        screen.stop()
    }
}
