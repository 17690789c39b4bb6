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
    /// The curves pane shows the rate-distortion plane instead (p): the trade-off β makes, as one point moving.
    public var showsPlane = false
    public var sortUnits = false
    public var meansOnly = false
    public var showDensity = false
    /// The two latent units on the map; nil = the two with the most KL.
    public var mapDims: UnitPair?
    /// The latent walk: the cursor on the map's units (z, moved by the arrows on the latent map page), the
    /// reference image holding the other units and the traversed unit (the arrows on the images page).
    public var cursor = Cursor()
    public var walkReference = 0
    public var traversedUnit = 0

    /// One arrow press moves the cursor this far (z), within ±`cursorExtent`, the latent map's edge.
    static let cursorStep: Float = 0.25, cursorExtent: Float = 3.5

    /// A point in the map's two units, z in prior standard deviations.
    public struct Cursor: Equatable, Sendable {
        public var first: Float = 0, second: Float = 0
    }

    /// Two latent units, the map's horizontal and vertical axes.
    public struct UnitPair: Equatable, Sendable {
        public var first: Int, second: Int
        public init(_ first: Int, _ second: Int) {
            self.first = first
            self.second = second
        }
    }

    public init() {}

    /// An arrow key's step in latent space, on the pages that show the walk: the cursor on the latent map's
    /// page (kept on the map); on the images page ←/→ the traversed unit and ↑/↓ the reference image. False
    /// for any other key or page.
    mutating func walk(_ key: Key, latent: Int, images: Int) -> Bool {
        let step = Self.cursorStep, edge = Self.cursorExtent
        switch (page, key) {
        case (.latentMap, .left): cursor.first = max(-edge, cursor.first - step)
        case (.latentMap, .right): cursor.first = min(edge, cursor.first + step)
        case (.latentMap, .down): cursor.second = max(-edge, cursor.second - step)
        case (.latentMap, .up): cursor.second = min(edge, cursor.second + step)
        case (.images, .left): traversedUnit = (traversedUnit + latent - 1) % latent
        case (.images, .right): traversedUnit = (traversedUnit + 1) % latent
        case (.images, .up): walkReference = (walkReference + images - 1) % images
        case (.images, .down): walkReference = (walkReference + 1) % images
        default: return false
        }
        return true
    }

    /// What the engine is to decode for this view: the cursor on the map's units, the traversal.
    public func walkRequest(for snapshot: Snapshot) -> LatentWalkRequest {
        var r = LatentWalkRequest()
        (r.first, r.second) = dims(for: snapshot)
        (r.cursorFirst, r.cursorSecond) = (cursor.first, cursor.second)
        r.reference = walkReference
        r.traversed = traversedUnit
        return r
    }

    /// The units shown on the latent map for this snapshot.
    public func dims(for snapshot: Snapshot) -> (Int, Int) {
        if let mapDims { return (mapDims.first, mapDims.second) }
        let order = snapshot.klPerUnit.indices.sorted { snapshot.klPerUnit[$0] > snapshot.klPerUnit[$1] }
        if order.count >= 2 { return (order[0], order[1]) }
        return (0, min(1, max(0, snapshot.latentSize - 1)))
    }
}
