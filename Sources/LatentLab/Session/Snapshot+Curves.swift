/// The curves as a run directory's `curves.json` holds them, and read as the rate-distortion plane.
extension Snapshot.Curves {
    enum CodingKeys: String, CodingKey {
        case trainLoss, testLoss, testRate, testDistortion, rate, distortion, l1, l5, l50, klLayers, markers
    }

    /// Keys added since the first `curves.json` (the held-out rate and distortion) may be missing: a run saved
    /// before them reopens with its curves, and its plane starts from the reopening.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        trainLoss = try c.decode([Snapshot.Point].self, forKey: .trainLoss)
        testLoss = try c.decode([Snapshot.Point].self, forKey: .testLoss)
        testRate = try c.decodeIfPresent([Snapshot.Point].self, forKey: .testRate) ?? []
        testDistortion = try c.decodeIfPresent([Snapshot.Point].self, forKey: .testDistortion) ?? []
        rate = try c.decode([Snapshot.Point].self, forKey: .rate)
        distortion = try c.decode([Snapshot.Point].self, forKey: .distortion)
        l1 = try c.decode([Snapshot.Point].self, forKey: .l1)
        l5 = try c.decode([Snapshot.Point].self, forKey: .l5)
        l50 = try c.decode([Snapshot.Point].self, forKey: .l50)
        klLayers = try c.decode([[Snapshot.Point]].self, forKey: .klLayers)
        markers = try c.decode([Snapshot.Marker].self, forKey: .markers)
    }

    /// The training batches' (R, D), one per training curve point.
    public var trainPlane: [RateDistortionPoint] { RateDistortionPoint.pairs(rate: rate, distortion: distortion) }

    /// The held-out evaluations' (R, D), one per evaluation.
    public var heldOutPlane: [RateDistortionPoint] {
        RateDistortionPoint.pairs(rate: testRate, distortion: testDistortion)
    }
}
