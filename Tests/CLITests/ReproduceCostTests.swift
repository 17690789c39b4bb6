import Foundation
import Testing
@testable import vae_tui

/// `reproduce --cost`: the arithmetic from measured rates to CPU-hours and wall times, and the command on the shapes.
@Suite struct ReproduceCostTests {
    /// The longest row first, each on the slot that frees first.
    @Test func wallTimeWithTasksInParallel() {
        let rows = [5.0, 3, 3, 2, 2, 1]
        #expect(Reproduce.makespan(rows, tasks: 1) == 16)
        #expect(Reproduce.makespan(rows, tasks: 2) == 8)
        #expect(Reproduce.makespan(rows, tasks: 12) == 5)
        #expect(Reproduce.makespan(rows, tasks: 24) == 5)
    }

    /// 3,280 epochs of 60,000 images at 65,600 images/s are 50/60 h of training; 0.5 s of evaluation an epoch
    /// 0.456 h; an NLL of 36 s 0.01 h: 1.30 h in all, on one thread as many CPU-hours.
    @Test func cpuHoursFromTheMeasuredRates() {
        let row = Reproduce.RowCost(name: "iwae-vae-k1", objective: "VAE, k = 1", layers: "50", batch: 20, epochs: 3280,
                                    trainImages: 60000, threads: 1, imagesPerSecond: 65600, evaluationSeconds: 0.5,
                                    nllSeconds: 36)
        #expect(abs(row.trainingHours - 3280.0 * 60000 / 65600 / 3600) < 1e-9)
        #expect(abs(row.cpuHours - (3280.0 * 60000 / 65600 + 3280 * 0.5 + 36) / 3600) < 1e-9)
        var two = row
        two.threads = 2
        #expect(abs(two.cpuHours - 2 * row.cpuHours) < 1e-9, "a task's CPUs all count")
        let table = Reproduce.costMarkdown([row, two], nllImages: 1000, nllK: 5000)
        #expect(table.contains("| iwae-vae-k1 | VAE, k = 1 | 50 | 20 | 3280 × 60000 | 65600 | 0.83 | 0.46 | 0.01 | 1.3 |"), "\(table)")
        #expect(table.contains("| **total** | | | | | | | | | **3.9** |"), "\(table)")
        #expect(table.contains("Wall time, 1 task at once: 2.6 h (0.1 days); 12 tasks at once: 1.3 h (0.1 days) "
                               + "(the longest row: one task per row); 24 tasks at once: 1.3 h"), "\(table)")
    }

    /// Measured for real on the shapes: the machine named, each row timed at its preset's batch and k.
    @Test func theCommandMeasuresEachRow() throws {
        let run = try CLI.run(["reproduce", "iwae", "--cost", "--rows", "iwae-vae-k1,iwae-iwae-k5", "--cost-seconds", "0.2",
                               "--train-limit", "400", "--nll-k", "20"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("BLAS: ") && run.stdout.contains("\nCPU: "), "\(run.stdout)")
        #expect(run.stdout.contains(#/\| iwae-vae-k1 \| VAE, k = 1 \| 50 \| 20 \| 3280 × 400 \| \d+ \|/#), "\(run.stdout)")
        #expect(run.stdout.contains(#/\| iwae-iwae-k5 \| IWAE, k = 5 \| 50 \| 20 \| 3280 × 400 \| \d+ \|/#), "\(run.stdout)")
        #expect(run.stdout.contains("| **total** |") && run.stdout.contains("Wall time, 1 task at once: "))
    }
}
