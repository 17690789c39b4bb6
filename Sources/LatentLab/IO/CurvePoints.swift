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

/// A point of the rate-distortion plane (Alemi et al. 2018, docs/THEORY.md section 8): the rate R and the
/// distortion D measured together at one step, nats per image. −ELBO = D + R, so a line D + R = c joins the
/// points of one ELBO.
public struct RateDistortionPoint: Sendable, Equatable {
    public var step: Int
    public var rate: Float
    public var distortion: Float
    public init(step: Int, rate: Float, distortion: Float) {
        self.step = step
        self.rate = rate
        self.distortion = distortion
    }

    /// −ELBO = D + R.
    public var loss: Float { distortion + rate }

    /// The rate and distortion taken at the same steps, paired in step order; a step only one series has is
    /// left out (the engine appends and thins both together, so normally none is).
    public static func pairs(rate: [CurvePoint], distortion: [CurvePoint]) -> [RateDistortionPoint] {
        var out: [RateDistortionPoint] = []
        out.reserveCapacity(min(rate.count, distortion.count))
        var i = 0, j = 0
        while i < rate.count && j < distortion.count {
            let r = rate[i], d = distortion[j]
            if r.step == d.step {
                out.append(RateDistortionPoint(step: r.step, rate: r.value, distortion: d.value))
                i += 1
                j += 1
            } else if r.step < d.step {
                i += 1
            } else {
                j += 1
            }
        }
        return out
    }
}
