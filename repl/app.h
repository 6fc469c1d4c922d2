/* The program front: options, running scripts, the REPL, recording. */
#ifndef TL_APP_H
#define TL_APP_H

#include <stddef.h>
#include <stdio.h>

#include "engine.h"

#define TL_VERSION "0.1.0"
#define TL__MAX_LIST 32
/* 2 M events of 40 bytes: a full ring is 80 MB, and the window's layout of
 * what the ring holds takes up to about as much again (a GIL switch or a
 * sleep on every few events), so a session with the window open stays
 * under 256 MB resident; --trace keeps every event on disk. */
#define TL_DEFAULT_TRACE_SIZE 2000000
/* The exit status of a lesson this build cannot play (what test runners
 * count as skipped). */
#define TL_EXIT_SKIPPED 77

typedef struct tl_options {
  const char *script;
  int script_argc;
  char **script_argv;
  const char *exec[TL__MAX_LIST];
  int nexec;
  const char *records[TL__MAX_LIST];
  int nrecords;
  int interactive;
  int headless;
  const char *trace_out;  /* --trace: streamed */
  size_t trace_size;
  size_t trace_text;   /* bytes of the trace's text arena (--trace-text MB) */
  int trace_mode;         /* enum tl_trace_mode */
  const char *view;       /* --view FILE */
  uint64_t view_from, view_to; /* --from, --to (ns) */
  tl_config cfg;
  int auto_play;    /* --auto: a lesson plays through without pausing */
  int list_lessons; /* --lessons: the lesson list before the REPL */
  int clock_given;  /* --clock (or --sched manual) was given: lessons keep it */
  int speed_given;  /* --speed was given: it wins over a lesson's own pace */
  int max_procs;    /* --max-procs: live or unreaped processes of the run */
  const char *moves; /* --moves "T2 T3": a challenge's moves, replayed */
  int solve;         /* --solve FILE: search a challenge's schedules */
  int spawned;       /* --spawn-child FD: a child of the spawn start method */
  int spawn_fd;
} tl_options;

int tl_app_main(int argc, char **argv);

/* The command line (options.c): one table, read by the parser and by
 * --help. help NULL hides an option from --help (it is still accepted). */
typedef struct tl_option {
  const char *name, *alias; /* "--help", "-h" */
  const char *value;        /* what follows it ("FILE", "a|b"); NULL: a flag */
  const char *help;         /* lines split by '\n'; NULL: hidden */
  const char *sample;       /* a value it accepts (NULL: a choice's first word) */
  /* -1 to go on, else the exit status (2: bad usage, said on stderr) */
  int (*set)(tl_options *o, const char *name, const char *value);
} tl_option;
extern const tl_option tl_option_table[]; /* ends with a NULL name */
const tl_option *tl_option_find(const char *arg);
void tl_options_usage(FILE *out);
/* One entry of --help or :help: left, then help from column col (on the
 * next line when left is too long and wrap is set, else after two spaces),
 * each further line of help indented to col. */
void tl_help_entry(FILE *out, const char *left, const char *help, int col, int wrap);
/* Fills o from argv: -1 to go on, else the exit status. */
int tl_options_parse(tl_options *o, int argc, char **argv);
/* The rules between options: -1 to go on, else 2 (said on stderr). */
int tl_options_check(const tl_options *o);

/* Runs a chunk on MainThread (the caller holds the GIL) with a traceback
 * handler; prints an uncaught error. Returns the Lua status. */
int tl_app_docall(lua_State *L, int nargs, int nresults);
/* Tells the spawn start method what the main code is (the script file a
 * spawned child runs again, or how the code came). */
void tl_app_set_main(const tl_options *o);
/* Prints the error on top of the stack as Python prints a traceback. */
void tl_app_report(lua_State *L);

/* The REPL (repl.c); returns when the user quits. */
void tl_repl_run(tl_options *opt);

/* The REPL's pieces the lesson player shares (repl.c): a command line, the
 * line reader (hold_world: read while MainThread keeps the world standing
 * still), and running one line of Lua as the REPL does (-1 at EOF). */
int tl_repl_command(tl_options *opt, const char *line);
void tl_repl_hold_world(int yes);
int tl_repl_holding_world(void);
char *tl_repl_read_line(const char *prompt, int *interrupted);
int tl_repl_eval(lua_State *L, char *line);

/* The REPL's :commands (repl.c), and the lesson player's at a step prompt
 * (player.c): one table each, read by the dispatcher, the help and Tab
 * completion. help NULL hides a command from the help. */
typedef struct tl_command {
  const char *name;
  const char *aliases; /* space-separated, or NULL */
  const char *args;    /* for the help: "FILE [FROM TO]", or NULL */
  const char *help;    /* lines split by '\n'; NULL: hidden */
  const char *help_zh; /* the same in Chinese, where the help has both */
  /* cmd: the word typed (name or alias). The REPL's return 1 to end the
   * REPL; the step prompt's, what the pause answers (see player.c). */
  int (*run)(tl_options *opt, const char *cmd, const char *arg);
} tl_command;
extern const tl_command tl_command_table[]; /* ends with a NULL name */
extern const tl_command tl_step_command_table[]; /* player.c */
const tl_command *tl_command_find(const tl_command *table, const char *name);
/* The visible entries, help from column col (in Chinese if zh and given). */
void tl_command_help(FILE *out, const tl_command *table, int col, int zh);
const tl_command *tl_repl_find_command(const char *name);
void tl_repl_help(FILE *out);

/* The lesson player (player.c). A lesson is a file whose first statement
 * is lesson{...}. tl_player_run plays one (in a fresh world if asked) and
 * returns the exit status; tl_player_command runs :lessons and :lesson N
 * from the REPL (0 when the command is not the player's). */
int tl_player_run(tl_options *opt, const char *path, int fresh_world, const char *src,
                  size_t srclen); /* src NULL: read path */

/* Challenges (challenge.c): a file whose first statement is
 * challenge{...}. tl_challenge_run replays --moves, searches (--solve), or
 * starts it for the REPL's moves; tl_challenge_command runs :run (0 when
 * no challenge plays: plain manual scheduling), :undo, :hint, :solve. */
int tl_challenge_run(tl_options *opt, const char *path, const char *src, size_t len);
int tl_challenge_command(tl_options *opt, const char *cmd, const char *arg);
void tl_challenge_end(void);

/* Scripts and lessons as text (source.c): read whole, once, from a file,
 * "-", a pipe or a FIFO (NULL with a reason); loaded as text only (a
 * compiled chunk is refused); a lesson begins with lesson{...}. */
char *tl_source_read(const char *path, size_t *len, char *err, size_t errlen);
int tl_source_load(lua_State *L, const char *buf, size_t len, const char *chunkname);
int tl_source_is_binary(const char *buf, size_t len);
int tl_source_is_lesson(const char *buf, size_t len);
int tl_source_is_challenge(const char *buf, size_t len); /* challenge{...} */
int tl_player_command(tl_options *opt, const char *cmd, const char *arg);
void tl_player_print_catalog(void);

/* The line reader (input.c): reads one line on a thread of its own while
 * MainThread waits for it, for Ctrl-C (-> TL_INPUT_INTERRUPT) and for
 * extra_fd, whose on_extra() returning 1 cuts the line (-> TL_INPUT_OTHER;
 * the part typed is returned). preset: text the line starts with. */
enum { TL_INPUT_LINE, TL_INPUT_EOF, TL_INPUT_INTERRUPT, TL_INPUT_OTHER };
char *tl_input_read(const char *prompt, const char *preset, int extra_fd,
                    int (*on_extra)(void), int *status);
/* From the reader thread (completion): runs fn on MainThread. */
void tl_input_call_main(void (*fn)(void *), void *arg);
int tl_input_on_reader(void);
/* Sets libedit up for the reader; before libedit's first use. */
void tl_input_prepare(void);

/* Tab completion of globals and fields (complete.c). */
void tl_complete_install(void);
/* The completions of text, one per call (state 0 first, then 1, 2 ...),
 * NULL when done; the caller frees each. first_word: text begins the line
 * (so ":th" completes a :command). */
char *tl_complete_word(const char *text, int first_word, int state);

/* A fresh world in place of the current one (for :reset). */
int tl_app_reset(tl_options *opt);

/* Ctrl-C (signals.c): a thread that waits for SIGINT. While the REPL waits
 * for input it reports to a pipe the REPL polls; otherwise it interrupts
 * MainThread with KeyboardInterrupt. */
void tl_signals_start(void);
void tl_signals_stop(void);
void tl_signals_at_prompt(int yes);
int tl_signals_fd(void);          /* readable after Ctrl-C at the prompt */
int tl_signals_drain(void);       /* how many Ctrl-C were pending (0: a redraw) */
void tl_signals_lock_world(void); /* held while the world is replaced */
void tl_signals_unlock_world(void);

/* Writes the trace as a diagram chosen by the file's extension: .svg,
 * .png or .json (Chrome Trace Event, for Perfetto). */
int tl_record(const tl_trace *tr, const char *path, char *err, size_t errlen);
/* The same for the span [from, to) ns of the trace (to 0: to its end). */
int tl_record_range(const tl_trace *tr, const char *path, uint64_t from, uint64_t to,
                    char *err, size_t errlen);
/* lab.screenshot and lab.narrate, added to the lab table (labfront.c). */
void tl_front_open(lua_State *L);
/* Tells the window how the world's clock moves (after a change of clock
 * or speed); MainThread only. */
void tl_app_sync_window(void);

/* Whether a recording can go to path: a known extension and a folder
 * that takes a new file. 0, or -1 with why (nothing is left behind). */
int tl_record_check(const char *path, char *err, size_t errlen);
/* The pace of .gif and .apng recordings: frames a second while the
 * timeline grows, and about how long the whole; 0 leaves one as it is. */
void tl_record_set_anim(double fps, double seconds);
/* Whether the ring dropped events of a live trace from `from` ns on: 1
 * with a sentence saying where the recording starts and the option that
 * keeps more, else 0. */
int tl_record_note(const tl_trace *tr, uint64_t from, char *buf, size_t n);

#endif
