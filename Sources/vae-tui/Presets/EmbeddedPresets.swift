/// The presets compiled into the binary (SwiftPM's `embedInCode` of `Presets/Files`, a link to assets/presets):
/// a vae-tui copied anywhere lists and uses every one. A new preset file needs its line here; the CLI test
/// `everyPresetFileIsCompiledIn` fails until it has one.
enum EmbeddedPresets {
    static let files: [String: [UInt8]] = [
        "binpack-beta-4": PackageResources.binpack_beta_4_json,
        "binpack-diagonal": PackageResources.binpack_diagonal_json,
        "binpack-flow-prior": PackageResources.binpack_flow_prior_json,
        "binpack-full": PackageResources.binpack_full_json,
        "binpack-iaf": PackageResources.binpack_iaf_json,
        "binpack-iwae-k50": PackageResources.binpack_iwae_k50_json,
        "collapse-aggressive": PackageResources.collapse_aggressive_json,
        "collapse-dropout-0.25": PackageResources.collapse_dropout_0_25_json,
        "collapse-dropout-0.5": PackageResources.collapse_dropout_0_5_json,
        "collapse-factorized": PackageResources.collapse_factorized_json,
        "collapse-free-bits": PackageResources.collapse_free_bits_json,
        "collapse-min-rate": PackageResources.collapse_min_rate_json,
        "collapse-plain": PackageResources.collapse_plain_json,
        "collapse-rf-28": PackageResources.collapse_rf_28_json,
        "collapse-rf-84": PackageResources.collapse_rf_84_json,
        "collapse-warmup": PackageResources.collapse_warmup_json,
        "iaf-diag-af": PackageResources.iaf_diag_af_json,
        "iaf-diag-normal": PackageResources.iaf_diag_normal_json,
        "iaf-iaf-af": PackageResources.iaf_iaf_af_json,
        "iaf-iaf-normal": PackageResources.iaf_iaf_normal_json,
        "iwae-iwae-k1": PackageResources.iwae_iwae_k1_json,
        "iwae-iwae-k5": PackageResources.iwae_iwae_k5_json,
        "iwae-iwae-k50": PackageResources.iwae_iwae_k50_json,
        "iwae-vae-k1": PackageResources.iwae_vae_k1_json,
        "iwae-vae-k5": PackageResources.iwae_vae_k5_json,
        "iwae-vae-k50": PackageResources.iwae_vae_k50_json,
        "iwae2-iwae-k1": PackageResources.iwae2_iwae_k1_json,
        "iwae2-iwae-k5": PackageResources.iwae2_iwae_k5_json,
        "iwae2-iwae-k50": PackageResources.iwae2_iwae_k50_json,
        "iwae2-vae-k1": PackageResources.iwae2_vae_k1_json,
        "iwae2-vae-k5": PackageResources.iwae2_vae_k5_json,
        "iwae2-vae-k50": PackageResources.iwae2_vae_k50_json,
    ]
}
