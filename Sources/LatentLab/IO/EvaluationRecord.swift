/// The held-out numbers as run-log fields, the same keys in `train`'s epoch records and the dashboard's
/// eval records, so `vae-tui show` reads both alike. Every key is documented in docs/run-directories.md.
extension Evaluation {
    public func logFields(probeBounds: ProbeBounds) -> [(String, JSONValue)] {
        [
            ("test_elbo", .float(elbo)),
            ("distortion", .float(distortion)),
            ("kl", .float(kl)),
            ("active_units", .int(activeUnits)),
            ("kl_layers", .array(klLayers.map { .float($0) })),
            ("active_units_layers", .array(activeUnitsLayers.map { .int($0) })),
            ("mi", .float(mutualInformation)),
            ("mi_ba", .float(mutualInformationBound)),
            ("ll_prior_z", .float(priorLikelihood)),
            ("z_use", .float(zUse)),
            ("kl_per_unit", .array(klPerUnit.map { .float($0) })),
            ("activity", .array(activity.map { .float($0) })),
            ("probe_l1", .float(probeBounds.l1)),
            ("probe_l5", .float(probeBounds.l5)),
            ("probe_l50", .float(probeBounds.l50)),
        ]
    }
}
