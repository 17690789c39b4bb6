import Foundation

/// A metric `vae-tui show` plots, read from a run log's records: `train`'s epoch records and the dashboard's
/// train and eval records carry the same keys.
public enum RunMetric: String, CaseIterable, Sendable {
    case testLoss = "-ELBO test"
    case trainLoss = "train loss"
    case rate = "rate (KL)"
    case distortion
    case activeUnits = "active units"
    case information = "I_q"
    case zUse = "z use"
    case gap = "L50-L1"
    case learningRate = "learning rate"

    /// The value in one record, or nil when the record does not carry it.
    func value(in record: [String: Any]) -> Double? {
        func number(_ key: String) -> Double? { record[key] as? Double ?? (record[key] as? Int).map(Double.init) }
        switch self {
        case .testLoss: return number("test_elbo").map { -$0 }
        case .trainLoss: return number("train_loss")
        case .rate: return number("kl")
        case .distortion: return number("distortion")
        case .activeUnits: return number("active_units")
        case .information: return number("mi")
        case .zUse: return number("z_use")
        case .gap: return number("probe_l50").flatMap { l50 in number("probe_l1").map { l50 - $0 } }
        case .learningRate: return number("lr")
        }
    }

    /// A file-name form: `-elbo-test`, `rate-kl`.
    public var slug: String {
        rawValue.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
            .split(separator: "-").joined(separator: "-")
    }
}

/// One run as its log tells it: the model, every metric over steps, its path in the rate-distortion plane, the
/// last KL per unit, and the knob changes. Reads `metrics.jsonl` (a run directory) or any JSONL run log, and
/// with `update` reads on from where it stopped, so a run still training can be followed.
public struct RunHistory: Sendable {
    public let name: String
    public let path: String
    public private(set) var parts = ""
    public private(set) var series: [RunMetric: [CurvePoint]] = [:]
    public private(set) var klPerUnit: [Float] = []
    public private(set) var activity: [Float] = []
    /// The rate-distortion plane's points: training batches' from the dashboard's `train` records, held-out
    /// ones from `eval` and `epoch` records (an old run's log has them too).
    public private(set) var trainPlane: [RateDistortionPoint] = []
    public private(set) var heldOutPlane: [RateDistortionPoint] = []
    /// The knob changes: their step and "beta 0.5"-style labels.
    public private(set) var commands: [CurveMarker] = []
    public private(set) var lastStep = 0
    /// Bytes of the log read so far; a trailing line still being written waits for the next `update`.
    private var offset: UInt64 = 0

    /// Opens a run directory (its `metrics.jsonl`) or a log file.
    public init(path: String) throws(CheckpointError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CheckpointError("\(path): no such run directory or log")
        }
        self.path = isDirectory.boolValue ? path + "/metrics.jsonl" : path
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        name = isDirectory.boolValue ? (trimmed as NSString).lastPathComponent
            : ((trimmed as NSString).lastPathComponent as NSString).deletingPathExtension
        guard FileManager.default.fileExists(atPath: self.path) else {
            throw CheckpointError("\(self.path): the run has no log")
        }
        try update()
    }

    /// Reads the records appended since the last call; true when there were any.
    @discardableResult
    public mutating func update() throws(CheckpointError) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CheckpointError("\(path): cannot read the log")
        }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: offset)
        } catch {
            throw CheckpointError("\(path): cannot read the log")
        }
        guard let data = try? handle.readToEnd(), let end = data.lastIndex(of: UInt8(ascii: "\n")) else { return false }
        let complete = data[data.startIndex...end]
        offset += UInt64(complete.count)
        for line in complete.split(separator: UInt8(ascii: "\n")) {
            guard let record = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { continue }
            read(record)
        }
        return true
    }

    /// The metrics this run has points for, in the menu's order.
    public var metrics: [RunMetric] { RunMetric.allCases.filter { !(series[$0] ?? []).isEmpty } }

    private mutating func read(_ record: [String: Any]) {
        let event = record["event"] as? String
        let step = record["step"] as? Int ?? lastStep
        lastStep = max(lastStep, step)
        switch event {
        case "start":
            parts = record["parts"] as? String ?? parts
        case "command":
            guard let command = record["command"] as? String, command != "quit", command != "save" else { return }
            let value = record["value"].map { "\($0)" }.map { $0 == "<null>" ? "" : " " + $0 } ?? ""
            commands.append(CurveMarker(step: step, label: command + value))
        case "epoch", "eval", "train":
            for metric in RunMetric.allCases {
                guard let v = metric.value(in: record) else { continue }
                series[metric, default: []].append(CurvePoint(step: step, value: Float(v)))
            }
            if let point = Self.planePoint(record, step: step, rate: "train_rate", distortion: "train_distortion") {
                trainPlane.append(point)
            }
            if let point = Self.planePoint(record, step: step, rate: "kl", distortion: "distortion") {
                heldOutPlane.append(point)
            }
            if let units = record["kl_per_unit"] as? [Double] {
                klPerUnit = units.map(Float.init)
                activity = (record["activity"] as? [Double])?.map(Float.init) ?? []
            }
        default:
            return
        }
    }

    /// The (R, D) a record carries under these keys, if it has both.
    private static func planePoint(_ record: [String: Any], step: Int, rate: String,
                                   distortion: String) -> RateDistortionPoint? {
        func number(_ key: String) -> Float? {
            (record[key] as? Double).map(Float.init) ?? (record[key] as? Int).map(Float.init)
        }
        guard let r = number(rate), let d = number(distortion) else { return nil }
        return RateDistortionPoint(step: step, rate: r, distortion: d)
    }
}
