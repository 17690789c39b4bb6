import LatentLab

/// A demo on screen: the one shape every demo has, so the `demo` command and the dashboard's d menu run
/// them all through one loop. The demo's model lives on a `DemoWorker`; the UI thread only renders its
/// latest snapshot and queues work, so a key press never waits for a training step or an evaluation.
public protocol Demo: AnyObject {
    /// Every key with what it does: the help overlay shows them all, the footer those marked for it.
    var keys: [DemoKey] { get }
    /// Milliseconds the loop waits for a key before it calls `tick`.
    var frameInterval: Int32 { get }
    func render(width: Int, height: Int) -> Canvas
    func handle(_ key: Key) -> DemoKeyOutcome
    /// No key came within the frame interval: a running demo queues its next steps here.
    func tick()
    /// Waits for the queued work to finish (tests read the result after it).
    func settle()
    /// Leaves the screen: drops the work not yet started and waits for the work running.
    func close()
}

/// What a demo did with a key: the screen loop returns to its caller on `.quit`.
public enum DemoKeyOutcome: Equatable, Sendable { case handled, ignored, quit }

/// A demo's key: `keys` as shown ("n/N/M"), its `action`, and whether the footer names it.
public struct DemoKey: Equatable, Sendable {
    public let keys: String
    public let action: String
    public let inFooter: Bool
    public init(_ keys: String, _ action: String, footer: Bool = false) {
        self.keys = keys
        self.action = action
        inFooter = footer
    }

    /// The footer line: the marked keys, "n/N 1/10 steps · space run/stop · …".
    public static func footer(_ keys: [DemoKey]) -> String {
        keys.filter(\.inFooter).map { "\($0.keys) \($0.action)" }.joined(separator: " · ")
    }

    /// The help overlay's rows.
    public static func help(_ keys: [DemoKey]) -> [(keys: String, action: String)] { keys.map { ($0.keys, $0.action) } }

    /// The keys every demo's loop answers itself.
    public static let common = [DemoKey("S", "save the screen as SVG and text (in screenshots/)"),
                                DemoKey("? / F1", "this help")]
}

/// A key's effect: the outcome, and the work it asks of the model (queued on the demo's worker).
public struct DemoKeyAction<Model> {
    public var outcome: DemoKeyOutcome
    public var work: DemoWork<Model>?
    public init(_ outcome: DemoKeyOutcome, work: DemoWork<Model>? = nil) {
        self.outcome = outcome
        self.work = work
    }
}

/// The stepping keys the bin-packing and dequantization demos share: n, N and M take 1, 10 and 100 steps,
/// space runs and pauses, + and - change the steps a running frame takes. Nil for any other key.
func steppingAction<Model>(_ ch: Character, running: inout Bool, speed: inout Int, speeds: [Int],
                           advance: @escaping @Sendable (inout Model, Int) -> Void) -> DemoKeyAction<Model>? {
    switch ch {
    case "n", "N", "M":
        let count = ch == "n" ? 1 : ch == "N" ? 10 : 100
        return DemoKeyAction(.handled) { advance(&$0, count) }
    case " ": running.toggle()
    case "+", "=": speed = KeyMap.step(speeds, from: speed, up: true)
    case "-": speed = KeyMap.step(speeds, from: speed, up: false)
    default: return nil
    }
    return DemoKeyAction(.handled)
}
