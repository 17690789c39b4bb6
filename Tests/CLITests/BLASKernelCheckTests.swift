import Foundation
import Testing

/// `vae-tui --version` reports the BLAS kernel the process really runs after the start-up check.
@Suite struct BLASKernelCheckTests {
    /// The unit in "kernel NAME (UNIT)" and in "CPU: … , UNIT", ranked as the engine ranks them.
    static let units = ["SSE", "AVX", "AVX2+FMA", "AVX-512"]

    static func rank(after marker: String, in text: String) -> Int? {
        guard let line = text.split(separator: "\n").first(where: { $0.contains(marker) }) else { return nil }
        return units.indices.last { line.contains($0 == 0 ? "(SSE)" : units[$0]) }
    }

    static func kernelLine(_ text: String) -> String {
        String(text.split(separator: "\n").first { $0.hasPrefix("BLAS:") } ?? "")
    }

    @Test func theKernelInUseIsNotNarrowerThanTheCPU() throws {
        let r = try CLI.run(["--version"], environment: ["OPENBLAS_CORETYPE": nil, "VAE_TUI_CORETYPE": nil])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("OpenBLAS"), "\(r.stdout)")
        let cpu = try #require(Self.rank(after: "CPU:", in: r.stdout), "no vector unit in \(r.stdout)")
        let kernel = try #require(Self.rank(after: "BLAS:", in: r.stdout), "no kernel unit in \(r.stdout)")
        #expect(kernel >= cpu, "\(r.stdout)")
        #expect(!r.stdout.contains("narrower"), "\(r.stdout)")
    }

    @Test func aNarrowKernelTheLibraryChoseIsReplaced() throws {
        // Stands for a CPU the library does not know: it "chose" Prescott by itself.
        let r = try CLI.run(["--version"], environment: ["OPENBLAS_CORETYPE": "Prescott", "VAE_TUI_CORETYPE": "Prescott"])
        #expect(r.status == 0, "\(r.stderr)")
        let cpu = try #require(Self.rank(after: "CPU:", in: r.stdout))
        let line = Self.kernelLine(r.stdout)
        if cpu > 0 {
            #expect(line.contains("set by vae-tui") && !line.contains("kernel Prescott"), "\(line)")
            #expect(try #require(Self.rank(after: "BLAS:", in: r.stdout)) >= cpu, "\(line)")
        }
    }

    @Test func theUsersCoretypeIsKeptAndNamed() throws {
        let r = try CLI.run(["--version"], environment: ["OPENBLAS_CORETYPE": "Prescott", "VAE_TUI_CORETYPE": nil])
        #expect(r.status == 0, "\(r.stderr)")
        let line = Self.kernelLine(r.stdout)
        #expect(line.contains("kernel Prescott (SSE)") && line.contains("set by OPENBLAS_CORETYPE=Prescott"), "\(line)")
    }
}
