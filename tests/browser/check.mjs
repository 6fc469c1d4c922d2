// Opens HTML recordings in headless Chromium (Debian's, driven by
// puppeteer-core) and checks each the way a student uses it:
//   node check.mjs CHROMIUM PAGE.html[:PAGE.svg] ...
// fails on any console error, page error or request for anything but the
// page itself; drives a wheel zoom at the pointer and a hover through the
// page's own script (at the deepest zoom too, once its tiles are shown,
// and over the widest finished wait for a lock, which names who held it);
// checks that the browser draws the SVG recording's
// lanes and labels (every text of the .svg, laid out inside the picture,
// and the page's picture drawn on a canvas is the .svg's, pixel for pixel);
// saves a screenshot beside the page (PAGE.html.png) and prints the
// load-to-first-paint time and how long a step of a drag at the deepest
// zoom takes to paint.
import puppeteer from 'puppeteer-core';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [chromium, ...pages] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), 'tl-chromium-'));
const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  userDataDir: profile,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let failed = 0;

function svgTexts(svg) {
  const out = new Set();
  for (const m of svg.matchAll(/<text [^>]*>([^<]*)/g)) {
    const t = m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'").replace(/&#10;/g, '\n').replace(/&amp;/g, '&');
    if (t.trim()) out.add(t);
  }
  return out;
}

for (const arg of pages) {
  const [html, svgPath] = arg.split(':');
  const url = 'file://' + html;
  const problems = [];
  const page = await browser.newPage();
  await page.setViewport({ width: 1600, height: 1000 });
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    if (r.url() === url || r.url().startsWith('data:')) r.continue();
    else { problems.push('fetched ' + r.url()); r.abort(); }
  });
  await page.goto(url, { waitUntil: 'load' });
  // from the start of the navigation to the first frame painted after
  // load (headless Chromium may report no paint timing entries)
  const paint = await page.evaluate(() => new Promise((done) => {
    const p = performance.getEntriesByType('paint')[0];
    if (p) done(p.startTime);
    else requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now())));
  }));
  // a wheel zoom at the pointer: the picture point under it stays put
  const box = await (await page.$('#tl')).boundingBox();
  const px = box.x + box.width * 0.4, py = box.y + box.height * 0.3;
  const before = await page.evaluate(() => window.threadlab.view());
  await page.mouse.move(px, py);
  await page.mouse.wheel({ deltaY: -300 });
  await new Promise((r) => setTimeout(r, 100));
  const after = await page.evaluate(() => window.threadlab.view());
  const under = (v) => v.x + (px - box.x) / box.width * v.w;
  if (!(after.w < before.w * 0.8)) problems.push(`the wheel did not zoom (${before.w} -> ${after.w})`);
  if (Math.abs(under(after) - under(before)) > 1) problems.push('the zoom moved the point under the pointer');
  // deep zoom swaps in the finer pictures, each showing the same time
  const deep = await page.evaluate(() => {
    const t = window.threadlab, out = [];
    const lv = document.querySelectorAll('#view .lv');
    const mid = (+lv[0].dataset.px0 + +lv[0].dataset.px1) / 2;
    for (let i = 0; i < 12; i++) {
      const v = t.zoom(0.5, mid, 150);
      const shown = [...lv].filter((d) => !d.hidden);
      const s = shown[0] && shown[0].querySelector('svg').viewBox.baseVal;
      const d = shown[0];
      // the time at the view's middle, read back from the level shown
      const sx = (d.dataset.px1 - d.dataset.px0) / (lv[0].dataset.px1 - lv[0].dataset.px0);
      const back = +lv[0].dataset.px0 + (s.x + s.width / 2 - d.dataset.px0) / sx;
      out.push({ level: t.view().level, shown: shown.length, back, want: v.x + v.w / 2 });
    }
    return { out, levels: t.levels };
  });
  for (const s of deep.out) {
    if (s.shown !== 1) problems.push(`${s.shown} pictures shown at once`);
    if (Math.abs(s.back - s.want) > 0.5) problems.push(`level ${s.level} shows another time (${s.back} for ${s.want})`);
  }
  if (deep.out[deep.out.length - 1].level !== deep.levels - 1)
    problems.push(`deep zoom stopped at level ${deep.out[deep.out.length - 1].level} of ${deep.levels}`);
  const finest = await page.evaluate(() => {
    const lv = document.querySelectorAll('#view .lv');
    return +lv[lv.length - 1].dataset.nsPx / 1000;
  });
  // there, the tiles near the view are shown (and only those)
  await page.evaluate(() => window.threadlab.ready());
  const tiles = await page.evaluate(() => {
    const d = [...document.querySelectorAll('#view .lv')].find((e) => !e.hidden);
    const all = d.querySelectorAll('svg.tile');
    return { n: all.length, shown: [...all].filter((t) => t.childElementCount).length };
  });
  if (tiles.n && !tiles.shown) problems.push('deep zoom: no tile of the picture shown');
  if (tiles.n && tiles.shown > 4) problems.push(`deep zoom: ${tiles.shown} of ${tiles.n} tiles in the page`);
  // a hover at the deepest zoom, over the middle of the widest lane bar
  // (zoomed into from the whole run; a finer level keeps its lanes' height)
  const deepSpot = tiles.n && await page.evaluate(async () => {
    const t = window.threadlab, lv = [...document.querySelectorAll('#view .lv')].map((d) => d.dataset);
    let best = null, bw = 0;
    t.reset();
    for (const r of document.querySelectorAll('#tl rect[data-l][data-tip]')) {
      const b = r.getBBox();
      if (b.width > bw) { bw = b.width; best = b; }
    }
    if (!best) return null;
    const x = best.x + best.width / 2, y = best.y + best.height / 2;
    for (let i = 0; i < 12; i++) t.zoom(0.5, x, y);
    await t.ready();
    const L = lv[t.view().level], s = document.getElementById('tl' + t.view().level);
    const vb = s.viewBox.baseVal, r = s.getBoundingClientRect();
    const xk = +L.px0 + (x - lv[0].px0) * (L.px1 - L.px0) / (lv[0].px1 - lv[0].px0);
    const yk = +L.ly + (y - lv[0].ly);
    return { x: r.left + (xk - vb.x) / vb.width * r.width, y: r.top + (yk - vb.y) / vb.height * r.height };
  });
  if (deepSpot) {
    await page.mouse.move(deepSpot.x, deepSpot.y);
    const got = await page.evaluate((p) => {
      const t = document.getElementById('tip'), el = document.elementFromPoint(p.x, p.y);
      const under = el && el.closest('.tile [data-tip]');
      return { tip: t.hidden ? '' : t.textContent, want: under ? under.getAttribute('data-tip') : '' };
    }, deepSpot);
    if (!got.want || got.tip !== got.want)
      problems.push(`deep zoom hover: tooltip [${got.tip}], want [${got.want}] (of an item of a tile)`);
  }
  // a lane in focus lights up in tiles shown after it was chosen
  // (a lane with items here, chosen at level 0: the tiles come back)
  const lit = tiles.n && await page.evaluate(async () => {
    const t = window.threadlab, v = t.view(), shown = () => [...document.querySelectorAll('#view .lv')]
      .find((e) => !e.hidden).querySelectorAll('svg.tile [data-l]');
    const one = shown()[0], lane = one ? +one.getAttribute('data-l') : 0;
    t.reset();
    t.focus(lane);
    t.zoom(v.w / t.view().w, v.x + v.w / 2, v.y + v.h / 2);
    await t.ready();
    const on = [...shown()].some((x) => x.classList.contains('hl'));
    t.focus(lane);
    return on;
  });
  if (tiles.n && !lit) problems.push('deep zoom: a lane in focus is not lit in tiles shown later');
  // a drag at that depth: how long each step takes to be painted
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  const t0 = Date.now();
  for (let i = 1; i <= 30; i++) {
    await page.mouse.move(box.x + box.width / 2 - 8 * i, box.y + box.height / 2);
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done())));
  }
  const panMs = (Date.now() - t0) / 30;
  await page.mouse.up();
  await page.evaluate(() => window.threadlab.ready());
  await page.screenshot({ path: html + '.deep.png' });
  await page.evaluate(() => window.threadlab.reset());
  // a hover over the widest lane bar shows the tooltip of what is under
  // the pointer there (a bar, or a marker drawn over it)
  const spot = await page.evaluate(() => {
    let best = null, bw = 0;
    for (const r of document.querySelectorAll('#tl rect[data-l][data-tip]')) {
      const b = r.getBoundingClientRect();
      if (b.width > bw) { bw = b.width; best = b; }
    }
    return best && { x: best.x + best.width / 2, y: best.y + best.height / 2 };
  });
  if (!spot) problems.push('no lane bar with a tooltip');
  else {
    await page.mouse.move(spot.x, spot.y);
    const got = await page.evaluate((p) => {
      const t = document.getElementById('tip'), el = document.elementFromPoint(p.x, p.y);
      const under = el && el.closest('[data-tip]');
      return { tip: t.hidden ? '' : t.textContent, want: under ? under.getAttribute('data-tip') : '' };
    }, spot);
    if (!got.want) problems.push('hover: nothing with a tooltip under the middle of the widest bar');
    else if (got.tip !== got.want) problems.push(`hover: tooltip [${got.tip}], want [${got.want}]`);
  }
  // a finished wait for a lock: its hover names who held the lock
  const wait = await page.evaluate(() => {
    let best = null, bw = 0;
    for (const r of document.querySelectorAll('#tl rect[data-l][data-tip*="blocked on"]')) {
      const b = r.getBoundingClientRect();
      if (!/ – now\)$/.test(r.getAttribute('data-tip')) && b.width > bw) { bw = b.width; best = b; }
    }
    return best && { x: best.x + best.width / 2, y: best.y + best.height / 2 };
  });
  let held = '';
  if (wait) {
    await page.mouse.move(wait.x, wait.y);
    held = await page.evaluate(() => {
      const t = document.getElementById('tip');
      return t.hidden ? '' : t.textContent;
    });
    if (!/blocked on .*\), held by /.test(held)) problems.push(`hover over a finished wait: [${held}]`);
  }
  // the browser draws the SVG recording's texts, inside the picture
  if (svgPath) {
    const want = svgTexts(readFileSync(svgPath, 'utf8'));
    const drawn = await page.evaluate(() => {
      const s = document.getElementById('tl'), vb = s.viewBox.baseVal, out = [];
      for (const t of s.querySelectorAll('text')) {
        const b = t.getBBox();
        if (b.width > 0 && b.x >= -1 && b.x + b.width <= vb.width + 1 && b.y >= -1 &&
            b.y + b.height <= vb.height + 1)
          out.push(t.firstChild ? t.firstChild.nodeValue : '');
      }
      return out;
    });
    const got = new Set(drawn);
    const missing = [...want].filter((t) => !got.has(t));
    if (missing.length) problems.push(`texts of the SVG not drawn: ${missing.slice(0, 5).join(' | ')}`);
  }
  // the page's picture and the SVG recording, drawn by this browser side by
  // side on canvases: the same pixels (the same display list, one painter)
  if (svgPath) {
    const inPage = await page.evaluate(() => {
      const s = document.getElementById('tl').cloneNode(true);
      s.removeAttribute('class'); // no lane in focus
      return new XMLSerializer().serializeToString(s);
    });
    const alone = readFileSync(svgPath, 'utf8');
    const cmp = await browser.newPage();
    const diff = await cmp.evaluate(async (a, b) => {
      const draw = (text) => new Promise((done, fail) => {
        const img = new Image();
        img.onload = () => {
          const c = document.createElement('canvas');
          c.width = img.naturalWidth; c.height = img.naturalHeight;
          const g = c.getContext('2d');
          g.drawImage(img, 0, 0);
          done(g.getImageData(0, 0, c.width, c.height));
        };
        img.onerror = () => fail(new Error('an SVG did not load'));
        img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(text);
      });
      const [x, y] = [await draw(a), await draw(b)];
      if (x.width !== y.width || x.height !== y.height)
        return `sizes ${x.width}x${x.height} and ${y.width}x${y.height}`;
      let n = 0;
      for (let i = 0; i < x.data.length; i++) if (x.data[i] !== y.data[i]) n++;
      return n ? `${n} bytes of ${x.data.length} differ` : '';
    }, inPage, alone);
    await cmp.close();
    if (diff) problems.push('the page\'s picture is not the SVG recording: ' + diff);
  }
  await page.screenshot({ path: html + '.png' });
  await page.close();
  const name = html.split('/').pop();
  if (problems.length) {
    failed++;
    console.log(`FAIL  ${name}\n      ${problems.join('\n      ')}`);
  } else {
    console.log(`ok    ${name}  first paint ${paint.toFixed(0)} ms, ${deep.levels} levels ` +
                `(finest ${finest.toPrecision(3)} µs a pixel, ${tiles.n} tiles, ${tiles.shown} shown), ` +
                `a pan step at the deepest ${panMs.toFixed(0)} ms` +
                (held ? `; a finished wait: ${held}` : ''));
  }
}
await browser.close();
rmSync(profile, { recursive: true, force: true });
console.log(`${pages.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
