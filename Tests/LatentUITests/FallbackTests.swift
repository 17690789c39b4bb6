import Testing
@testable import LatentUI

/// Terminals without colour or without UTF-8: what the colours say survives in glyphs and attributes, and
/// every character the screens draw has an ASCII stand-in.
struct FallbackTests {
    /// Every non-ASCII character any screen draws maps to printable ASCII other than "?" (the last resort).
    @Test func everyGlyphTheScreensDrawHasAnASCIIStandIn() {
        let drawn = "±²·×Σβδελμσ–—‖•…←↑→↓↔−∝≈≤≥⏸─━│┃┌┐└┘├┤┬┴┼╌▀▁▂▃▄▅▆▇█▉▊▋▌▍▎▏▐░▒▓▔▕■▲▴▶▸◆◌●"
        for c in drawn.unicodeScalars {
            let a = Fallback.ascii(c)
            #expect(a.isASCII && a != "?" && a.value >= 32, "\(c) → \(a)")
        }
        #expect(Fallback.ascii("⠀") == " " && Fallback.ascii("⠁") == "." && Fallback.ascii("⣿") == "#")
        #expect(Fallback.ascii("x") == "x" && Fallback.ascii("中") == "?")
    }

    @Test func withoutColourUnitsAndTheirStatesStayApart() {
        // Active units green, collapsed red: solid bars against light-shaded ones.
        let active = Fallback.cell(Cell("█", Style(.brightGreen)), color: false, unicode: true)
        let collapsed = Fallback.cell(Cell("▃", Style(.red)), color: false, unicode: true)
        #expect(active.character == "█" && active.style.bold && collapsed.character == "░")
        #expect(Fallback.cell(Cell("▃", Style(.red)), color: false, unicode: false).character == ":")
        // The prior's grey contours faint, a posterior's coloured dots bold: still told apart.
        let prior = Fallback.cell(Cell("⠁", Style(.brightBlack)), color: false, unicode: true)
        let posterior = Fallback.cell(Cell("⠁", Style(.brightCyan)), color: false, unicode: true)
        #expect(prior.style.dim && !prior.style.bold && posterior.style.bold && !posterior.style.dim)
        // A warning's red text underlined; the status line's blue background reverse video; no colours left.
        let warning = Fallback.cell(Cell("N", Style(.brightRed, bold: true)), color: false, unicode: true)
        let status = Fallback.cell(Cell("s", Style(.brightWhite, background: .blue)), color: false, unicode: true)
        #expect(warning.style.underline && status.style.reverse)
        for cell in [active, collapsed, prior, posterior, warning, status] {
            #expect(cell.style.foreground == .standard && cell.style.background == .standard)
        }
    }

    /// Half-block images become a brightness ramp: black stays blank, white is the densest character.
    @Test func imagesBecomeABrightnessRamp() {
        let black = Fallback.cell(Cell("▀", Style(.grey(0), background: .grey(0))), color: false, unicode: true)
        let white = Fallback.cell(Cell("▀", Style(.grey(23), background: .grey(23))), color: false, unicode: true)
        let half = Fallback.cell(Cell("▀", Style(.grey(23), background: .grey(0))), color: false, unicode: true)
        #expect(black.character == " " && white.character == "@" && half.character != " " && half.character != "@")
    }

    /// In colour and UTF-8 nothing changes.
    @Test func aCapableTerminalSeesTheCellAsDrawn() {
        let cell = Cell("⣿", Style(.brightGreen, background: .grey(3), bold: true))
        #expect(Fallback.cell(cell, color: true, unicode: true) == cell)
    }
}
