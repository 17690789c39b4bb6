// ncursesw for Swift: Swift 6 does not import curses' function-like macros and mutable globals
// (stdscr, COLS, LINES, A_BOLD, COLOR_PAIR, KEY_*), so this header wraps what vae-tui uses.
#ifndef CCURSES_H
#define CCURSES_H

#include <stdint.h>

/// Why curses could not start.
enum { CC_STARTED = 0, CC_NO_TERM = -1, CC_UNKNOWN_TERM = -2, CC_NO_CURSOR_ADDRESSING = -3, CC_FAILED = -4 };

/// Starts curses on the terminal: locale, cbreak, no echo, keypad, hidden cursor, and colours unless
/// `colors` is 0 or the terminal has none. Never exits the process (as initscr would): returns CC_STARTED,
/// or why not: TERM unset, a terminal terminfo does not know, one that cannot place the cursor (dumb).
int cc_start(int colors);
/// Whether the terminal TERM names can be used, without starting curses: CC_STARTED or why not.
int cc_check(void);
/// After Ctrl-Z (SIGTSTP): gives the terminal back, stops the process, and on fg (SIGCONT) takes the terminal
/// again with the screen cleared. Returns 1 when it suspended, 0 when no suspension was asked for.
int cc_suspend_if_asked(void);
/// Whether the locale's character set is UTF-8 (after cc_start set the locale from the environment).
int cc_utf8(void);
/// Restores the terminal (idempotent).
void cc_stop(void);
/// The terminal's current size.
int cc_columns(void);
int cc_lines(void);
/// Waits up to `timeoutMs` for a key. Returns 0 on timeout, 1 with a character in *key, 2 with a
/// function key code (arrows, F1, resize …) in *key.
int cc_read_key(int timeoutMs, uint32_t *key);
/// Whether the terminal can show 256 colours.
int cc_colors(void);
/// Colour pair `pair` = (foreground, background), colours as curses numbers (-1 = default).
int cc_init_pair(int pair, int foreground, int background);
int cc_max_pairs(void);
/// Attribute bits for cc_put.
enum { CC_BOLD = 1, CC_REVERSE = 2, CC_DIM = 4, CC_UNDERLINE = 8 };
/// Writes one character with a colour pair and attributes (CC_BOLD | …) at (y, x).
void cc_put(int y, int x, uint32_t character, int pair, int attributes);
/// Sends the drawn screen to the terminal.
void cc_refresh(void);
/// Clears curses' idea of the screen so the next refresh redraws everything (after a resize).
void cc_clear(void);

/// Key codes returned with 2 by cc_read_key.
extern const uint32_t CC_KEY_UP, CC_KEY_DOWN, CC_KEY_LEFT, CC_KEY_RIGHT, CC_KEY_F1, CC_KEY_RESIZE;

#endif
