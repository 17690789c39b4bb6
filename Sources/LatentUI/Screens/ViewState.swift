import LatentLab

/// What the screen shows, apart from the engine's numbers: which page, which toggles, which overlay.
public struct ViewState: Equatable, Sendable {
    /// The main area: everything at once, or one pane enlarged (Tab cycles). The gap panel is a page of its
    /// own: the engine takes the gap apart only while it is shown.
    public enum Page: Int, CaseIterable, Sendable {
        case overview, latentMap, images, gaps

        /// The footer's name for it.
        var title: String {
            switch self {
            case .overview: "overview"
            case .latentMap: "latent map"
            case .images: "images"
            case .gaps: "gap panel"
            }
        }
    }

    /// What can open over the dashboard: one at a time, and it takes every key until it closes.
    public enum Overlay: Equatable, Sendable {
        case help
        /// Waiting for y/n after r.
        case confirmingReset
        /// The d menu of demos.
        case demoMenu
        /// The m menu of models.
        case modelMenu
        /// Waiting for y/n after choosing a model in the m menu.
        case confirmingModel(ModelFamily)
    }

    public var page = Page.overview
    public var overlay: Overlay?
    /// Curves: the whole history, or the last `recentWindow` steps.
    public var recentOnly = false
    public var recentWindow = 2000
    public var smoothing = false
    public var sortUnits = false
    public var meansOnly = false
    public var showDensity = false
    /// The two latent units on the map; nil = the two with the most KL.
    public var mapDims: UnitPair?

    /// Two latent units, the map's horizontal and vertical axes.
    public struct UnitPair: Equatable, Sendable {
        public var first: Int, second: Int
        public init(_ first: Int, _ second: Int) {
            self.first = first
            self.second = second
        }
    }

    public init() {}

    /// The units shown on the latent map for this snapshot.
    public func dims(for snapshot: Snapshot) -> (Int, Int) {
        if let mapDims { return (mapDims.first, mapDims.second) }
        let order = snapshot.klPerUnit.indices.sorted { snapshot.klPerUnit[$0] > snapshot.klPerUnit[$1] }
        if order.count >= 2 { return (order[0], order[1]) }
        return (0, min(1, max(0, snapshot.latentSize - 1)))
    }
}
