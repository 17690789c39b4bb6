import Foundation

/// A tmux server of our own, on a socket in a folder of its own. Sessions are scoped: `session` and `running`
/// end the server and everything it started when their body returns or throws (a failed test included), then
/// remove the socket's folder.
final class Tmux {
    let socket: String
    /// The server's process id, read once it has started.
    private(set) var serverPID: pid_t = 0

    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") }

    /// The longest a program started in a session may run: killed (not asked) after it, so a test runner that
    /// dies mid-test (its teardown never run) leaves no dashboard training for long.
    static let lifetimeSeconds = 300
    /// The prefix that bounds a program's life: `--foreground` keeps it in the terminal's process group.
    static let bounded = "timeout --foreground -s KILL \(lifetimeSeconds)"

    private init() { socket = CLI.temporaryDirectory() + "/tmux.sock" }

    /// `command` (a shell command line) in a new session, for the length of `body`.
    static func session<R>(_ command: String, width: Int = 120, height: Int = 40, _ body: (Tmux) throws -> R) throws -> R {
        let tmux = Tmux()
        defer { tmux.end() }
        try tmux.start(command, width: width, height: height)
        return try body(tmux)
    }

    /// `vae-tui ARGUMENTS` (the `executable` given, else the built one), bounded, run in `dir`; its exit status goes
    /// to the file `body` is given, as EXIT=n.
    static func running<R>(_ arguments: String, in dir: String = CLI.temporaryDirectory(), executable: String = CLI.binary,
                           width: Int = 120, height: Int = 40, _ body: (Tmux, _ status: String) throws -> R) throws -> R {
        let status = dir + "/status"
        return try session("cd \(dir) && \(bounded) \(executable) \(arguments); echo EXIT=$? > \(status)", width: width, height: height) {
            try body($0, status)
        }
    }

    /// Runs `command` in a new session; the pane stays open for 30 s after it ends, so the restored screen can
    /// still be read.
    private func start(_ command: String, width: Int, height: Int) throws {
        try "set -g default-terminal tmux-256color\n".write(toFile: socket + ".conf", atomically: true, encoding: .utf8)
        run(["new-session", "-d", "-s", "t", "-x", "\(width)", "-y", "\(height)", "sh", "-c", command + "; sleep 30"])
        guard let pid = pid_t(run(["display-message", "-p", "#{pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TmuxError(description: "no tmux server answered on \(socket)")
        }
        serverPID = pid
    }

    /// Ends the server and every process under it, then removes the socket's folder. kill-server first (the
    /// programs see the terminal hang up); whatever still runs a moment later is killed.
    private func end() {
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: socket).deletingLastPathComponent().path) }
        let started = serverPID > 0 ? [ProcessEntry.of(serverPID)].compactMap { $0 } + descendants() : []
        run(["kill-server"])
        ProcessEntry.waitUntilGone(started, seconds: 2)
        for process in started where process.isRunning { kill(process.pid, SIGKILL) }
        ProcessEntry.waitUntilGone(started, seconds: 10)
    }

    /// The processes under the server now: the pane's shell, and what it started.
    func descendants() -> [ProcessEntry] { ProcessEntry.descendants(of: serverPID) }

    /// Runs a tmux command and returns what it printed. Spawned with posix_spawn and reaped with waitpid:
    /// Foundation's Process never reaps the client that forks the tmux server, and hangs. The signal mask and
    /// handlers are reset: a test runs on a thread that blocks SIGTERM and SIGHUP, and a server that inherited
    /// that mask ignored kill-server. The environment is the one `CLI.environment` gives the binary.
    @discardableResult
    func run(_ arguments: [String]) -> String {
        let outPath = socket + ".out"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ["/usr/bin/tmux", "-S", socket, "-f", socket + ".conf"] + arguments
        let env = CLI.environment(["TERM": "xterm-256color"]).map { "\($0.key)=\($0.value)" }
        var cArgv = argv.map { strdup($0) } + [nil]
        var cEnv = env.map { strdup($0) } + [nil]
        defer { (cArgv + cEnv).forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, argv[0], &actions, &attributes, &cArgv, &cEnv) == 0 else { return "" }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    }

    func capture() -> String { run(["capture-pane", "-p", "-t", "t"]) }
    /// The screen with its colours as escape sequences: what tells one half-block image from another.
    func captureWithColours() -> String { run(["capture-pane", "-e", "-p", "-t", "t"]) }
    func send(_ key: String) { run(["send-keys", "-t", "t", key]) }

    /// Pastes `count` copies of `character`, sends `key`, and waits for `status` to record the exit: the exit
    /// status line and the seconds it took from the key (a screen that paints a frame a key falls seconds behind).
    func exit(afterPasting count: Int, of character: String, then key: String, status: String) throws
        -> (exit: String, seconds: Double) {
        run(["send-keys", "-t", "t", "-l", String(repeating: character, count: count)])
        send(key)
        let sent = ContinuousClock.now
        let exit = try Tmux.waitForFile(status) { $0.contains("EXIT=") }
        return (exit.trimmingCharacters(in: .whitespacesAndNewlines), (ContinuousClock.now - sent) / .seconds(1))
    }
    func resize(width: Int, height: Int) { run(["resize-window", "-t", "t", "-x", "\(width)", "-y", "\(height)"]) }

    /// Polls the screen until `condition` holds, for up to `timeout` seconds.
    func waitFor(_ what: String, timeout: Double = 60, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = capture()
            if condition(screen) { return screen }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TimeoutError(description: "timed out waiting for \(what); screen was:\n\(screen)")
    }

    static func waitForFile(_ path: String, timeout: Double = 30, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), condition(text) { return text }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TimeoutError(description: "timed out waiting for \(path): \((try? String(contentsOfFile: path, encoding: .utf8)) ?? "missing")")
    }

    /// The number after "step " in the status line.
    static func step(in screen: String) -> Int? {
        guard let first = screen.split(separator: "\n").first, let range = first.range(of: "step ") else { return nil }
        return Int(first[range.upperBound...].prefix { $0.isNumber })
    }

    static func line(containing text: String, in screen: String) -> String? {
        screen.split(separator: "\n").first { $0.contains(text) }.map(String.init)
    }
}

/// A process as /proc shows it; its start time tells it from a later process given the same id.
struct ProcessEntry: Equatable {
    let pid: pid_t
    let parent: pid_t
    /// The program's name (its first 15 characters).
    let name: Substring
    let state: Substring
    let startTime: Substring

    /// The entry of `pid` (a zombie's too), nil when there is no such process.
    static func of(_ pid: pid_t) -> ProcessEntry? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")   // fields 3 (the state) on
        guard fields.count > 19, let parent = pid_t(fields[1]) else { return nil }
        return ProcessEntry(pid: pid, parent: parent, name: stat[stat.index(after: open)..<close], state: fields[0], startTime: fields[19])
    }

    /// Every process whose chain of parents reaches `root`.
    static func descendants(of root: pid_t) -> [ProcessEntry] {
        let all = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }.compactMap(of)
        var found: [ProcessEntry] = [], parents: Set<pid_t> = [root]
        while let next = all.first(where: { parents.contains($0.parent) && !found.contains($0) }) {
            found.append(next)
            parents.insert(next.pid)
        }
        return found
    }

    /// Still this process (not a later one given its id), and not a zombie.
    var isRunning: Bool { Self.of(pid).map { $0.startTime == startTime && $0.state != "Z" } ?? false }

    /// Exited and reaped: kill(pid, 0) finds no such process (or another one, which has its id now).
    var isGone: Bool { Self.of(pid)?.startTime != startTime }

    /// Waits up to `seconds` for every one of `processes` to be gone.
    static func waitUntilGone(_ processes: [ProcessEntry], seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline && !processes.allSatisfy(\.isGone) { usleep(20_000) }
    }
}

struct TimeoutError: Error, CustomStringConvertible {
    let description: String
}

struct TmuxError: Error, CustomStringConvertible {
    let description: String
}
