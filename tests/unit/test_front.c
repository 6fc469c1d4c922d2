/* The front's tables: every visible command-line option and REPL :command
 * is in --help / :help and is accepted, hidden ones are accepted but not
 * listed, and the help lists nothing the parser rejects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

#include "check.h"

/* What f writes, as a string (the caller frees it). */
static char *tl__capture(void (*f)(FILE *)) {
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  f(m);
  fclose(m);
  return buf;
}

/* The status the parser gives `threadlab NAME [VALUE]` (2: rejected). */
static int tl__parse_one(const char *name, const char *value) {
  char *argv[] = {"threadlab", (char *)name, (char *)value, NULL};
  tl_options o;
  int rc;
  fflush(stdout);
  rc = tl_options_parse(&o, value ? 3 : 2, argv);
  fflush(stdout);
  return rc;
}

/* A value the option takes: its sample, or the first word of a choice. */
static const char *tl__sample(const tl_option *p, char *buf, size_t n) {
  if (!p->value) return NULL;
  if (p->sample) return p->sample;
  snprintf(buf, n, "%.*s", (int)strcspn(p->value, "|"), p->value);
  return buf;
}

static int tl__listed(const char *help, const char *word) {
  size_t n = strlen(word);
  const char *p;
  for (p = strstr(help, word); p; p = strstr(p + 1, word))
    if ((p == help || p[-1] == ' ' || p[-1] == '\n') && strchr(" ,\n", p[n])) return 1;
  return 0;
}

static void test_options(void) {
  char *help = tl__capture(tl_options_usage), buf[64], *line, *save;
  const tl_option *p;
  int visible = 0;
  for (p = tl_option_table; p->name; p++) {
    const char *v = tl__sample(p, buf, sizeof buf);
    if (strcmp(p->name, "--bench-frame") != 0) { /* it would run the bench */
      int rc = tl__parse_one(p->name, v);
      if (rc == 2) printf("  %s %s rejected\n", p->name, v ? v : "");
      CHECK(rc != 2);
    }
    if (p->help) {
      visible++;
      if (!tl__listed(help, p->name)) printf("  %s not in --help\n", p->name);
      CHECK(tl__listed(help, p->name));
      if (p->alias) CHECK(tl__listed(help, p->alias));
    } else {
      if (tl__listed(help, p->name)) printf("  hidden %s in --help\n", p->name);
      CHECK(!tl__listed(help, p->name));
    }
  }
  CHECK(visible > 20);
  CHECK(tl_option_find("--bench-frame") != NULL);
  /* the parser does reject: so rc != 2 above means accepted */
  CHECK(tl__parse_one("--bogus", NULL) == 2);
  CHECK(tl__parse_one("--gil", "bogus") == 2);
  /* every option word --help shows, the parser knows */
  for (line = strtok_r(help, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char w1[64] = "", w2[64] = "";
    if (strncmp(line, "  -", 3) != 0) continue;
    sscanf(line, " %63[^, ], %63[^ ]", w1, w2);
    if (!tl_option_find(w1)) printf("  --help lists %s, the parser rejects it\n", w1);
    CHECK(tl_option_find(w1) != NULL);
    if (w2[0] == '-') CHECK(tl_option_find(w2) == tl_option_find(w1));
  }
  free(help);
}

static const tl_command *tl__help_table;
static int tl__help_zh;
static void tl__table_help(FILE *out) { tl_command_help(out, tl__help_table, 20, tl__help_zh); }

/* Every visible command of table in its help (both languages), hidden
 * ones not, every :word the help begins a line with found by the table's
 * dispatcher. */
static void tl__check_table(const tl_command *table, int min_visible) {
  char *help, *line, *save, word[64];
  const tl_command *c;
  int visible = 0;
  tl__help_table = table;
  for (tl__help_zh = 0; tl__help_zh < 2; tl__help_zh++) {
    help = tl__capture(tl__table_help);
    for (c = table; c->name; c++) {
      snprintf(word, sizeof word, ":%s", c->name);
      CHECK(tl_command_find(table, c->name) == c);
      if (c->help) {
        visible += !tl__help_zh;
        if (!tl__listed(help, word)) printf("  %s not in the help\n", word);
        CHECK(tl__listed(help, word));
      } else {
        CHECK(!tl__listed(help, word));
      }
    }
    for (line = strtok_r(help, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
      if (sscanf(line, " :%63[^ ]", word) != 1) continue;
      if (!tl_command_find(table, word)) printf("  the help lists :%s, nothing takes it\n", word);
      CHECK(tl_command_find(table, word) != NULL);
    }
    free(help);
  }
  CHECK(visible >= min_visible);
  CHECK(tl_command_find(table, "bogus") == NULL);
}

static void test_commands(void) {
  char *help = tl__capture(tl_repl_help);
  tl__check_table(tl_command_table, 15);
  CHECK(tl_repl_find_command("q") == tl_repl_find_command("quit"));
  CHECK(tl_repl_find_command("bogus") == NULL);
  /* :help is the table's help */
  CHECK(strstr(help, "  :threads") != NULL);
  free(help);
}

static void test_step_commands(void) {
  tl__check_table(tl_step_command_table, 8);
  CHECK(tl_command_find(tl_step_command_table, "reset") ==
        tl_command_find(tl_step_command_table, "restart"));
}

int main(int argc, char **argv) {
  static const tl_test tests[] = {
      TL_TEST(test_options),
      TL_TEST(test_commands),
      TL_TEST(test_step_commands),
      {NULL, NULL}};
  return tl_test_main(tests, argc, argv);
}
