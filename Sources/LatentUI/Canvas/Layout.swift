/// How much of a row or column one part of a layout takes, the least it is useful at, and how much it
/// matters: when space is short, lower priorities give way first (as ratatui's constraints do).
public struct Constraint: Equatable, Sendable {
    public enum Size: Equatable, Sendable {
        /// Exactly this many cells.
        case length(Int)
        /// This percentage of the whole row or column.
        case percent(Int)
        /// numerator / denominator of the whole.
        case ratio(Int, Int)
        /// A share, by weight, of whatever the other parts leave.
        case fill(Int)
    }

    public var size: Size
    /// The fewest cells the part is drawn in: it never asks for less, shrinks to this before any part is
    /// dropped, and below it vanishes (size 0) rather than being drawn cut.
    public var minimum: Int
    /// Higher keeps its cells longer.
    public var priority: Int

    public init(_ size: Size, minimum: Int = 0, priority: Int = 0) {
        self.size = size
        self.minimum = Swift.max(0, minimum)
        self.priority = priority
    }

    /// A fixed size: by default it does not shrink, it is shown whole or not at all.
    public static func length(_ n: Int, min: Int? = nil, priority: Int = 0) -> Constraint {
        Constraint(.length(n), minimum: min ?? n, priority: priority)
    }

    public static func percent(_ p: Int, min: Int = 0, priority: Int = 0) -> Constraint {
        Constraint(.percent(p), minimum: min, priority: priority)
    }

    public static func ratio(_ numerator: Int, _ denominator: Int, min: Int = 0, priority: Int = 0) -> Constraint {
        Constraint(.ratio(numerator, denominator), minimum: min, priority: priority)
    }

    public static func fill(_ weight: Int = 1, min: Int = 0, priority: Int = 0) -> Constraint {
        Constraint(.fill(weight), minimum: min, priority: priority)
    }

    /// At least `n` cells, and whatever is left over beside the others.
    public static func min(_ n: Int, priority: Int = 0) -> Constraint { .fill(1, min: n, priority: priority) }

    /// What the part asks for out of `total`: never less than its minimum; a fill asks only for its minimum.
    func wanted(of total: Int) -> Int {
        let asked = switch size {
        case .length(let n): n
        case .percent(let p): total * p / 100
        case .ratio(let a, let b): b == 0 ? 0 : total * a / b
        case .fill: 0
        }
        return Swift.max(minimum, asked)
    }

    var weight: Int {
        if case .fill(let w) = size { return Swift.max(0, w) }
        return 0
    }
}

/// Splits a rectangle into rows or columns by constraints. Pure: the screens lay out their panes with it
/// instead of adding and subtracting widths by hand.
///
/// When the parts want more than there is, they give way in two rounds, lowest priority first (and,
/// within a priority, the later part first): every part shrinks towards its minimum, then whole parts
/// vanish. Cells a vanished part frees go back to the parts that shrank (highest priority first); what is
/// still left goes to the fills, by weight. Without fills, spare cells stay unused at the end.
public enum Layout {
    public static func rows(_ rect: Rect, _ parts: [Constraint]) -> [Rect] {
        var y = rect.y
        return sizes(rect.height, parts).map { h in
            defer { y += h }
            return Rect(x: rect.x, y: y, width: rect.width, height: h)
        }
    }

    public static func columns(_ rect: Rect, _ parts: [Constraint]) -> [Rect] {
        var x = rect.x
        return sizes(rect.width, parts).map { w in
            defer { x += w }
            return Rect(x: x, y: rect.y, width: w, height: rect.height)
        }
    }

    /// The size of each part out of `total` cells (a negative total counts as none); they never add up to
    /// more than the total.
    public static func sizes(_ total: Int, _ parts: [Constraint]) -> [Int] {
        let total = Swift.max(0, total)
        let wanted = parts.map { $0.wanted(of: total) }
        var size = wanted
        // Lowest priority first; within a priority, the last part first.
        let order = parts.indices.sorted { (parts[$0].priority, -$0) < (parts[$1].priority, -$1) }
        var excess = size.reduce(0, +) - total
        for priority in Set(parts.map(\.priority)).sorted() where excess > 0 {
            let group = order.filter { parts[$0].priority == priority }
            var shrinking = true
            while excess > 0 && shrinking {  // one cell at a time, round the group, so its parts shrink evenly
                shrinking = false
                for i in group where excess > 0 && size[i] > parts[i].minimum {
                    size[i] -= 1
                    excess -= 1
                    shrinking = true
                }
            }
        }
        var dropped = Set<Int>()
        for i in order where excess > 0 && size[i] > 0 {
            excess -= size[i]
            size[i] = 0
            dropped.insert(i)
        }
        var spare = -excess
        for i in order.reversed() where spare > 0 && !dropped.contains(i) && size[i] < wanted[i] {
            let back = Swift.min(spare, wanted[i] - size[i])
            size[i] += back
            spare -= back
        }
        let fills = parts.indices.filter { !dropped.contains($0) && parts[$0].weight > 0 }
        let weights = fills.reduce(0) { $0 + parts[$1].weight }
        guard spare > 0 && weights > 0 else { return size }
        let shares = fills.map { spare * parts[$0].weight / weights }
        var remainder = spare - shares.reduce(0, +)
        for (n, i) in fills.enumerated() {
            size[i] += shares[n] + (remainder > 0 ? 1 : 0)
            remainder -= 1
        }
        return size
    }
}
