/* Replays a corpus through a fuzz target without libFuzzer: each file
 * named, or each file in each folder named, once. `make test` runs the
 * seed corpus this way, so it needs no clang. */
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tl__replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  unsigned char *buf;
  long n;
  if (!f) return -1;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  rewind(f);
  buf = malloc(n > 0 ? (size_t)n : 1);
  if (!buf || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
    free(buf);
    fclose(f);
    return -1;
  }
  fclose(f);
  LLVMFuzzerTestOneInput(buf, (size_t)n);
  free(buf);
  return 0;
}

int main(int argc, char **argv) {
  int i, count = 0;
  for (i = 1; i < argc; i++) {
    DIR *d = opendir(argv[i]);
    struct dirent *e;
    if (!d) {
      if (tl__replay_file(argv[i]) != 0) return fprintf(stderr, "cannot read %s\n", argv[i]), 1;
      count++;
      continue;
    }
    while ((e = readdir(d))) {
      char path[4096];
      if (e->d_name[0] == '.') continue;
      snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
      if (tl__replay_file(path) != 0) return fprintf(stderr, "cannot read %s\n", path), 1;
      count++;
    }
    closedir(d);
  }
  fprintf(stderr, "replayed %d inputs\n", count);
  return 0;
}
