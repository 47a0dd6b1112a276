'use strict';
// The review page: the server renders every picture (the code of 'landmarks draw') and says where each landmark falls
// on it; this script only zooms, pans, draws the marks and sends corrections in world millimetres.
(() => {
  const $ = id => document.getElementById(id);
  const state = {
    cases: [],          // the case list, in the server's order (most doubtful first), kept for the session
    caseIndex: -1,
    detail: null,       // the current case: landmarks with positions (world mm), confidence, presence, grid index
    selected: 0,        // index of the selected landmark
    views: [],
    window: null,       // {low, high} chosen by the user; null: each image's automatic window
    pending: new Set(), // requests in flight, so a test (or the user) can wait for the page to settle
    timings: { firstCaseMs: null, lastSliceMs: null },
  };

  async function api(path, options) {
    const response = await fetch(path, options);
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    return response;
  }

  function track(promise) {
    state.pending.add(promise);
    promise.catch(e => status(e.message, true)).finally(() => state.pending.delete(promise));
    return promise;
  }

  function status(text, error = false) {
    $('status').textContent = text;
    $('status').classList.toggle('error', error);
  }

  const norm = v => Math.hypot(v[0], v[1], v[2]);
  const aspectOf = g => norm(g.down) / norm(g.right);
  const caseUrl = () => `/api/cases/${encodeURIComponent(state.detail.id)}`;
  const selectedLandmark = () => state.detail?.landmarks[state.selected];

  function colourOf(l) {
    if (!l.present) return '#9a9a9a';
    if (l.corrected) return '#4ea8ff';
    const c = Math.max(0, Math.min(1, l.confidence ?? 0));
    return `hsl(${Math.round(120 * c)}, 85%, 50%)`;
  }

  /** One picture of the case: a 2D image, or a slice across one grid axis of a volume. */
  class View {
    constructor(axis) {
      this.axis = axis;
      this.box = document.createElement('div');
      this.box.className = 'view';
      this.canvas = document.createElement('canvas');
      this.caption = document.createElement('div');
      this.caption.className = 'caption';
      this.box.append(this.canvas, this.caption);
      this.geometry = null;
      this.picture = null;
      this.slice = null;
      this.zoom = null;
      this.offset = [0, 0];
      this.sequence = 0;
      this.gesture = null;
      this.listen();
    }

    get aspect() { return aspectOf(this.geometry); }
    get mmPerScreenPixel() { return this.geometry ? norm(this.geometry.right) / this.zoom : null; }

    /** Screen position (CSS pixels in the canvas) of pixel coordinates (pixel centres at integers). */
    toScreen(x, y) { return [this.offset[0] + (x + 0.5) * this.zoom, this.offset[1] + (y + 0.5) * this.zoom * this.aspect]; }
    toPixel(sx, sy) { return [(sx - this.offset[0]) / this.zoom - 0.5, (sy - this.offset[1]) / (this.zoom * this.aspect) - 0.5]; }

    /** The world point (mm) of pixel coordinates, moved off the view's plane by offPlaneMm along its normal. */
    toWorld(x, y, offPlaneMm = 0) {
      const g = this.geometry;
      const n = g.normal;
      return [0, 1, 2].map(a => g.origin[a] + g.right[a] * x + g.down[a] * y + n[a] * offPlaneMm);
    }

    query() {
      let q = `axis=${this.axis}`;
      if (this.slice !== null) q += `&slice=${this.slice}`;
      return q;
    }

    /** Fetches the view's geometry and picture; an older answer arriving late is dropped. */
    load() {
      const sequence = ++this.sequence;
      const started = performance.now();
      const geometry = api(`${caseUrl()}/view?${this.query()}`).then(r => r.json());
      // How far the picture is reduced depends on the zoom: on the first load, the zoom that fits the view's grid.
      if (this.zoom === null) this.fit(this.gridShape());
      const picture = this.fetchPicture();
      return track(Promise.all([geometry, picture]).then(([g, [image, reduce]]) => {
        if (sequence !== this.sequence) return;
        this.geometry = g;
        this.slice = g.slice;
        this.picture = image;
        this.pictureReduce = reduce;
        this.draw();
        state.timings.lastViewMs = performance.now() - started;
        if (state.timings.firstCaseMs === null) state.timings.firstCaseMs = performance.now();
      }));
    }

    /** Blocks of this many pixels a side averaged into one picture pixel: as many as the screen shows one pixel for
     * (a power of two), so a large image shown small crosses the wire light, and sharpens when zoomed into. */
    wantedReduce() {
      const screenPixelsPerPixel = this.zoom * Math.max(1, aspectOf(this.geometry ?? this.gridShape())) * (window.devicePixelRatio || 1);
      let reduce = 1;
      while (reduce < 16 && reduce * 2 * screenPixelsPerPixel <= 1) reduce *= 2;
      return reduce;
    }

    fetchPicture(reduce = this.wantedReduce()) {
      const windowQuery = state.window ? `&low=${state.window.low}&high=${state.window.high}` : '';
      const picture = new Image();
      picture.src = `${caseUrl()}/view.png?${this.query()}${windowQuery}&reduce=${reduce}`;
      return picture.decode().then(() => [picture, reduce]);
    }

    /** After a zoom, fetches a picture of the detail now shown, when it differs. */
    sharpen() {
      const request = this.sharpenRequest = {};
      track(new Promise(resolve => setTimeout(resolve, 120)).then(() => {
        const reduce = this.wantedReduce();
        if (request !== this.sharpenRequest || reduce === this.pictureReduce) return;
        const sequence = this.sequence;
        return this.fetchPicture(reduce).then(([picture]) => {
          if (sequence !== this.sequence) return;
          this.picture = picture;
          this.pictureReduce = reduce;
          this.draw();
        });
      }));
    }

    /** Fetches where the landmarks now fall, after a correction; the picture stays. */
    refreshLandmarks() {
      if (!this.geometry) return Promise.resolve();
      const sequence = this.sequence;
      return track(api(`${caseUrl()}/view?${this.query()}`).then(r => r.json()).then(geometry => {
        if (sequence !== this.sequence) return;
        this.geometry = geometry;
        this.draw();
      }));
    }

    /** The size and pixel aspect of this view, from the case's grid, before the server has described the view: a view
     * across grid axis a shows the other two axes in grid order. */
    gridShape() {
      const { size, spacing } = state.detail;
      const [u, v] = this.axis === 0 ? [1, 2] : this.axis === 1 ? [0, 2] : [0, 1];
      return { width: size[u], height: size[v], right: [spacing[u], 0, 0], down: [0, spacing[v], 0] };
    }

    fit(g = this.geometry) {
      const { width, height } = this.box.getBoundingClientRect();
      const aspect = aspectOf(g);
      this.zoom = 0.98 * Math.min(width / g.width, height / (g.height * aspect));
      this.offset = [(width - g.width * this.zoom) / 2, (height - g.height * this.zoom * aspect) / 2];
    }

    setSlice(slice) {
      if (!this.geometry || this.geometry.slices <= 1) return;
      slice = Math.max(0, Math.min(this.geometry.slices - 1, slice));
      if (slice === this.slice) return;
      this.slice = slice;
      const started = performance.now();
      this.load().then(() => { state.timings.lastSliceMs = performance.now() - started; });
    }

    zoomAbout(sx, sy, factor) {
      this.offset = [sx - (sx - this.offset[0]) * factor, sy - (sy - this.offset[1]) * factor];
      this.zoom *= factor;
      this.draw();
      this.sharpen();
      showScale(this);
    }

    /** Brings pixel coordinates into sight when they are off screen. */
    reveal(x, y) {
      const { width, height } = this.box.getBoundingClientRect();
      const [sx, sy] = this.toScreen(x, y);
      if (sx < 20 || sy < 20 || sx > width - 20 || sy > height - 20) {
        this.offset[0] += width / 2 - sx;
        this.offset[1] += height / 2 - sy;
      }
    }

    /** The landmark mark under a screen position, if any (within 9 px). */
    markAt(sx, sy) {
      let best = null, bestDistance = 9;
      for (const m of this.geometry?.landmarks ?? []) {
        if (!m.onView) continue;
        const [x, y] = this.toScreen(m.x, m.y);
        const d = Math.hypot(x - sx, y - sy);
        if (d <= bestDistance) { best = m; bestDistance = d; }
      }
      return best;
    }

    draw() {
      const g = this.geometry;
      if (!g || !this.picture) return;
      const ratio = window.devicePixelRatio || 1;
      const { width, height } = this.box.getBoundingClientRect();
      if (this.canvas.width !== Math.round(width * ratio) || this.canvas.height !== Math.round(height * ratio)) {
        this.canvas.width = Math.round(width * ratio);
        this.canvas.height = Math.round(height * ratio);
      }
      const ctx = this.canvas.getContext('2d');
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, width, height);
      ctx.imageSmoothingEnabled = this.zoom < 2;
      // A reduced picture's pixel (0, 0) covers the first block of image pixels: it starts where pixel (0, 0) does.
      const extent = [this.picture.naturalWidth * this.pictureReduce, this.picture.naturalHeight * this.pictureReduce];
      ctx.drawImage(this.picture, this.offset[0], this.offset[1], extent[0] * this.zoom, extent[1] * this.zoom * this.aspect);

      for (const r of g.references ?? []) {
        const [x, y] = this.toScreen(r.x, r.y);
        ctx.strokeStyle = '#33e0ff';
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.moveTo(x - 5, y); ctx.lineTo(x + 5, y); ctx.moveTo(x, y - 5); ctx.lineTo(x, y + 5);
        ctx.stroke();
      }

      const selected = selectedLandmark();
      ctx.font = '12px "DejaVu Sans", sans-serif';
      ctx.textBaseline = 'middle';
      for (const m of g.landmarks) {
        const l = state.detail.landmarks.find(d => d.name === m.name);
        const isSelected = l === selected;
        if (!m.onView && !isSelected) continue;
        let [x, y] = this.toScreen(m.x, m.y);
        if (this.gesture?.kind === 'move' && this.gesture.name === m.name) [x, y] = this.gesture.at;
        ctx.globalAlpha = m.onView ? 1 : 0.45;
        ctx.setLineDash(l.present ? [] : [3, 3]);
        ctx.strokeStyle = isSelected ? '#ffffff' : '#000000';
        ctx.lineWidth = isSelected ? 2.5 : 1.5;
        ctx.fillStyle = colourOf(l);
        ctx.beginPath();
        ctx.arc(x, y, isSelected ? 6 : 4.5, 0, 2 * Math.PI);
        if (l.present) ctx.fill();
        ctx.stroke();
        ctx.setLineDash([]);
        const label = l.present ? l.name : `${l.name} (absent)`;
        ctx.lineWidth = 3;
        ctx.strokeStyle = '#000';
        ctx.strokeText(label, x + 9, y);
        ctx.fillStyle = l.present ? colourOf(l) : '#c8c8c8';
        ctx.fillText(label, x + 9, y);
        ctx.globalAlpha = 1;
      }

      if (g.letters) {
        ctx.fillStyle = '#ffd75e';
        ctx.font = 'bold 13px "DejaVu Sans", sans-serif';
        ctx.textAlign = 'center';
        ctx.fillText(g.letters.top, width / 2, 10);
        ctx.fillText(g.letters.bottom, width / 2, height - 10);
        ctx.textAlign = 'left';
        ctx.fillText(g.letters.left, 4, height / 2);
        ctx.textAlign = 'right';
        ctx.fillText(g.letters.right, width - 4, height / 2);
        ctx.textAlign = 'left';
      }
      this.caption.textContent = g.slices > 1 ? `${g.name} ${g.slice + 1}/${g.slices}` : '';
    }

    listen() {
      const c = this.canvas;
      c.addEventListener('contextmenu', e => e.preventDefault());
      c.addEventListener('pointerdown', e => {
        if (!this.geometry) return;
        c.setPointerCapture(e.pointerId);
        const [sx, sy] = [e.offsetX, e.offsetY];
        if (e.button === 2) {
          const w = currentWindow();
          this.gesture = { kind: 'window', start: [sx, sy], level: (w.low + w.high) / 2, width: w.high - w.low };
          return;
        }
        if (e.button !== 0) return;
        const l = selectedLandmark();
        const mark = e.shiftKey ? null : this.markAt(sx, sy);
        if (mark) {
          select(state.detail.landmarks.findIndex(d => d.name === mark.name), false);
          this.gesture = { kind: 'move', name: mark.name, mark, start: [sx, sy], at: [sx, sy] };
        } else if (l && (e.shiftKey || !l.present || !l.position)) {
          const [x, y] = this.toPixel(sx, sy);
          correct(l.name, { position: this.toWorld(x, y) });
        } else this.gesture = { kind: 'pan', start: [sx, sy], offset: [...this.offset] };
      });
      c.addEventListener('pointermove', e => {
        state.hovered = this;
        const gesture = this.gesture;
        if (!gesture) return;
        const [sx, sy] = [e.offsetX, e.offsetY];
        const [dx, dy] = [sx - gesture.start[0], sy - gesture.start[1]];
        if (gesture.kind === 'move') gesture.at = [gesture.start[0] + dx, gesture.start[1] + dy];
        else if (gesture.kind === 'pan') this.offset = [gesture.offset[0] + dx, gesture.offset[1] + dy];
        else if (gesture.kind === 'window') {
          const width = Math.max(1e-6, gesture.width * Math.exp(dx / 200));
          const level = gesture.level - dy * gesture.width / 300;
          setWindow(level - width / 2, level + width / 2);
        }
        this.draw();
      });
      const end = e => {
        const gesture = this.gesture;
        this.gesture = null;
        if (gesture?.kind !== 'move') return;
        const [dx, dy] = [e.offsetX - gesture.start[0], e.offsetY - gesture.start[1]];
        if (Math.hypot(dx, dy) < 1) { this.draw(); return; }
        // The mark moves in the view's plane by the screen displacement; its distance off the plane is kept.
        const x = gesture.mark.x + dx / this.zoom;
        const y = gesture.mark.y + dy / (this.zoom * this.aspect);
        correct(gesture.name, { position: this.toWorld(x, y, gesture.mark.offPlaneMm) });
      };
      c.addEventListener('pointerup', end);
      c.addEventListener('pointercancel', () => { this.gesture = null; this.draw(); });
      c.addEventListener('wheel', e => {
        e.preventDefault();
        if (!this.geometry) return;
        const step = Math.sign(e.deltaY);
        if (this.geometry.slices > 1 && !e.ctrlKey) this.setSlice(this.slice - step);
        else this.zoomAbout(e.offsetX, e.offsetY, Math.pow(1.0015, -Math.max(-500, Math.min(500, e.deltaY))));
      }, { passive: false });
      c.addEventListener('pointerenter', () => { state.hovered = this; showScale(this); });
    }
  }

  function showScale(view) {
    if (view?.geometry) $('scale').textContent = `${view.mmPerScreenPixel.toPrecision(3)} mm per screen pixel`;
  }

  function currentWindow() {
    if (state.window) return state.window;
    const g = state.views[0]?.geometry;
    return g ? { low: g.low, high: g.high } : { low: 0, high: 1 };
  }

  function showWindow() {
    const w = currentWindow();
    $('level').value = +((w.low + w.high) / 2).toPrecision(5);
    $('width').value = +(w.high - w.low).toPrecision(5);
  }

  let windowTimer = 0;
  function setWindow(low, high) {
    state.window = low === null ? null : { low, high };
    showWindow();
    clearTimeout(windowTimer);
    windowTimer = setTimeout(() => state.views.forEach(v => v.load()), 60);
  }

  function renderCaseList() {
    const list = $('case-list');
    list.replaceChildren(...state.cases.map((c, n) => {
      const li = document.createElement('li');
      li.dataset.case = c.id;
      li.classList.toggle('current', n === state.caseIndex);
      const figure = c.maxErrorMm != null ? `${c.maxErrorMm.toFixed(1)} mm` : c.minConfidence != null ? `${c.minConfidence.toFixed(2)}` : '';
      li.innerHTML = `<span class="name"></span><span class="figure"></span>`;
      li.querySelector('.name').textContent = c.id;
      li.querySelector('.figure').textContent = figure;
      if (c.absent > 0) li.insertAdjacentHTML('beforeend', `<span class="tag absent">${c.absent} absent</span>`);
      if (c.corrected > 0) li.insertAdjacentHTML('beforeend', `<span class="tag corrected">${c.corrected} fixed</span>`);
      li.addEventListener('click', () => openCase(n));
      return li;
    }));
  }

  function renderLandmarkList() {
    const list = $('landmark-list');
    list.replaceChildren(...state.detail.landmarks.map((l, n) => {
      const li = document.createElement('li');
      li.dataset.landmark = l.name;
      li.classList.toggle('current', n === state.selected);
      li.innerHTML = `<span class="swatch"></span><span class="name"></span><span class="figure"></span>`;
      li.querySelector('.swatch').style.background = colourOf(l);
      li.querySelector('.name').textContent = l.name;
      li.querySelector('.figure').textContent = l.confidence != null ? l.confidence.toFixed(2) : '';
      if (!l.present) li.insertAdjacentHTML('beforeend', '<span class="tag absent">absent</span>');
      if (l.corrected) li.insertAdjacentHTML('beforeend', '<span class="tag corrected">corrected</span>');
      li.addEventListener('click', () => select(n, true));
      return li;
    }));
    list.children[state.selected]?.scrollIntoView({ block: 'nearest' });
  }

  /** Takes a case's state from the server: after opening it and after every correction. */
  function applyDetail(detail) {
    state.detail = detail;
    const entry = state.cases.find(c => c.id === detail.id);
    if (entry) {
      entry.absent = detail.landmarks.filter(l => !l.present).length;
      entry.corrected = detail.landmarks.filter(l => l.corrected).length;
    }
    $('case-title').textContent = detail.id;
    $('markups').href = `${caseUrl()}/markups.mrk.json`;
    $('markups').download = `${detail.id}.mrk.json`;
    renderCaseList();
    renderLandmarkList();
  }

  async function openCase(n) {
    if (n < 0 || n >= state.cases.length) return;
    state.caseIndex = n;
    state.selected = 0;
    const detail = await track(api(`/api/cases/${encodeURIComponent(state.cases[n].id)}`).then(r => r.json()));
    applyDetail(detail);
    const views = $('views');
    const volume = detail.dimension === 3;
    views.classList.toggle('volume', volume);
    state.views = (volume ? [2, 1, 0] : [2]).map(axis => new View(axis));
    views.replaceChildren(...state.views.map(v => v.box));
    if (volume) followSelected();
    await Promise.all(state.views.map(v => v.load()));
    showScale(state.views[0]);
    showWindow();
    status(`${detail.id}: ${detail.landmarks.length} landmarks`);
  }

  /** In a volume, the slices go through the selected landmark; returns the views whose slice changed. */
  function followSelected() {
    const l = selectedLandmark();
    if (!l?.index) return [];
    const changed = [];
    for (const v of state.views) {
      const slice = Math.max(0, Math.min((v.geometry?.slices ?? Infinity) - 1, Math.round(l.index[v.axis])));
      if (slice === v.slice) continue;
      changed.push(v);
      if (v.geometry) v.setSlice(slice); else v.slice = slice;
    }
    return changed;
  }

  function select(n, follow) {
    if (!state.detail) return;
    const count = state.detail.landmarks.length;
    state.selected = ((n % count) + count) % count;
    renderLandmarkList();
    if (follow && state.detail.dimension === 3) followSelected();
    else if (follow) {
      const mark = state.views[0]?.geometry?.landmarks.find(m => m.name === selectedLandmark().name);
      if (mark) state.views[0].reveal(mark.x, mark.y);
    }
    state.views.forEach(v => v.draw());
  }

  function correct(name, body) {
    status(`saving ${name}...`);
    return track(api(`${caseUrl()}/landmarks/${encodeURIComponent(name)}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    }).then(r => r.json()).then(detail => afterChange(detail, `saved ${name}`)));
  }

  function undo() {
    return track(api(`${caseUrl()}/undo`, { method: 'POST' }).then(r => r.json()).then(detail => afterChange(detail, 'undone')));
  }

  async function afterChange(detail, message) {
    applyDetail(detail);
    const moved = detail.dimension === 3 ? followSelected() : [];
    await Promise.all(state.views.filter(v => !moved.includes(v)).map(v => v.refreshLandmarks()));
    status(message);
  }

  document.addEventListener('keydown', e => {
    if (e.target instanceof HTMLInputElement || !state.detail) return;
    const l = selectedLandmark();
    const key = e.key.toLowerCase();
    if (key === 'n' || e.key === 'PageDown') openCase(state.caseIndex + 1);
    else if (key === 'p' || e.key === 'PageUp') openCase(state.caseIndex - 1);
    else if (key === 'j' || (e.key === 'Tab' && !e.shiftKey)) select(state.selected + 1, true);
    else if (key === 'k' || (e.key === 'Tab' && e.shiftKey)) select(state.selected - 1, true);
    else if (key === 'z') undo();
    else if ((key === 'a' || e.key === 'Delete') && l?.present) correct(l.name, { present: false });
    else if (key === 'f') state.views.forEach(v => { v.fit(); v.draw(); v.sharpen(); });
    else if (key === 'w') setWindow(null);
    else if ((e.key === 'ArrowUp' || e.key === 'ArrowDown') && state.hovered) state.hovered.setSlice(state.hovered.slice + (e.key === 'ArrowUp' ? 1 : -1));
    else return;
    e.preventDefault();
  });
  $('absent').addEventListener('click', () => { const l = selectedLandmark(); if (l?.present) correct(l.name, { present: false }); });
  $('undo').addEventListener('click', undo);
  $('auto-window').addEventListener('click', () => setWindow(null));
  const typedWindow = () => {
    const level = parseFloat($('level').value), width = parseFloat($('width').value);
    if (Number.isFinite(level) && width > 0) setWindow(level - width / 2, level + width / 2);
  };
  $('level').addEventListener('change', typedWindow);
  $('width').addEventListener('change', typedWindow);
  window.addEventListener('resize', () => state.views.forEach(v => v.draw()));

  // For the end-to-end tests and for scripts driving the page: where marks are, the scale, and when all is saved.
  window.landmarksReview = {
    markOnPage(name, view = 0) {
      const v = state.views[view];
      const mark = v?.geometry?.landmarks.find(m => m.name === name);
      if (!mark) return null;
      const [x, y] = v.toScreen(mark.x, mark.y);
      const box = v.canvas.getBoundingClientRect();
      return { x: box.left + x, y: box.top + y, onView: mark.onView };
    },
    mmPerScreenPixel: (view = 0) => state.views[view]?.mmPerScreenPixel,
    viewBox(view = 0) { const b = state.views[view].canvas.getBoundingClientRect(); return { x: b.left, y: b.top, width: b.width, height: b.height }; },
    slice: (view = 0) => state.views[view]?.slice,
    currentCase: () => state.detail?.id,
    selected: () => selectedLandmark()?.name,
    timings: state.timings,
    async settled() { while (state.pending.size > 0) await Promise.allSettled([...state.pending]); },
  };

  track(api('/api/cases').then(r => r.json()).then(cases => {
    state.cases = cases;
    renderCaseList();
    return openCase(0);
  }));
})();
