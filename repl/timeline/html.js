/* The recording's page: zoom, pan, tooltips, lane focus, steps. It reads
 * only the page itself: the pictures the C painter wrote (one per level of
 * detail, each 4 times wider than the one before; a wider one in tiles,
 * deflated, that are inflated and shown only near the view) and the steps
 * list. */
(function () {
  'use strict';
  var view = document.getElementById('view');
  var tip = document.getElementById('tip'), narr = document.getElementById('narr');
  var lv = [].slice.call(document.querySelectorAll('#view .lv')).map(function (div) {
    var s = div.querySelector('svg');
    return { div: div, svg: s, f: +div.getAttribute('data-f'),
             px0: +div.getAttribute('data-px0'), px1: +div.getAttribute('data-px1'),
             ly: +div.getAttribute('data-ly'),
             W: s.viewBox.baseVal.width, H: s.viewBox.baseVal.height,
             tiles: [].slice.call(s.querySelectorAll('svg.tile')).map(function (t) {
               var x = +t.getAttribute('x'), z = t.getAttribute('data-z');
               t.removeAttribute('data-z');
               return { el: t, x0: x, x1: x + +t.getAttribute('width'), z: z, text: null,
                        shown: false, busy: false, want: false };
             }) };
  });
  /* a browser that cannot inflate keeps the pictures it can show as they are */
  if (!window.DecompressionStream) lv = lv.filter(function (L) { return !L.tiles.length; });
  var svg = lv[0].svg, W = lv[0].W, H = lv[0].H, cur = 0;
  /* every level takes level 0's place: its size, not its own wide one */
  lv.forEach(function (L) { L.svg.style.aspectRatio = W + ' / ' + H; });
  var zmax = Math.max(8, 4 * lv[lv.length - 1].f);
  /* The view in level 0's units; a finer level shows the same time. */
  var vb = { x: 0, y: 0, w: W, h: H }, drag = null, lane = -1;

  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }
  function box(s, x, y, w, h) {
    s.setAttribute('viewBox', [x, y, w, h].map(function (v) { return v.toFixed(2); }).join(' '));
  }
  function apply() {
    var k = 0, L, sx, w, h, yc, x;
    vb.w = clamp(vb.w, W / zmax, W);
    vb.h = vb.w * H / W;
    vb.x = clamp(vb.x, 0, W - vb.w);
    vb.y = clamp(vb.y, 0, H - vb.h);
    while (k + 1 < lv.length && lv[k + 1].f <= W / vb.w + 1e-9) k++;
    if (k !== cur) {
      lv[cur].div.hidden = true;
      lv[cur].tiles.forEach(unload);
      lv[k].div.hidden = false;
      cur = k;
    }
    if (!k) return box(svg, vb.x, vb.y, vb.w, vb.h);
    /* the same span of time across, the lanes where they were */
    L = lv[k];
    sx = (L.px1 - L.px0) / (lv[0].px1 - lv[0].px0);
    w = vb.w * sx;
    h = w * H / W;
    yc = L.ly + (vb.y + vb.h / 2 - lv[0].ly);
    x = L.px0 + (vb.x - lv[0].px0) * sx;
    box(L.svg, x, h >= L.H ? (L.H - h) / 2 : clamp(yc - h / 2, 0, L.H - h), w, h);
    near(L, x, x + w);
  }

  /* Tiles: those within a view's width of it are shown (inflated once,
   * then kept as text); those far from it leave the page, so a picture of
   * a quarter of a million states pans as lightly as a small one. */
  var pending = 0, idle = [];
  function inflate(b64) {
    var bin = atob(b64), u = new Uint8Array(bin.length), i;
    for (i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
    return new Response(new Blob([u]).stream().pipeThrough(new DecompressionStream('deflate'))).text();
  }
  function put(t) {
    t.el.innerHTML = t.text;
    tips(t.el);
    mark(t.el);
    t.shown = true;
  }
  function unload(t) {
    if (t.shown) t.el.textContent = '';
    t.shown = t.want = false;
  }
  function settle() {
    if (--pending) return;
    idle.splice(0).forEach(function (done) { done(); });
  }
  function near(L, x0, x1) {
    var m = x1 - x0;
    L.tiles.forEach(function (t) {
      t.want = t.x1 > x0 - m && t.x0 < x1 + m;
      if (!t.want) {
        if (t.x1 < x0 - 3 * m || t.x0 > x1 + 3 * m) unload(t);
      } else if (!t.shown && t.text !== null) {
        put(t);
      } else if (!t.shown && !t.busy) {
        t.busy = true;
        pending++;
        inflate(t.z).then(function (text) {
          t.text = text;
          t.z = null;
          if (t.want && !t.shown && lv[cur] === L) put(t);
        }, function (e) { console.error('a tile of the picture: ' + e); })
          .then(function () { t.busy = false; settle(); });
      }
    });
  }
  /* Page pixels to level 0's units (every level keeps its aspect). */
  function at(cx, cy) {
    var r = lv[cur].svg.getBoundingClientRect();
    return { x: vb.x + (cx - r.left) / r.width * vb.w, y: vb.y + (cy - r.top) / r.height * vb.h };
  }
  /* Zoom by f (< 1: closer) keeping the picture point p where it is. */
  function zoom(f, p) {
    var w = clamp(vb.w * f, W / zmax, W);
    f = w / vb.w;
    vb.x = p.x - (p.x - vb.x) * f;
    vb.y = p.y - (p.y - vb.y) * f;
    vb.w = w;
    apply();
  }
  function reset() { vb = { x: 0, y: 0, w: W, h: H }; apply(); }

  view.addEventListener('wheel', function (e) {
    e.preventDefault();
    zoom(Math.exp(clamp(e.deltaY, -300, 300) * 0.002), at(e.clientX, e.clientY));
  }, { passive: false });
  view.addEventListener('pointerdown', function (e) {
    drag = { x: e.clientX, y: e.clientY, vx: vb.x, vy: vb.y, moved: false };
    view.setPointerCapture(e.pointerId);
  });
  view.addEventListener('pointermove', function (e) {
    if (drag) {
      var r = lv[cur].svg.getBoundingClientRect(), dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      if (drag.moved) {
        view.classList.add('drag');
        tip.hidden = true;
        vb.x = drag.vx - dx / r.width * vb.w;
        vb.y = drag.vy - dy / r.height * vb.h;
        apply();
        return;
      }
    }
    var el = e.target.closest ? e.target.closest('[data-tip]') : null;
    if (!el) { tip.hidden = true; return; }
    tip.textContent = el.getAttribute('data-tip');
    tip.hidden = false;
    tip.style.left = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 4) + 'px';
    tip.style.top = (e.clientY + 16) + 'px';
  });
  view.addEventListener('pointerleave', function () { tip.hidden = true; });
  view.addEventListener('pointerup', function (e) {
    var moved = drag && drag.moved, el;
    drag = null;
    view.classList.remove('drag');
    if (moved) return;
    el = e.target.closest ? e.target.closest('[data-l]') : null;
    focus(el ? +el.getAttribute('data-l') : -1);
  });
  view.addEventListener('dblclick', reset);

  /* A lane and all it touches (arrows from or to it) stay; the rest fades,
   * at every level. */
  function mark(root) {
    var all = root.querySelectorAll('[data-l],[data-m]'), i, el;
    for (i = 0; i < all.length; i++) {
      el = all[i];
      el.classList.toggle('hl', lane >= 0 && (+el.getAttribute('data-l') === lane ||
                                              el.getAttribute('data-m') === String(lane)));
    }
  }
  function focus(n) {
    lane = n === lane ? -1 : n;
    for (var i = 0; i < lv.length; i++) lv[i].svg.classList.toggle('focus', lane >= 0);
    mark(view);
  }

  /* The browser's own tooltip would sit on top of ours: the <title> texts
   * (kept in the file for readers without a script) become data-tip. */
  function tips(root) {
    var ts = root.querySelectorAll('title'), i, p;
    for (i = 0; i < ts.length; i++) {
      p = ts[i].parentNode;
      if (p.tagName === 'svg') continue;
      p.setAttribute('data-tip', ts[i].textContent);
      p.removeChild(ts[i]);
    }
  }
  tips(view);

  var steps = document.querySelectorAll('#steps li'), langs = document.querySelectorAll('[data-lang]');
  function show(k) {
    var li = steps[k], x0, x1, w, note;
    for (var i = 0; i < steps.length; i++) steps[i].classList.toggle('on', i === k);
    if (!li) return;
    x0 = +li.getAttribute('data-x0');
    x1 = +li.getAttribute('data-x1');
    w = Math.max(x1 - x0, W / zmax) * 1.1;
    vb.w = w; vb.h = w * H / W;
    vb.x = x0 - w * 0.05;
    vb.y = 0;
    apply();
    note = li.querySelector('.note:not([hidden])');
    narr.textContent = note ? note.textContent : '';
  }
  for (var s = 0; s < steps.length; s++)
    steps[s].addEventListener('click', show.bind(null, s));
  function lang(code) {
    var els = document.querySelectorAll('body [lang]'), i;
    for (i = 0; i < els.length; i++) els[i].hidden = els[i].getAttribute('lang') !== code;
    for (i = 0; i < langs.length; i++)
      langs[i].classList.toggle('on', langs[i].getAttribute('data-lang') === code);
    for (i = 0; i < steps.length; i++) if (steps[i].classList.contains('on')) show(i);
  }
  for (var b = 0; b < langs.length; b++)
    langs[b].addEventListener('click', lang.bind(null, langs[b].getAttribute('data-lang')));

  /* For tests and the console: the page's own controls. */
  window.threadlab = {
    zoom: function (f, x, y) { zoom(f, { x: x, y: y }); return vb; },
    view: function () { return { x: vb.x, y: vb.y, w: vb.w, h: vb.h, level: cur, f: lv[cur].f }; },
    levels: lv.length,
    /* resolves once the tiles asked for are shown */
    ready: function () { return new Promise(function (done) { if (pending) idle.push(done); else done(); }); },
    reset: reset, focus: focus, step: show, lang: lang
  };
})();
