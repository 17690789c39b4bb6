import Foundation

/// The engine side of the dashboard: applies commands between steps, trains while running, and builds
/// the `Snapshot` the screen shows. It runs on one thread (the session's); tests drive it directly.
public final class SessionEngine {
    public let trainer: Trainer
    public internal(set) var snapshot = Snapshot()
    public private(set) var running = true
    public private(set) var quitting = false
    let log: RunLog?
    /// Where the run's state is saved on quit and on every save: the weights with the trainer's state, and
    /// the curves (a run directory's `checkpoint.safetensors` and `curves.json`); nil keeps nothing.
    public var stateFiles: (checkpoint: String, curves: String)?
    /// Why saving the run on quit failed: the screen is gone by then, so the command reports it after.
    public private(set) var quitSaveFailure: CheckpointError?
    private var reportedLogFailure = false

    /// Fixed held-out sets, cut once: the probe batch for L_1/L_5/L_50 and the evaluation slice; the latent
    /// map's and the image pane's test images are the pictures'.
    let probe: Tensor
    private let evaluationSlice: Int
    private var pictures: SessionPictures
    /// The m menu's families are made from the starting model, so the two-unit latent is a detour only.
    private let startingModel: VAEConfig
    var gapMonitor = GapMonitor()
    /// Seconds the last evaluation spent on the gap panel: its own budget, not the diagnostics'.
    var lastGapSeconds = 0.0
    var walker: LatentWalker

    // Training statistics since the last curve point.
    private var pending = (loss: 0.0, rate: 0.0, distortion: 0.0, count: 0)
    private var lastNonFinite = 0
    private var clock = ContinuousClock()
    private var trainingSeconds = 0.0
    private var trainedSamples = 0
    private var lastDiagnostics = ContinuousClock().now
    private var lastDiagnosticsCost = 0.0

    /// Steps between points of the training curves.
    public var pointEvery = 10
    /// Least seconds between held-out diagnostics while training.
    public var diagnosticsInterval = 1.0
    /// Most of the engine's time the diagnostics may take: on a slow machine or a big model they
    /// come less often rather than slow training down.
    public var diagnosticsShare = 0.03
    /// Points kept per curve; older history is thinned by half when it is exceeded.
    public static let maxPoints = 4000
    /// The least time between two `train` records in the run log.
    static let trainRecordInterval = Duration.seconds(1)
    private var lastTrainRecord = ContinuousClock.now - trainRecordInterval

    /// The probe bounds use the same draws at every refresh, so their curves move only with the model.
    static let probeSeed: UInt64 = 9
    /// Whether an autoregressive decoder's reconstructions are drawn free-running (the `x` key).
    private var freeRunning = false

    public init(trainer: Trainer, log: RunLog? = nil, probeSize: Int = 32, evaluationSlice: Int = 500,
                mapPoints: Int = 200) {
        self.trainer = trainer
        startingModel = trainer.config.model
        walker = LatentWalker(seed: trainer.config.seed)
        self.log = log
        let test = trainer.data.test
        probe = test.batch(0..<min(probeSize, test.count))
        self.evaluationSlice = min(evaluationSlice, test.count)
        pictures = SessionPictures(test: test, images: trainer.data.testImages, mapPoints: mapPoints,
                                   seed: trainer.config.seed)
        // A log that cannot be written does not stop training: the message line says so, once (a disk full one moment
        // and not the next would otherwise cover every other message).
        log?.onFailureChange = { [weak self] failure in
            guard let self, let failure, !reportedLogFailure else { return }
            reportedLogFailure = true
            snapshot.message = "\(failure.description); training goes on"
        }
        snapshot.dataset = trainer.data.name
        snapshot.platform = Platform.lines
        describeModel()
        snapshot.seed = trainer.config.seed
        refreshKnobs()
        diagnose()
    }

    private func describeModel() {
        snapshot.modelDescription = trainer.model.description
        snapshot.modelSummary = trainer.model.summary
        snapshot.latentSize = trainer.model.config.latentSize
        snapshot.autoregressiveDecoder = trainer.model.likelihood.isAutoregressive
        snapshot.minimumRateApplies = minimumRateApplies
    }

    /// δ-VAE's floor holds for a diagonal Gaussian q against N(0, I).
    private var minimumRateApplies: Bool {
        trainer.model.posterior is any MinimumRatePosterior && trainer.model.prior is StandardNormalPrior
    }

    /// After new weights (a reset or another model): the curves start over, the knobs stay.
    private func restarted(seed: UInt64, message: String) {
        describeModel()
        snapshot.curves = Snapshot.Curves()
        snapshot.images = Snapshot.Images()   // the old model's samples go too
        snapshot.walk = nil
        snapshot.gaps = nil                   // and its gaps, taken again at once if the panel is open
        gapMonitor.refreshSoon()
        snapshot.seed = seed
        snapshot.step = 0
        snapshot.epoch = 0
        pending = (0, 0, 0, 0)
        snapshot.message = message
        diagnose()
    }

    /// Applies one command (between steps).
    public func apply(_ command: Command) {
        if case let .screenCosts(frames, mean, max) = command {
            logCosts(frames: frames, meanMilliseconds: mean, maxMilliseconds: max)
            return
        }
        var marker: String?
        switch command {
        case .set(let knob, let value):
            let (settings, note) = knob.setting(value, in: knobs)
            knobs = settings
            marker = knob.marker(knob.value(in: settings))
            if !knob.applies(in: snapshot), let message = knob.notApplicableMessage { snapshot.message = message }
            if let note { snapshot.message = note }
            if knob == .freeRunning {
                snapshot.images.samples = []   // drawn again at the next refresh, with the reconstructions
                if !running { diagnose() }
            }
        case .pause: running = false
        case .resume: running = true
        case .step:
            running = false
            trainOneStep()
            diagnose()
        case .reset(let seed):
            trainer.reset(seed: seed)
            restarted(seed: seed, message: "model reset (seed \(seed))")
        case .setModel(let family, let seed):
            trainer.rebuild(family.applied(to: startingModel), seed: seed)
            restarted(seed: seed, message: "new model: \(trainer.model.summary) (seed \(seed))")
        case .save(let path):
            snapshot.message = save(to: path)
        case .showGaps(let open):
            gapMonitor.open(open)
            if open && !running { diagnose() }
        case .latentWalk(let request):
            walker.request = request
            if request == nil { snapshot.walk = nil } else { refreshWalk(onRequest: true) }
        case .screenCosts:
            return
        case .quit:
            quitting = true
            do { try saveState() } catch {
                quitSaveFailure = error
                snapshot.message = "saving the run failed: \(error.description)"
            }
        }
        if let marker { snapshot.curves.markers.append(Snapshot.Marker(step: trainer.step, label: marker)) }
        log?.write([("event", .string("command")), ("step", .int(trainer.step)), ("command", .string(command.name)),
                    ("value", command.value)])
        refreshKnobs()
    }

    /// One unit of work: a training step when running, then diagnostics when they are due.
    /// Returns false when paused (the caller may wait for a command).
    @discardableResult
    public func tick() -> Bool {
        guard running && !quitting else { return false }
        trainOneStep()
        let now = clock.now
        let interval = max(diagnosticsInterval, lastDiagnosticsCost / diagnosticsShare)
        if now - lastDiagnostics >= .seconds(interval) {
            diagnose()
            lastDiagnosticsCost = (clock.now - now).seconds - lastGapSeconds
        }
        return true
    }

    private func trainOneStep() {
        let start = clock.now
        let report = trainer.trainStep()
        trainingSeconds += (clock.now - start).seconds
        trainedSamples += trainer.config.batchSize
        if report.applied {
            pending.loss -= Double(report.stats.bound)
            pending.rate += Double(report.stats.rate)
            pending.distortion += Double(report.stats.distortion)
            pending.count += 1
        }
        if pending.count >= pointEvery || (!running && pending.count > 0) {
            let n = Double(pending.count)
            append(&snapshot.curves.trainLoss, Float(pending.loss / n))
            append(&snapshot.curves.rate, Float(pending.rate / n))
            append(&snapshot.curves.distortion, Float(pending.distortion / n))
            // The log samples the curve at most once a second: enough for `show`, a few MB a day.
            if clock.now - lastTrainRecord >= Self.trainRecordInterval {
                lastTrainRecord = clock.now
                log?.write([("event", .string("train")), ("step", .int(trainer.step)),
                            ("train_loss", .number(pending.loss / n)), ("train_rate", .number(pending.rate / n)),
                            ("train_distortion", .number(pending.distortion / n))])
            }
            pending = (0, 0, 0, 0)
        }
        if trainer.nonFiniteSteps > lastNonFinite {
            lastNonFinite = trainer.nonFiniteSteps
            snapshot.message = "NaN/Inf at step \(trainer.step): step skipped "
                + "(\(trainer.nonFiniteSteps) so far, \(trainer.recoveries) recoveries)"
            log?.write([("event", .string("nonfinite")), ("step", .int(trainer.step)),
                        ("skipped", .int(trainer.nonFiniteSteps)), ("recoveries", .int(trainer.recoveries))])
        }
        if trainer.cannotRecover {
            running = false
            snapshot.message = "training stopped: NaN/Inf at every step even from the last good weights "
                + "(step \(trainer.step)); r resets the model"
            log?.write([("event", .string("unrecoverable")), ("step", .int(trainer.step))])
        }
        snapshot.step = trainer.step
        snapshot.epoch = trainer.epochProgress
        snapshot.samplesPerSecond = Double(trainedSamples) / max(trainingSeconds, 1e-9)
        if trainingSeconds > 5 { trainingSeconds /= 2; trainedSamples /= 2 }  // a moving window
        snapshot.nonFiniteSteps = trainer.nonFiniteSteps
        if let ended = trainer.aggressive.endedAtEpoch, snapshot.aggressive.endedAtEpoch == nil {
            snapshot.message = "aggressive training ended at epoch \(ended): held-out I_q stopped rising"
            log?.write([("event", .string("aggressive_end")), ("step", .int(trainer.step)), ("epoch", .int(ended)),
                        ("mi_history", .array(trainer.aggressive.informationHistory.map { .float($0) }))])
        }
        snapshot.aggressive = trainer.aggressive
    }

    /// The noise of the held-out diagnostics: the same at every evaluation, so their curves move with the model only.
    public static let diagnosticsSeed: UInt64 = 5
    /// Model draws for the dashboard's Barber–Agakov bound.
    public static let diagnosticsBoundSamples = 256

    /// The held-out numbers: test −ELBO with its rate and distortion (the plane's points), KL per unit, active
    /// units, I_q and the Barber–Agakov bound, the probe bounds, the latent map, images. The bound's 256 model
    /// draws take about 12% of the diagnostics' time on MNIST (6 of 51 ms), within the `diagnosticsShare` budget.
    public func diagnose() {
        lastDiagnostics = clock.now
        let model = trainer.model
        let test = trainer.data.test
        let eval = Evaluator.evaluate(model: model, data: test, limit: evaluationSlice, batchSize: evaluationSlice,
                                       seed: Self.diagnosticsSeed, boundSamples: Self.diagnosticsBoundSamples)
        snapshot.klPerUnit = eval.klPerUnit
        snapshot.activity = eval.activity
        snapshot.activeUnits = eval.activeUnits
        snapshot.layerSizes = eval.layerSizes
        snapshot.activeUnitsLayers = eval.activeUnitsLayers
        snapshot.totalKL = eval.kl
        snapshot.mutualInformation = eval.mutualInformation
        snapshot.mutualInformationBound = eval.mutualInformationBound
        snapshot.zUse = eval.zUse
        appendHeldOut(eval)
        let bounds = Evaluator.probeBounds(model: model, probe: probe, seed: Self.probeSeed)
        append(&snapshot.curves.l1, bounds.l1)
        append(&snapshot.curves.l5, bounds.l5)
        append(&snapshot.curves.l50, bounds.l50)
        log?.write([("event", .string("eval")), ("step", .int(trainer.step))] + eval.logFields(probeBounds: bounds))
        pictures.update(&snapshot, model: model, step: trainer.step, freeRunning: freeRunning,
                        images: trainer.data.testImages)
        refreshWalk(onRequest: false)
        refreshGaps()
        Allocator.releaseFreeMemory()
    }

    /// The knobs as the trainer and this engine hold them. Each is written only when it changes: the learning
    /// rate may follow a schedule, and turning aggressive training on restarts its phase.
    private var knobs: KnobSettings {
        get {
            KnobSettings(objective: trainer.objective, learningRate: trainer.learningRate,
                         aggressive: trainer.aggressive.isOn, freeRunning: freeRunning)
        }
        set {
            if newValue.objective != trainer.objective { trainer.objective = newValue.objective }
            if newValue.learningRate != trainer.learningRate { trainer.learningRate = newValue.learningRate }
            if newValue.aggressive != trainer.aggressive.isOn { trainer.aggressive.isOn = newValue.aggressive }
            freeRunning = newValue.freeRunning
        }
    }

    func refreshKnobs() {
        snapshot.settings = trainer.objective
        snapshot.learningRate = trainer.learningRate
        snapshot.aggressive = trainer.aggressive
        snapshot.running = running
    }
}
