import ArgumentParser
import Foundation
import LatentLab
import LatentUI

/// `vae-tui show RUN...`: runs' curves overlaid, finished or still training, or written out as SVG.
struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Look back at runs: their curves overlaid in colours, the last KL per unit and the knob changes.",
        discussion: "Each RUN is a run directory (its metrics.jsonl) or a JSONL log. "
            + "Keys: ←/→ metric, p rate-distortion plane, a/A smoothing, ↑/↓ run, S save the screen, q quit.")

    @Argument(help: ArgumentHelp("Run directories or run logs.", valueName: "RUN"), completion: .file())
    var runs: [String]

    @OptionGroup var screenOptions: ScreenOptions

    @Flag(help: "Read new records as they arrive (a run still training).")
    var follow = false

    @Option(help: ArgumentHelp("Write every metric's curves, the rate-distortion plane and each run's unit bars "
                               + "as SVG (and text) into DIR, without a terminal.", valueName: "DIR"),
            completion: .directory)
    var export: String?

    /// The size of an exported picture, in cells.
    static let exportSize = (width: 120, height: 40)
    /// How often --follow reads the logs.
    static let followMilliseconds: Int32 = 500

    func validate() throws {
        if runs.isEmpty { throw ValidationError("name at least one run directory or log") }
        if follow && export != nil { throw ValidationError("--export writes the runs as they are: leave out --follow") }
    }

    func run() throws {
        try reportingUserErrors {
            var histories = try runs.map { path throws(CheckpointError) in try RunHistory(path: path) }
            if let export {
                for path in try Self.export(histories, to: export) { print(path) }
                return
            }
            guard isatty(0) == 1 && isatty(1) == 1 else {
                throw UserError("show needs a terminal; use --export DIR to write the curves as SVG")
            }
            let screen = try screenOptions.start()
            SignalFlag.install()
            defer { screen.stop() }
            var view = ShowView(following: follow)
            view.metric = Self.metrics(histories).first ?? .testLoss
            while !SignalFlag.raised.load(ordering: .relaxed) {
                let (width, height) = screen.size
                screen.paint(ShowScreen.render(histories, view: view, width: width, height: height))
                guard let key = screen.readKey(timeout: follow ? Self.followMilliseconds : 1000) else {
                    if follow {
                        for i in histories.indices {
                            do throws(CheckpointError) {
                                try histories[i].update()
                            } catch {
                                screen.show(notice: error.description)
                            }
                        }
                    }
                    continue
                }
                if key == .resize { screen.invalidate(); continue }
                if key == .controlC { break }
                if key == ScreenCapture.key { screen.captureLastFrame(); continue }
                let action = ShowKeys.handle(key, view: &view, runs: histories.count, metrics: Self.metrics(histories))
                if action == .quit { break }
            }
        }
    }

    /// The metrics any of the runs has points for.
    static func metrics(_ runs: [RunHistory]) -> [RunMetric] {
        RunMetric.allCases.filter { metric in runs.contains { $0.metrics.contains(metric) } }
    }

    /// `curves-<metric>.svg` for every metric, `rate-distortion.svg` (the runs overlaid in the plane) when they
    /// have rates and distortions, `units-<n>-<run>.svg` for every run with unit bars; each with its text beside.
    /// Returns the SVGs' paths.
    static func export(_ runs: [RunHistory], to directory: String) throws -> [String] {
        let metrics = metrics(runs)
        guard !metrics.isEmpty else { throw UserError("the runs have no curves yet: nothing to export") }
        var written: [String] = []
        do {
            for metric in metrics {
                var view = ShowView()
                view.metric = metric
                let canvas = ShowScreen.render(runs, view: view, width: exportSize.width, height: exportSize.height)
                written.append(try ScreenCapture.save(canvas, directory: directory, name: "curves-" + metric.slug))
            }
            if runs.contains(where: { !$0.heldOutPlane.isEmpty || !$0.trainPlane.isEmpty }) {
                var view = ShowView()
                view.plane = true
                let canvas = ShowScreen.render(runs, view: view, width: exportSize.width, height: exportSize.height)
                written.append(try ScreenCapture.save(canvas, directory: directory, name: "rate-distortion"))
            }
            for (i, run) in runs.enumerated() where !run.klPerUnit.isEmpty {
                var canvas = Canvas(width: exportSize.width, height: exportSize.height / 2)
                ShowScreen.units(run, index: i, into: &canvas, rect: canvas.bounds)
                written.append(try ScreenCapture.save(canvas, directory: directory, name: "units-\(i + 1)-\(run.name)"))
            }
        } catch let error as CocoaError {
            throw UserError("cannot write into \(directory): \(error.localizedDescription)")
        }
        return written
    }
}
