import Foundation
import Testing

/// A tmux session ends everything it started, whether its test passes or fails: the server, the dashboard
/// training in it, and the socket's folder are gone once `Tmux.running` returns or throws.
@Suite(.serialized, .enabled(if: Tmux.available, "needs tmux"))
struct TmuxTeardownTests {
    /// What a session started, seen from inside it.
    struct Started {
        var server: pid_t = 0, app: pid_t = 0, all: [pid_t] = [], socket = ""
    }

    /// A dashboard left training when the body ends: by returning (a passing test), or by a wait that times out
    /// (a failing one; the error is caught here, so this test's own outcome is the assertions that follow).
    static func session(failing: Bool) throws -> Started {
        var started = Started()
        do {
            try Tmux.running("run --train-limit 500 --validation 100 --latent 4 --hidden 16") { tmux, _ in
                _ = try tmux.waitFor("training") { (Tmux.step(in: $0) ?? 0) > 0 }
                let app = try #require(tmux.descendants().first { $0.name == "vae-tui" }, "the dashboard under the server")
                started = Started(server: tmux.serverPID, app: app.pid, all: tmux.descendants().map(\.pid), socket: tmux.socket)
                #expect(kill(started.server, 0) == 0 && app.isRunning, "both alive when the body ends")
                if failing { _ = try tmux.waitFor("a screen that never comes", timeout: 1) { _ in false } }
            }
        } catch is TimeoutError where failing {}
        return started
    }

    @Test(arguments: [false, true])
    func aSessionEndsItsProcessesAndRemovesItsSocket(failing: Bool) throws {
        let started = try Self.session(failing: failing)
        #expect(started.server > 0 && started.app > 0 && started.all.contains(started.app))
        for pid in [started.server] + started.all {
            let gone = kill(pid, 0) == -1 && errno == ESRCH
            #expect(gone, "pid \(pid) (\(pid == started.server ? "the tmux server" : pid == started.app ? "vae-tui" : "under the server")) still exists")
        }
        #expect(!started.socket.isEmpty && !FileManager.default.fileExists(atPath: started.socket))
        #expect(!FileManager.default.fileExists(atPath: URL(fileURLWithPath: started.socket).deletingLastPathComponent().path),
                "the socket's folder is removed")
    }

    /// A program deaf to the hangup and to SIGTERM (as the leftover interactive shells were to SIGTERM) outlives
    /// kill-server: the session kills it.
    @Test func aProgramThatIgnoresTheHangupIsKilled() throws {
        var started: [ProcessEntry] = []
        try Tmux.session("trap '' HUP TERM; \(Tmux.bounded) sleep 600") { tmux in
            let deadline = Date().addingTimeInterval(10)
            while !started.contains(where: { $0.name == "sleep" }) && Date() < deadline {
                usleep(20_000)
                started = tmux.descendants()
            }
        }
        #expect(started.contains { $0.name == "sleep" })
        for process in started {
            let gone = kill(process.pid, 0) == -1 && errno == ESRCH
            #expect(gone, "\(process.pid) still exists")
        }
    }
}
