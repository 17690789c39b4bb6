import LatentLab

/// The objects written to the JSONL run log. Every key is documented in docs/run-directories.md.
enum RunRecords {
    static func start(trainer: Trainer, epochs: Int, threads: Int) -> [(String, JSONValue)] {
        let c = trainer.config
        return [
            ("event", .string("start")),
            ("dataset", .string(trainer.data.name)),
            ("model", .string(c.model.summary)),
            ("parts", .string(trainer.model.description)),
            ("receptive_field", trainer.model.likelihood.receptiveFieldPixels.map { .int($0) } ?? .null),
            ("objective", .string(c.objective.kind.rawValue)),
            ("k", .int(c.objective.k)),
            ("beta", .float(c.objective.beta)),
            ("free_bits", .float(c.objective.freeBits.lambda)),
            ("warmup", .int(c.objective.warmup.steps)),
            ("batch", .int(c.batchSize)),
            ("lr", .float(c.adam.learningRate)),
            ("lr_schedule", .string(c.learningRateSchedule.rawValue)),
            ("seed", .int(Int(c.seed))),
            ("threads", .int(threads)),
            ("epochs", .int(epochs)),
            ("version", .string(Program.version)),
        ] + Platform.fields
    }

    static func epoch(epoch: Int, trainer: Trainer, summary: EpochSummary, eval: Evaluation,
                      probeBounds: ProbeBounds) -> [(String, JSONValue)] {
        [
            ("event", .string("epoch")),
            ("epoch", .int(epoch)),
            ("step", .int(trainer.step)),
            ("train_objective", .number(summary.objective)),
            ("train_loss", .number(summary.loss)),
        ] + eval.logFields(probeBounds: probeBounds) + [
            ("kl_weight", .float(trainer.objective.klWeight(atStep: trainer.step))),
            ("lr", .float(trainer.learningRate)),
            ("ar_dropout", .float(trainer.objective.conditioningDropout)),
            ("min_rate", .float(trainer.objective.minimumRate)),
            ("aggressive", .bool(trainer.aggressive.inPhase)),
            ("aggressive_inner_steps", .int(trainer.aggressive.lastInnerSteps)),
            ("nonfinite_steps", .int(trainer.nonFiniteSteps)),
            ("recoveries", .int(trainer.recoveries)),
            ("samples_per_s", .number(summary.samplesPerSecond)),
            ("seconds", .number(summary.seconds)),
        ]
    }
}
