import Testing
@testable import LatentLab

/// The start-up decision about OpenBLAS's kernel, as a pure function of the CPU, the kernel and the environment.
@Suite struct BLASKernelTests {
    static let sapphireRapids = CPUInfo(vendor: "GenuineIntel", modelName: "Intel Xeon", family: 6, model: 207, vectorUnit: .avx512, bf16: true)
    static let zen3 = CPUInfo(vendor: "AuthenticAMD", modelName: "AMD EPYC", family: 25, model: 1, vectorUnit: .avx2, bf16: false)
    static let all: @Sendable (String) -> Bool = { _ in true }

    @Test func coreNamesMapToTheirVectorUnits() {
        #expect(BLASKernel.vectorUnit(ofCore: "Prescott") == .sse)
        #expect(BLASKernel.vectorUnit(ofCore: "Sandybridge") == .avx)
        #expect(BLASKernel.vectorUnit(ofCore: "Haswell") == .avx2)
        #expect(BLASKernel.vectorUnit(ofCore: "zen") == .avx2)
        #expect(BLASKernel.vectorUnit(ofCore: "SkylakeX") == .avx512)
        #expect(BLASKernel.vectorUnit(ofCore: "Cooperlake") == .avx512)
    }

    @Test func aLibraryThatFellBackToSSERestartsOnTheWidestKernel() {
        #expect(BLASKernel.plan(cpu: Self.sapphireRapids, kernel: "Prescott", environment: [:], available: Self.all)
                == .restart(coretype: "Cooperlake"))
        // An older library without Cooperlake gets SkylakeX, the next that fits.
        #expect(BLASKernel.plan(cpu: Self.sapphireRapids, kernel: "Prescott", environment: [:], available: { $0 != "Cooperlake" })
                == .restart(coretype: "SkylakeX"))
        #expect(BLASKernel.plan(cpu: Self.zen3, kernel: "Prescott", environment: [:], available: Self.all) == .restart(coretype: "Zen"))
    }

    @Test func aKernelThatFitsIsKept() {
        #expect(BLASKernel.plan(cpu: Self.sapphireRapids, kernel: "SkylakeX", environment: [:], available: Self.all) == .keep)
        #expect(BLASKernel.plan(cpu: Self.zen3, kernel: "Haswell", environment: [:], available: Self.all) == .keep)
        // Nothing wider in the library: nothing to do.
        #expect(BLASKernel.plan(cpu: Self.sapphireRapids, kernel: "Haswell", environment: [:], available: { _ in false }) == .keep)
    }

    @Test func theUsersCoretypeIsKeptWhateverItIs() {
        let env = ["OPENBLAS_CORETYPE": "Prescott"]
        #expect(BLASKernel.plan(cpu: Self.sapphireRapids, kernel: "Prescott", environment: env, available: Self.all) == .userChoice("Prescott"))
    }

    @Test func aCoretypeVaeTuiSetIsNotTakenForTheUsersAndIsTriedOnlyOnce() {
        // Set by vae-tui (the marker agrees) yet still narrow: replaced, the simulation the README describes.
        let simulated = ["OPENBLAS_CORETYPE": "Prescott", "VAE_TUI_CORETYPE": "Prescott"]
        #expect(BLASKernel.plan(cpu: Self.sapphireRapids, kernel: "Prescott", environment: simulated, available: Self.all)
                == .restart(coretype: "Cooperlake"))
        // After the restart the library refused Cooperlake: no second restart, no loop.
        let refused = ["OPENBLAS_CORETYPE": "Cooperlake", "VAE_TUI_CORETYPE": "Cooperlake"]
        #expect(BLASKernel.plan(cpu: Self.sapphireRapids, kernel: "Prescott", environment: refused, available: Self.all) == .keep)
        #expect(BLASKernel.plan(cpu: Self.sapphireRapids, kernel: "Prescott", environment: ["VAE_TUI_BLAS_CHECK": "off"], available: Self.all) == .keep)
    }
}
