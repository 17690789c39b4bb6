import CCurses
import Foundation
import LatentUI

/// The only place that talks to curses: paints canvases, reads keys. Used from one thread only
/// (ncurses is not thread-safe).
final class CursesScreen {
    private var previous: Canvas?
    /// The last frame as drawn (without the notice), for screenshots.
    private(set) var lastFrame: Canvas?
    /// A message over the bottom line until a deadline.
    /// Where S saves the screen: the run's directory under the dashboard, `screenshots/` for a demo alone.
    var captureDirectory = "screenshots"
    private var notice: (text: String, until: ContinuousClock.Instant)?
    /// Colour pairs made so far, by the style's colours, so a cell already seen costs one lookup.
    private var pairs: [PairKey: Int32] = [:]
    private var nextPair: Int32 = 1
    private let colors: Int32
    private let maxPairs: Int32
    /// Cells go through `Fallback` on a terminal without colour or without UTF-8.
    private let unicode: Bool
    private var started = true

    private struct PairKey: Hashable {
        let foreground: Color
        let background: Color
    }

    /// Starts curses, in colour unless `color` is false; a terminal that cannot be used is a one-line error
    /// saying why (curses' own initscr would print and exit).
    init(color: Bool) throws(UserError) {
        try Self.check(cc_start(color ? 1 : 0))
        colors = cc_colors()
        maxPairs = cc_max_pairs()
        unicode = cc_utf8() != 0
    }

    /// Refuses a terminal that cannot be used before anything else happens (a run directory made, data read).
    static func checkTerminal() throws(UserError) { try check(cc_check()) }

    private static func check(_ code: Int32) throws(UserError) {
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        switch code {
        case Int32(CC_STARTED): return
        case Int32(CC_NO_TERM):
            throw UserError("TERM is not set: the screen needs a terminal it knows (TERM=xterm-256color, say); "
                            + "`vae-tui train` needs none")
        case Int32(CC_UNKNOWN_TERM):
            throw UserError("TERM=\(term) is a terminal this system's terminfo does not know: try TERM=xterm-256color")
        case Int32(CC_NO_CURSOR_ADDRESSING):
            throw UserError("TERM=\(term) cannot place the cursor, so it cannot show a full screen: "
                            + "use a terminal such as xterm (TERM=xterm-256color), or `vae-tui train`")
        default:
            throw UserError("cannot start the terminal (TERM=\(term))")
        }
    }

    var size: (width: Int, height: Int) { (Int(cc_columns()), Int(cc_lines())) }

    /// Restores the terminal; safe to call more than once.
    func stop() {
        guard started else { return }
        started = false
        cc_stop()
    }

    /// Shows `notice` over the bottom line of the frames painted in the next few seconds.
    func show(notice text: String) {
        notice = (text, .now + .seconds(ScreenCapture.noticeSeconds))
    }

    /// Draws the canvas, sending only the cells that changed since the last frame.
    func paint(_ frame: Canvas) {
        lastFrame = frame
        var canvas = frame
        if let notice, notice.until > .now { Overlays.notice(notice.text, into: &canvas) } else { notice = nil }
        let full = previous.map { $0.width != canvas.width || $0.height != canvas.height } ?? true
        if full { cc_clear() }
        for y in 0..<canvas.height {
            for x in 0..<canvas.width {
                if !full, let previous, previous[x, y] == canvas[x, y] { continue }
                let cell = colors > 0 && unicode
                    ? canvas[x, y] : Fallback.cell(canvas[x, y], color: colors > 0, unicode: unicode)
                let s = cell.style
                let attributes = (s.bold ? CC_BOLD : 0) | (s.reverse ? CC_REVERSE : 0) | (s.dim ? CC_DIM : 0)
                    | (s.underline ? CC_UNDERLINE : 0)
                cc_put(Int32(y), Int32(x), cell.character.value, pair(s), Int32(attributes))
            }
        }
        cc_refresh()
        previous = canvas
    }

    /// Forgets what is on screen, so the next paint redraws every cell (after a resize).
    func invalidate() { previous = nil }

    /// The next key within `timeout` milliseconds, or nil. After a suspension (Ctrl-Z, then fg) it is a resize,
    /// so the loop redraws the whole screen.
    func readKey(timeout: Int32) -> Key? {
        if cc_suspend_if_asked() != 0 { return .resize }
        var code: UInt32 = 0
        switch cc_read_key(timeout, &code) {
        case 1:
            switch code {
            case 3: return .controlC
            case 9: return .tab
            case 27: return .escape
            default: return Unicode.Scalar(code).map { .character(Character($0)) }
            }
        case 2:
            switch code {
            case CC_KEY_UP: return .up
            case CC_KEY_DOWN: return .down
            case CC_KEY_LEFT: return .left
            case CC_KEY_RIGHT: return .right
            case CC_KEY_F1: return .f1
            case CC_KEY_RESIZE: return .resize
            default: return nil
            }
        default: return nil
        }
    }

    /// A colour pair for the style's colours, made on first use (pair 0 is the terminal default).
    private func pair(_ style: Style) -> Int32 {
        guard colors > 0 else { return 0 }
        let key = PairKey(foreground: style.foreground, background: style.background)
        if let p = pairs[key] { return p }
        let foreground = number(style.foreground), background = number(style.background)
        var p: Int32 = 0
        if foreground != -1 || background != -1 {
            guard nextPair < maxPairs else { return 0 }
            _ = cc_init_pair(nextPair, foreground, background)
            p = nextPair
            nextPair += 1
        }
        pairs[key] = p
        return p
    }

    private static let named: [Color] = [.black, .red, .green, .yellow, .blue, .magenta, .cyan, .white,
                                         .brightBlack, .brightRed, .brightGreen, .brightYellow, .brightBlue,
                                         .brightMagenta, .brightCyan, .brightWhite]

    /// The curses colour number: the default is -1, bright colours fall back to normal ones on
    /// 8-colour terminals, greys use xterm-256's ramp (232…255) or black/white without it.
    private func number(_ color: Color) -> Int32 {
        switch color {
        case .standard: return -1
        case .grey(let level):
            if colors >= 256 { return 232 + Int32(min(max(level, 0), 23)) }
            return level < 8 ? 0 : level < 16 ? (colors >= 16 ? 8 : 0) : 7
        default:
            let i = Int32(Self.named.firstIndex(of: color)!)
            return colors >= 16 ? i : i % 8
        }
    }
}
