import ArgumentParser
import LatentLab

/// The model, objective and optimiser options shared by `train` (and the dashboard's `run`).
struct TrainOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Start from a preset's settings (assets/presets; vae-tui presets lists them); flags "
                               + "given here override it.",
                               valueName: "NAME"),
            completion: .custom { _, _, _ in Presets.names() })
    var preset: String?

    @Option(name: .customLong("inject-nan"),
            help: ArgumentHelp("Debug, for the fault suite: a NaN in the loss, a gradient or a weight at these steps "
                               + "(STEP,STEP,…[:loss|gradient|weight], or every[:TARGET]); each is caught, counted "
                               + "and recovered from.",
                               valueName: "SPEC"))
    var injectNaN: FaultInjection?

    @Option(help: ArgumentHelp("Samples per example.", valueName: "K"))
    var k: Int = 1

    @Option(help: ArgumentHelp("Training objective: elbo (k-sample ELBO) or iwae (L_k).", valueName: "elbo|iwae"))
    var objective: ObjectiveKind = .elbo

    @Option(help: ArgumentHelp("Weight on the KL term.", valueName: "B"))
    var beta: Float = 1

    @Option(name: .customLong("free-bits"),
            help: ArgumentHelp("Free bits: minimum nats per group of latent units (0 = off).",
                               valueName: "L"))
    var freeBits: Float = 0

    @Option(name: .customLong("free-bits-groups"),
            help: ArgumentHelp("Number of groups the latent units are split into for free bits.",
                               valueName: "G"))
    var freeBitsGroups: Int = 1

    @Flag(name: .customLong("free-bits-per-unit"), help: "Apply free bits to each latent unit on its own.")
    var freeBitsPerUnit = false

    @Option(help: ArgumentHelp("KL warm-up length in steps (0 = off).", valueName: "STEPS"))
    var warmup: Int = 0

    @Option(name: .customLong("warmup-start"), help: ArgumentHelp("KL weight at the start of warm-up.", valueName: "W"))
    var warmupStart: Float = 0

    @Option(name: .customLong("warmup-schedule"),
            help: ArgumentHelp("linear, or cyclical (Fu et al. 2019: cycles of --warmup steps).",
                               valueName: "linear|cyclical"))
    var warmupSchedule: KLWarmup.Schedule = .linear

    @Option(help: ArgumentHelp("Minibatch size.", valueName: "B"))
    var batch: Int = 100

    @Option(help: ArgumentHelp("Learning rate.", valueName: "LR"))
    var lr: Float = 1e-3

    @Option(name: .customLong("adam-epsilon"),
            help: ArgumentHelp("Adam's epsilon (the IWAE paper used 1e-4).",
                               valueName: "E"))
    var adamEpsilon: Float = 1e-4

    @Option(help: ArgumentHelp("adam or adamax.", valueName: "NAME"))
    var optimizer: TrainingConfig.OptimizerKind = .adam

    @Option(help: ArgumentHelp("Clip the global gradient norm to this value.", valueName: "NORM"))
    var clip: Float?

    @Option(help: ArgumentHelp("Random seed: the same seed repeats a run exactly.", valueName: "S"))
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Latent units; two or more comma-separated sizes make stochastic layers, bottom first "
                               + "(100,50: the IWAE paper's two-layer model).",
                               valueName: "N[,N]"))
    var latent: String = "50"

    @Option(help: ArgumentHelp("Hidden layer sizes of encoder and decoder, comma-separated.", valueName: "SIZES"))
    var hidden: String = "200,200"

    @Option(help: ArgumentHelp("Hidden nonlinearity: tanh, relu, elu, softplus or sigmoid.", valueName: "NAME"))
    var activation: Activation = .tanh

    @Option(help: ArgumentHelp("The posterior q(z|x): diag (a diagonal Gaussian), full (a full-covariance Gaussian: "
                               + "O(d²) ops, for small latents) or iaf (an inverse autoregressive flow on the "
                               + "diagonal one).",
                               valueName: "diag|full|iaf"))
    var posterior: LatentPosterior = .diag

    @Option(help: ArgumentHelp("The prior p(z): normal (N(0,I)), af (VLAE's autoregressive-flow prior) or vamp "
                               + "(the VampPrior: a mixture of q at --pseudo-inputs learned inputs).",
                               valueName: "normal|af|vamp"))
    var prior: LatentPrior = .normal

    @Option(name: .customLong("flow-steps"),
            help: ArgumentHelp("Gated MADE steps of a flow posterior or prior.",
                               valueName: "T"))
    var flowSteps: Int = VAEConfig.defaultFlowSteps

    @Option(name: .customLong("flow-hidden"),
            help: ArgumentHelp("Hidden units of each flow step's MADE.",
                               valueName: "H"))
    var flowHidden: Int = VAEConfig.defaultFlowHidden

    @Option(name: .customLong("pseudo-inputs"),
            help: ArgumentHelp("A VampPrior's learned pseudo-inputs, one mixture component each.", valueName: "K"))
    var pseudoInputs: Int = VAEConfig.defaultPseudoInputs

    @Option(help: ArgumentHelp("The decoder p(x|z): factorized (a Bernoulli MLP), made (a MADE over the pixels, "
                               + "conditioned on z) or pixelcnn (masked convolutions, z added to every layer).",
                               valueName: "factorized|made|pixelcnn"))
    var decoder: LatentDecoder = .factorized

    @Option(name: .customLong("decoder-hidden"),
            help: ArgumentHelp("Hidden layer sizes of the decoder, comma-separated (default: --hidden reversed; 500 "
                               + "for made; for pixelcnn the channels of each masked layer, 32 six times).",
                               valueName: "SIZES"))
    var decoderHidden: String?

    @Option(name: .customLong("receptive-field"),
            help: ArgumentHelp("What an autoregressive decoder sees before each pixel: made, R previous pixels; "
                               + "pixelcnn, R layers, so R rows above and R columns either side (default: all, or "
                               + "the layers of --decoder-hidden).",
                               valueName: "R"))
    var receptiveField: Int?

    @Option(name: .customLong("ar-dropout"),
            help: ArgumentHelp("Conditioning dropout: probability that each previous pixel the autoregressive decoder "
                               + "reads is hidden in training.",
                               valueName: "P"))
    var arDropout: Float = 0

    @Option(name: .customLong("min-rate"),
            help: ArgumentHelp("δ-VAE: nats of KL per latent unit the diagonal Gaussian q keeps by construction (0 = "
                               + "off).",
                               valueName: "DELTA"))
    var minRate: Float = 0

    @Option(name: .customLong("lr-schedule"),
            help: ArgumentHelp("constant; iwae (the IWAE paper's: 3^i epochs at lr·10^(-i/7), i = 0..7, 3,280 "
                               + "epochs); or cosine (to 0 over the run's epochs).",
                               valueName: "constant|iwae|cosine"))
    var lrSchedule: LearningRateSchedule = .constant

    @Flag(help: ArgumentHelp("Aggressive inference training (He et al. 2019): encoder-only steps before each decoder "
                             + "step until the encoder's loss stops improving, until held-out I_q stops rising from "
                             + "one epoch to the next."))
    var aggressive = false

    @Option(name: .customLong("aggressive-inner"),
            help: ArgumentHelp("Most encoder steps before each decoder step while aggressive.",
                               valueName: "N"))
    var aggressiveInner: Int = AggressiveTraining.defaultInnerSteps


    func validate() throws {
        // Each knob's range is checked by its entry in the table (LatentLab's Knob), as the engine checks it.
        for knob in Knob.allCases {
            if let problem = knob.commandLineProblem(knob.value(in: knobs)) { throw ValidationError(problem) }
        }
        if freeBitsGroups < 1 { throw ValidationError("--free-bits-groups must be at least 1, got \(freeBitsGroups)") }
        let layers = try latentSizes()
        let units = layers.reduce(0, +)
        if freeBitsGroups > units {
            throw ValidationError("--free-bits-groups \(freeBitsGroups) exceeds the \(units) latent units")
        }
        if !(warmupStart >= 0 && warmupStart <= 1) {
            throw ValidationError("--warmup-start must be between 0 and 1, got \(warmupStart)")
        }
        if batch < 1 || batch > 100_000 { throw ValidationError("--batch must be between 1 and 100000, got \(batch)") }
        if !(adamEpsilon > 0) { throw ValidationError("--adam-epsilon must be > 0, got \(adamEpsilon)") }
        if let clip, !(clip > 0) { throw ValidationError("--clip must be > 0, got \(clip)") }
        _ = try hiddenSizes()
        _ = try decoderHiddenSizes()
        if !decoder.family.isAutoregressive && (receptiveField != nil || arDropout > 0) {
            throw ValidationError("--receptive-field and --ar-dropout need an autoregressive decoder (--decoder made)")
        }
        if let r = receptiveField, r < 1 { throw ValidationError("--receptive-field must be at least 1, got \(r)") }
        if !(1...AggressiveTraining.maximumInnerSteps).contains(aggressiveInner) {
            throw ValidationError("--aggressive-inner must be between 1 and \(AggressiveTraining.maximumInnerSteps), "
                                  + "got \(aggressiveInner)")
        }
        if minRate > 0 && (posterior != .diag || prior != .normal || layers.count > 1) {
            throw ValidationError("--min-rate holds a diagonal Gaussian q against N(0, I): it needs --posterior diag, "
                                  + "--prior normal and one stochastic layer")
        }
        if !(1...16).contains(flowSteps) {
            throw ValidationError("--flow-steps must be between 1 and 16, got \(flowSteps)")
        }
        if !(1...10_000).contains(flowHidden) {
            throw ValidationError("--flow-hidden must be between 1 and 10000, got \(flowHidden)")
        }
        if !(1...10_000).contains(pseudoInputs) {
            throw ValidationError("--pseudo-inputs must be between 1 and 10000, got \(pseudoInputs)")
        }
    }

    func latentSizes() throws -> [Int] {
        let parts = latent.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && (1...10_000).contains($0!) }) else {
            throw ValidationError("--latent takes sizes between 1 and 10000, comma-separated for stochastic layers "
                                  + "(50, or 100,50), got '\(latent)'")
        }
        return parts.map { $0! }
    }

    func hiddenSizes() throws -> [Int] {
        if hidden.trimmingCharacters(in: .whitespaces).isEmpty { return [] }
        let parts = hidden.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.allSatisfy({ $0 != nil && $0! >= 1 && $0! <= 100_000 }) else {
            throw ValidationError("--hidden must be comma-separated positive sizes like 200,200, got '\(hidden)'")
        }
        return parts.map { $0! }
    }

    func decoderHiddenSizes() throws -> [Int] {
        guard let decoderHidden else { return decoder.family.defaultHidden(encoderHidden: try hiddenSizes()) }
        let parts = decoderHidden.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! >= 1 && $0! <= 100_000 }) else {
            throw ValidationError("--decoder-hidden must be comma-separated positive sizes like 500 or 500,500, "
                                  + "got '\(decoderHidden)'")
        }
        return parts.map { $0! }
    }

    /// The knobs as the options set them.
    var knobs: KnobSettings { KnobSettings(objective: objectiveSettings, learningRate: lr, aggressive: aggressive) }

    var objectiveSettings: ObjectiveSettings {
        ObjectiveSettings(
            kind: objective, k: k, beta: beta,
            freeBits: FreeBits(lambda: freeBits, perUnit: freeBitsPerUnit, groups: freeBitsGroups),
            warmup: KLWarmup(steps: warmup, start: warmupStart, schedule: warmupSchedule),
            conditioningDropout: arDropout, minimumRate: minRate)
    }

    /// `epochs`, when the command has them, is the cosine schedule's length.
    func trainingConfig(inputSize: Int, epochs: Int? = nil) throws -> TrainingConfig {
        let sizes = try hiddenSizes()
        let model = VAEConfig(inputSize: inputSize, encoderHidden: sizes, latentSize: try latentSizes().reduce(0, +),
                              decoderHidden: try decoderHiddenSizes(), activation: activation, posterior: posterior,
                              prior: prior,
                              flowSteps: flowSteps, flowHidden: flowHidden, layers: try latentSizes(),
                              decoder: decoder, receptiveField: receptiveField, pseudoInputs: pseudoInputs)
        if let problem = model.problem { throw ValidationError("cannot build this model: \(problem)") }
        return TrainingConfig(
            model: model, objective: objectiveSettings, batchSize: batch, optimizer: optimizer,
            adam: AdamSettings(learningRate: lr, epsilon: adamEpsilon),
            gradientClip: clip, seed: seed, aggressive: aggressive, aggressiveInner: aggressiveInner,
            learningRateSchedule: lrSchedule, scheduleEpochs: epochs ?? 100)
    }
}

extension ObjectiveKind: ExpressibleByArgument {}
extension FaultInjection: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
extension KLWarmup.Schedule: ExpressibleByArgument {}
extension TrainingConfig.OptimizerKind: ExpressibleByArgument {}
extension Activation: ExpressibleByArgument {}
extension LatentPrior: ExpressibleByArgument {}
extension LatentPosterior: ExpressibleByArgument {}
extension LatentDecoder: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}
