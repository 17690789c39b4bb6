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

    /// The process started again with the wider kernel keeps its name for `ps`, `top` and `pkill vae-tui`:
    /// executed through /proc/self/exe, the kernel named it "exe".
    @Test func theRestartedProcessKeepsItsName() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["train", "--dataset", "shapes", "--epochs", "1000", "--train-limit", "200"]
        process.environment = CLI.environment(["OPENBLAS_CORETYPE": "Prescott", "VAE_TUI_CORETYPE": "Prescott"])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)   // a training run saves at its next step on SIGTERM; no need
            process.waitUntilExit()
        }
        let pid = process.processIdentifier
        // Past the restart: the environment it sets is in the process's own.
        let deadline = Date().addingTimeInterval(30)
        func restarted() -> Bool {
            ((try? String(contentsOfFile: "/proc/\(pid)/environ", encoding: .isoLatin1)) ?? "")
                .split(separator: "\0").contains { $0.hasPrefix("OPENBLAS_CORETYPE=") && !$0.hasSuffix("=Prescott") }
        }
        while !restarted() && process.isRunning && Date() < deadline { usleep(20_000) }
        let version = try CLI.run(["--version"], environment: ["OPENBLAS_CORETYPE": nil, "VAE_TUI_CORETYPE": nil])
        guard (Self.rank(after: "CPU:", in: version.stdout) ?? 0) > 0 else { return }   // Prescott is this CPU's best
        try #require(restarted(), "the process did not restart with a wider kernel")
        let name = try String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)
        #expect(name.trimmingCharacters(in: .whitespacesAndNewlines) == "vae-tui")
    }

    @Test func theUsersCoretypeIsKeptAndNamed() throws {
        let r = try CLI.run(["--version"], environment: ["OPENBLAS_CORETYPE": "Prescott", "VAE_TUI_CORETYPE": nil])
        #expect(r.status == 0, "\(r.stderr)")
        let line = Self.kernelLine(r.stdout)
        #expect(line.contains("kernel Prescott (SSE)") && line.contains("set by OPENBLAS_CORETYPE=Prescott"), "\(line)")
    }
}
