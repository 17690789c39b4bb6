import Foundation
import Testing

/// `reproduce --slurm` submitting, with stand-ins for sbatch: the two scripts written into the parent, the array
/// submitted first and the collect job after it with the array's id, the ids kept for `--status`; and each way
/// the submission can fail, in one line.
@Suite struct SlurmSubmissionTests {
    /// A directory with an `sbatch` that runs `body` (sh), for PATH.
    static func sbatch(_ body: String) throws -> String {
        let bin = CLI.temporaryDirectory()
        try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: bin + "/sbatch"))
        chmod(bin + "/sbatch", 0o755)
        return bin
    }

    @Test func theArrayThenTheCollectJobAfterIt() throws {
        let dir = CLI.temporaryDirectory(), parent = dir + "/t", calls = dir + "/calls"
        // The first call is the array (101), the second the collect job (102, as a federated cluster prints it).
        let bin = try Self.sbatch("echo \"$@\" >> \(calls)\n[ \"$(wc -l < \(calls))\" -eq 1 ] && echo 101 || echo '102;cluster'")
        let run = try CLI.run(["reproduce", "iaf", "--slurm", "--rows", "iaf-diag-normal,iaf-diag-af", "--partition", "debug",
                               "--dir", parent, "--epochs", "2"], environment: ["PATH": bin + ":/usr/bin:/bin"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("submitted the iaf table's 2 row(s) as job array 101")
                && run.stdout.contains("the collect job 102 to run after it")
                && run.stdout.contains("\(parent) must be on a file system every node sees"), "\(run.stdout)")
        let submitted = try String(contentsOfFile: calls, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(submitted == ["--parsable \(parent)/slurm-rows.sbatch",
                              "--parsable --dependency=afterany:101 \(parent)/slurm-collect.sbatch"])
        let rows = try String(contentsOfFile: parent + "/slurm-rows.sbatch", encoding: .utf8)
        #expect(rows.contains("#SBATCH --array=0-1%2\n") && rows.contains("#SBATCH --partition=debug\n"))
        #expect(rows.contains(" reproduce iaf --row \"$row\" --dir \(parent) --threads 1 --epochs 2 --dataset shapes &"),
                "\(rows)")
        #expect(try String(contentsOfFile: parent + "/slurm-collect.sbatch", encoding: .utf8)
            .contains(" reproduce iaf --collect --dir \(parent) --threads 1 --epochs 2 --rows iaf-diag-normal,iaf-diag-af\n"))
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: parent + "/logs", isDirectory: &isDirectory) && isDirectory.boolValue)
        let jobs = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: parent + "/slurm-jobs.json"))) as? [String: String])
        #expect(jobs == ["array": "101", "collect": "102"])
    }

    @Test func aSubmissionThatCannotBeMadeSaysWhy() throws {
        let dir = CLI.temporaryDirectory()
        let refusing = try Self.sbatch("echo 'sbatch: error: invalid partition specified: gpu' >&2\nexit 1")
        let refused = try CLI.run(["reproduce", "iaf", "--slurm", "--partition", "gpu", "--dir", dir + "/a"],
                                  environment: ["PATH": refusing + ":/usr/bin:/bin"])
        #expect(refused.status == 1 && refused.stderr == "vae-tui: error: sbatch refused the rows' job array (status 1): "
                + "sbatch: error: invalid partition specified: gpu\n", "\(refused.stderr)")
        // The array accepted, the collect job refused: the array's id named, with how to withdraw it or collect later.
        let half = try Self.sbatch("[ -e \(dir)/once ] && { echo 'sbatch: error: dependency' >&2; exit 1; }\n"
                                   + "touch \(dir)/once\necho 55")
        let collectRefused = try CLI.run(["reproduce", "iaf", "--slurm", "--dir", dir + "/b"], environment: ["PATH": half + ":/usr/bin:/bin"])
        #expect(collectRefused.status == 1 && collectRefused.stderr.contains("sbatch refused the collect job")
                && collectRefused.stderr.contains("`scancel 55` withdraws it"), "\(collectRefused.stderr)")
        let none = try CLI.run(["reproduce", "iaf", "--slurm", "--dir", dir + "/c"], environment: ["PATH": dir])
        #expect(none.status == 1 && none.stderr.contains("sbatch is not on PATH"), "\(none.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/c/slurm-rows.sbatch"), "nothing written without sbatch")
    }
}
