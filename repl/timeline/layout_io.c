/* Waits on descriptors: a lane "waits for I/O" from IO_WAIT to IO_READY;
 * the last write on the channel (a pipe, a connection) before the reader
 * could go on is an arrow from the writer to it; a select/poll/epoll
 * return with something ready is a marker naming its ready set. */
#include "layout_private.h"

int tl__on_io_wait(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  struct tl__lane_sm *s = &l->lanes[lane].sm;
  s->io = 1;
  s->io_new = 1;
  s->io_text = (uint32_t)e->arg;
  s->io_t = e->t;
  s->stamp_io = l->stamp;
  return tl__refresh(l, lane, e->t);
}

int tl__on_io_ready(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  struct tl__lane_sm *s = &l->lanes[lane].sm;
  int waited = s->io;
  uint64_t since = s->io_t;
  const tl__obj *k;
  s->io = 0;
  if (tl__refresh(l, lane, e->t)) return -1;
  if (waited && (e->reason & 0x7fff) && e->obj && (k = tl__obj_find(l, e->obj)) &&
      k->sig_lane >= 0 && k->sig_lane != lane && k->sig_t >= since &&
      tl__arrow(l, TL_ARROW_IO, k->sig_lane, lane, k->sig_t, e->t, e->obj, 0))
    return -1;
  return (e->reason & 0x8000) && (e->reason & 0x7fff) ? tl__marker(l, e, proc, lane) : 0;
}

int tl__on_io_write(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e) {
  tl__obj *k;
  if (!e->obj) return 0;
  if (!(k = tl__obj_get(l, e->obj))) return -1;
  k->sig_lane = lane;
  k->sig_t = e->t;
  return 0;
}
