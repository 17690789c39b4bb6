extension Int {
    /// The farthest a plotted value is placed from zero, in dots or cells: beyond any screen, and far from
    /// overflowing the arithmetic done on a coordinate.
    static let plotLimit = 1 << 20

    /// `value` rounded by `rule` to a dot or cell, clamped to ±`plotLimit`, and not a number placed at
    /// −`plotLimit`: a value off a chart (a diverging posterior's deviation, an infinite bound) lands off the
    /// grid, where drawing ignores it, instead of trapping the conversion and taking the dashboard down.
    init<F: BinaryFloatingPoint>(plotting value: F, _ rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero) {
        guard !value.isNaN else {
            self = -Self.plotLimit
            return
        }
        let limit = F(Self.plotLimit)
        self = Int(Swift.min(Swift.max(value.rounded(rule), -limit), limit))
    }
}
