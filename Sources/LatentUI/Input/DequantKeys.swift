import LatentLab

/// The dequantization demo's keys: view options change at once, the model's changes come back as work for the
/// demo's worker; pure, so tests drive it directly.
public enum DequantKeys {
    static let speedLadder = [1, 2, 5, 10, 20, 50, 100]
    static let learningRateLadder: [Float] = [1e-3, 2e-3, 5e-3, 1e-2, 2e-2]
    static let levelsLadder = [4, 8, 16, 32]

    public static let keys: [DemoKey] = [
        DemoKey("n/N/M", "1/10/100 steps", footer: true), DemoKey("space", "run", footer: true),
        DemoKey("v", "dequantizer", footer: true), DemoKey("←↑↓→", "cell", footer: true),
        DemoKey("+ / -", "steps per frame while running up / down"), DemoKey("l / L", "learning rate down / up"),
        DemoKey("s", "data: mixture, smiley, checker (a new model)"),
        DemoKey("[ / ]", "levels L down / up (a new model)"),
        DemoKey("r", "new seed"), DemoKey("q/Esc", "back", footer: true),
    ]

    /// `levels` is the demo's current L, to keep the selected cell on the grid.
    public static func action(for key: Key, options: inout DequantViewOptions,
                              levels: Int) -> DemoKeyAction<DequantDemo> {
        func work(_ w: @escaping DemoWork<DequantDemo>) -> DemoKeyAction<DequantDemo> {
            DemoKeyAction(.handled, work: w)
        }
        func move(_ dx: Int, _ dy: Int) {
            options.cell = (min(max(options.cell.x1 + dx, 0), levels - 1),
                            min(max(options.cell.x2 + dy, 0), levels - 1))
        }
        switch key {
        case .left: move(-1, 0)
        case .right: move(1, 0)
        case .up: move(0, 1)
        case .down: move(0, -1)
        case .escape: return DemoKeyAction(.quit)
        case .character(let ch):
            if let stepping = steppingAction(ch, running: &options.running, speed: &options.speed, speeds: speedLadder,
                                             advance: { (demo: inout DequantDemo, n: Int) in demo.advance(n) }) {
                return stepping
            }
            switch ch {
            case "v": return work { $0.kind = $0.kind == .uniform ? .variational : .uniform; $0.refresh() }
            case "l", "L":
                return work {
                    $0.settings.learningRate = KeyMap.step(learningRateLadder, from: $0.settings.learningRate,
                                                           up: ch == "L")
                }
            case "s":
                return work { demo in
                    let all = DequantDataShape.allCases
                    demo.restart(shape: all[(all.firstIndex(of: demo.shape)! + 1) % all.count])
                }
            case "[", "]":
                let next = KeyMap.step(levelsLadder, from: levels, up: ch == "]")
                options.cell = (min(options.cell.x1, next - 1), min(options.cell.x2, next - 1))
                return work { $0.restart(levels: next) }
            case "r": return work { $0.restart(seed: $0.seed &+ 1) }
            case "q": return DemoKeyAction(.quit)
            default: return DemoKeyAction(.ignored)
            }
        default: return DemoKeyAction(.ignored)
        }
        return DemoKeyAction(.handled)
    }
}
