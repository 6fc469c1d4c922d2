/* The lock-order check (GIL held): each thread keeps the locks it holds;
 * taking Y while holding X records "X before Y", and when another thread
 * is seen taking them the other way round, a warning names both orders
 * (once a pair), even when this run got lucky. */
#include "locks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TL__EDGES_MAX (1u << 16)
#define TL__ORDER_DEPTH 32

typedef struct tl__order {
  uint64_t key;   /* first lock's id << 32 | second's; 0 = an empty slot */
  uint32_t tid;   /* the first thread seen taking them in this order */
  uint8_t warned;
  char tname[TL_LOCK_NAME];
} tl__order;

static tl__order *tl__orders;
static size_t tl__ocap, tl__on;

static size_t tl__slot(uint64_t key, size_t cap) {
  key *= 0x9e3779b97f4a7c15u;
  return (size_t)(key ^ (key >> 31)) & (cap - 1);
}

static tl__order *tl__order_find(uint64_t key) {
  size_t i;
  if (!tl__ocap) return NULL;
  for (i = tl__slot(key, tl__ocap); tl__orders[i].key; i = (i + 1) & (tl__ocap - 1))
    if (tl__orders[i].key == key) return &tl__orders[i];
  return NULL;
}

static int tl__orders_grow(void) {
  size_t cap = tl__ocap ? tl__ocap * 2 : 64, i, j;
  tl__order *t;
  if (cap > TL__EDGES_MAX) return -1;
  t = calloc(cap, sizeof *t);
  if (!t) return -1;
  for (i = 0; i < tl__ocap; i++) {
    if (!tl__orders[i].key) continue;
    for (j = tl__slot(tl__orders[i].key, cap); t[j].key; j = (j + 1) & (cap - 1)) {}
    t[j] = tl__orders[i];
  }
  free(tl__orders);
  tl__orders = t;
  tl__ocap = cap;
  return 0;
}

static tl__order *tl__order_add(uint64_t key) {
  tl__order *e = tl__order_find(key);
  size_t i;
  if (e) return e;
  if ((tl__on + 1) * 2 > tl__ocap && tl__orders_grow() != 0) return NULL;
  for (i = tl__slot(key, tl__ocap); tl__orders[i].key; i = (i + 1) & (tl__ocap - 1)) {}
  tl__orders[i].key = key;
  tl__on++;
  return &tl__orders[i];
}

/* t, holding x, has just taken y. */
static void tl__order_seen(const tl_lockhdr *x, const tl_lockhdr *y, const tl_thread *t) {
  tl__order *e, *back;
  char msg[512];
  if (x == y || !x->id || !y->id) return;
  e = tl__order_add((uint64_t)x->id << 32 | y->id);
  if (!e) return; /* too many pairs to follow: keep what there is */
  if (!e->tid) {
    e->tid = t->id;
    snprintf(e->tname, sizeof e->tname, "%s", t->name);
  }
  back = tl__order_find((uint64_t)y->id << 32 | x->id);
  if (!back || back->tid == t->id || e->warned || back->warned) return;
  e->warned = back->warned = 1;
  snprintf(msg, sizeof msg,
           "threadlab: warning: lock order: %s took %s %s then %s %s, but %s took "
           "%s %s then %s %s; run at the same time, they can deadlock\n",
           t->name, tl_obj_type_name(x->type), x->name, tl_obj_type_name(y->type), y->name,
           back->tname, tl_obj_type_name(y->type), y->name, tl_obj_type_name(x->type), x->name);
  tl_write_out(1, msg, strlen(msg));
}

void tl__held_add(tl_lockhdr *k, tl_thread *t) {
  tl_lockhdr *x;
  int depth = 0;
  if (k->held_by) return;
  for (x = t->held; x && depth < TL__ORDER_DEPTH; x = x->hnext, depth++)
    tl__order_seen(x, k, t);
  k->hprev = NULL;
  k->hnext = t->held;
  if (k->hnext) k->hnext->hprev = k;
  t->held = k;
  k->held_by = t;
}

void tl__held_remove(tl_lockhdr *k) {
  tl_thread *t = k->held_by;
  if (!t) return;
  if (k->hprev) k->hprev->hnext = k->hnext;
  else t->held = k->hnext;
  if (k->hnext) k->hnext->hprev = k->hprev;
  k->hnext = k->hprev = NULL;
  k->held_by = NULL;
}

/* Forgets the orders seen (a fresh world). */
void tl__lock_order_reset(void) {
  free(tl__orders);
  tl__orders = NULL;
  tl__ocap = tl__on = 0;
}
