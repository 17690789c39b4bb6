#define _XOPEN_SOURCE_EXTENDED 1
#include "CCurses.h"
#include <langinfo.h>
#include <signal.h>
#include <locale.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

const uint32_t CC_KEY_UP = KEY_UP, CC_KEY_DOWN = KEY_DOWN, CC_KEY_LEFT = KEY_LEFT, CC_KEY_RIGHT = KEY_RIGHT,
    CC_KEY_F1 = KEY_F(1), CC_KEY_RESIZE = KEY_RESIZE;

static int started = 0;

static SCREEN *screen = NULL;
static volatile sig_atomic_t suspend_requested = 0;

/// Ctrl-Z: only noted here; the screen loop suspends at its next key read (curses' own handler may run on
/// the training thread, in the middle of a frame, and did not always stop the process).
static void on_suspend(int signal) {
    (void)signal;
    suspend_requested = 1;
}
static int use_colors = 0;

int cc_check(void) {
    const char *term = getenv("TERM");
    if (term == NULL || *term == 0) return CC_NO_TERM;
    int error = 0;
    if (setupterm(NULL, STDOUT_FILENO, &error) != OK) return CC_UNKNOWN_TERM;
    const char *cup = tigetstr("cup");
    int addressable = cup != NULL && cup != (char *)-1;
    del_curterm(cur_term);
    return addressable ? CC_STARTED : CC_NO_CURSOR_ADDRESSING;
}

int cc_start(int colors) {
    setlocale(LC_ALL, "");
    int usable = cc_check();
    if (usable != CC_STARTED) return usable;
    screen = newterm(NULL, stdout, stdin);
    if (screen == NULL) return CC_FAILED;
    set_term(screen);
    started = 1;
    cbreak();
    // Ctrl-S would stop the terminal's output (XON/XOFF) and freeze the screen until Ctrl-Q: keys, not flow
    // control. Curses keeps this as the program's mode and gives the shell its own back.
    struct termios modes;
    if (tcgetattr(STDIN_FILENO, &modes) == 0) {
        modes.c_iflag &= ~(tcflag_t)IXON;
        tcsetattr(STDIN_FILENO, TCSANOW, &modes);
        def_prog_mode();
    }
    noecho();
    keypad(stdscr, TRUE);
    nonl();
    curs_set(0);
    set_escdelay(25);
    signal(SIGTSTP, on_suspend);
    use_colors = colors && has_colors();
    if (use_colors) {
        start_color();
        use_default_colors();
    }
    return CC_STARTED;
}

int cc_suspend_if_asked(void) {
    if (!suspend_requested || !started) return 0;
    suspend_requested = 0;
    def_prog_mode();
    endwin();
    signal(SIGTSTP, SIG_DFL);
    kill(getpid(), SIGTSTP);  /* stopped here until SIGCONT (fg) */
    signal(SIGTSTP, on_suspend);
    reset_prog_mode();
    clear();
    refresh();
    return 1;
}

int cc_utf8(void) { return strcmp(nl_langinfo(CODESET), "UTF-8") == 0; }

void cc_stop(void) {
    if (!started) return;
    started = 0;
    curs_set(1);
    endwin();
}

int cc_columns(void) { return COLS; }
int cc_lines(void) { return LINES; }

int cc_read_key(int timeoutMs, uint32_t *key) {
    timeout(timeoutMs);
    wint_t ch = 0;
    int r = get_wch(&ch);
    if (r == ERR) return 0;
    *key = (uint32_t)ch;
    return r == KEY_CODE_YES ? 2 : 1;
}

int cc_colors(void) { return use_colors ? COLORS : 0; }
int cc_max_pairs(void) { return has_colors() ? COLOR_PAIRS : 0; }
int cc_init_pair(int pair, int foreground, int background) { return init_pair(pair, foreground, background); }

void cc_put(int y, int x, uint32_t character, int pair, int flags) {
    wchar_t text[2] = {(wchar_t)character, 0};
    cchar_t cell;
    attr_t attributes = (flags & CC_BOLD ? A_BOLD : 0) | (flags & CC_REVERSE ? A_REVERSE : 0) |
                        (flags & CC_DIM ? A_DIM : 0) | (flags & CC_UNDERLINE ? A_UNDERLINE : 0);
    setcchar(&cell, text, attributes, (short)pair, NULL);
    mvadd_wch(y, x, &cell);
}

void cc_refresh(void) { refresh(); }
void cc_clear(void) { clearok(stdscr, TRUE); }
