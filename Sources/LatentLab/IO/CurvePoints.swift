/// One point of a curve: the step it was measured at and its value. The dashboard's curves and a run's history
/// read back from its log are made of them.
public struct CurvePoint: Sendable, Equatable, Codable {
    public var step: Int
    public var value: Float
    public init(step: Int, value: Float) { self.step = step; self.value = value }
}

/// A knob change, marked on a curve's time axis at the step it took effect: the dashboard's and a run's history's.
public struct CurveMarker: Sendable, Equatable, Codable {
    public var step: Int
    public var label: String
    public init(step: Int, label: String) { self.step = step; self.label = label }
}
