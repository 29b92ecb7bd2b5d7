// Level of detail, so that a frame costs what a bounded number of points cost (without a GPU,
// software GL spends its time per point drawn; bench/webgl/profile_frames.py):
// - settled: with more than CAP points, at most CAP are drawn, those in view (with a margin),
//   evenly thinned when there are more. Zoomed out that is an even sample of the whole picture,
//   whose density is the picture's density; zoomed in it is every point in view.
// - moving: while the view pans or zooms (from the first wheel or drag event, before the camera
//   moves, to SETTLE_MS after its last change) at most MOVING_CAP of the settled points are drawn,
//   an even sample of them, and the selected points; the settled set is drawn again once the view
//   is still. The camera moves the points already on the GPU: nothing is recomputed per frame.
// Box and lasso still select among ALL points: the polygon is tested here against every point.

export const CAP = 150000;
export const MOVING_CAP = 25000;
const SETTLE_MS = 200; // redraw the settled set after the view has been still this long
const MARGIN = 0.15; // of the view's size, on each side
// Density view: each point's opacity such that the points drawn in view would cover about FILL of
// the picture if opaque, so dense regions read darker than sparse ones at any zoom. Computed here
// when the view settles (and for the moving sample), not per frame: the library's own `opacityBy:
// 'density'` counts the points in view on every frame of a pan (a range query over all points).
const FILL = 0.12; // about what the library's density formula gives for 1.5-pixel points
const MIN_OPACITY = 0.04; // fainter points vanish in 8-bit colour

export class LevelOfDetail {
  constructor(scatterplot, onSelection) {
    this.scatterplot = scatterplot;
    this.onSelection = onSelection;
    this.onDrawn = () => {}; // the drawn rows changed (for the hover's grid)
    this.x = null;
    this.y = null;
    this.drawn = null;
    this.settled = null; // the rows drawn when the view is still (null: every point)
    this.moving = false;
    this.thinned = false;
    this.selected = [];
    this.timer = null;
    this.lassoing = false;
    scatterplot.subscribe('lassoStart', () => { this.lassoing = true; });
    scatterplot.subscribe('lassoEnd', ({ coordinates }) => {
      if (this.active) this.onSelection(this.inPolygon(coordinates));
      this.lassoing = false;
    });
  }

  get active() {
    return this.x !== null && this.x.length > CAP;
  }

  /** While a box or lasso runs over a thinned picture, its selection comes from here. */
  handlesSelection() {
    return this.active && this.lassoing;
  }

  /** The picture's coordinates; `density` asks for the density view at `pointSize` pixels. */
  setPoints(x, y, { density = false, pointSize = 1 } = {}) {
    clearTimeout(this.timer);
    this.density = density;
    this.pointSize = pointSize;
    this.step = 1; // the settled set keeps one point in `step` of those around the view
    this.inView = x.length; // every point is in view at first
    this.onDrawn();
    this.x = x;
    this.y = y;
    this.drawn = null;
    this.settled = null;
    this.moving = false;
    let a = 0, b = 0, c = 0, d = 0;
    for (let i = 1; i < x.length; i++) {
      if (x[i] < x[a]) a = i;
      if (x[i] > x[b]) b = i;
      if (y[i] < y[c]) c = i;
      if (y[i] > y[d]) d = i;
    }
    this.extremes = { a, b, c, d };
  }

  /** The rows to draw first (the whole picture, thinned), or undefined to draw every point. */
  initial() {
    if (!this.active) return undefined;
    this.settled = this.pick(-Infinity, Infinity, -Infinity, Infinity);
    this.onDrawn();
    return this.settled;
  }

  /** The density view's opacity for the first frame (the whole picture in view), or undefined. */
  initialOpacity() {
    if (!this.density) return undefined;
    const s = this.scatterplot;
    return this.opacityFor(this.settled ? this.settled.length : this.x.length, s.get('width'), s.get('height'));
  }

  opacityFor(drawnInView, width, height) {
    const alpha = (FILL * width * height) / Math.max(1, drawnInView * this.pointSize * this.pointSize);
    return Math.min(1, Math.max(MIN_OPACITY, alpha));
  }

  /** Set the density view's opacity for the settled points drawn in view now. */
  applyDensity() {
    if (!this.density) return;
    const s = this.scatterplot;
    const [x0, x1, y0, y1] = this.visible(0);
    let inView = 0;
    const { x, y } = this;
    for (let i = 0; i < x.length; i++) if (x[i] >= x0 && x[i] <= x1 && y[i] >= y0 && y[i] <= y1) inView++;
    this.inView = inView;
    s.set({ opacity: this.opacityFor(inView / this.step, s.get('width'), s.get('height')) });
  }

  /** The view is about to move or has moved (a wheel or drag event, or the library's view
   * event): draw the moving sample now, and the settled set once the view is still. */
  viewChanged() {
    if (this.x === null || this.x.length <= MOVING_CAP) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.settle(), SETTLE_MS);
    if (this.moving) return;
    this.moving = true;
    this.selected = [...this.scatterplot.get('selectedPoints')];
    const from = this.settled;
    const count = from ? from.length : this.x.length;
    const step = Math.ceil(count / MOVING_CAP);
    if (step <= 1) return; // few enough already: they stay drawn
    this.thinned = true;
    const rows = [];
    for (let k = 0; k < count; k += step) rows.push(from ? from[k] : k);
    if (this.density) {
      const s = this.scatterplot;
      s.set({ opacity: this.opacityFor(this.inView / (this.step * step), s.get('width'), s.get('height')) });
    }
    if (this.selected.length) {
      const all = new Set(rows);
      for (const row of this.selected) if (!all.has(row)) rows.push(row);
      rows.sort((a, b) => a - b);
    }
    this.scatterplot.filter(rows, { preventEvent: true });
  }

  /** The view is still: draw the settled set again (those in view when thinned) and restore the
   * selection the moving sample may have left out. */
  settle() {
    this.moving = false;
    const thinned = this.thinned;
    this.thinned = false;
    if (this.active) {
      const [x0, x1, y0, y1] = this.visible();
      this.settled = this.pick(x0, x1, y0, y1);
      this.scatterplot.filter(this.settled, { preventEvent: true });
    } else if (thinned) {
      this.scatterplot.unfilter({ preventEvent: true });
    }
    this.applyDensity();
    this.onDrawn();
    if (this.selected.length) this.scatterplot.select(this.selected, { preventEvent: true });
    this.selected = [];
  }

  /** The view as a scale and a shift per axis (screen = a + b * data), from two points' screen
   * positions per axis; null while the picture has no extent. */
  screenMapping() {
    const { a, b, c, d } = this.extremes;
    const s = this.scatterplot;
    const axis = (i, j, values, k) => {
      if (values[i] === values[j]) return null;
      const pi = s.getScreenPosition(i)[k], pj = s.getScreenPosition(j)[k];
      const scale = (pj - pi) / (values[j] - values[i]);
      return scale ? [pi - scale * values[i], scale] : null;
    };
    const mx = axis(a, b, this.x, 0), my = axis(c, d, this.y, 1);
    return mx && my ? { ax: mx[0], bx: mx[1], ay: my[0], by: my[1] } : null;
  }

  /** The rows drawn when the view is still (null: every point). */
  drawnRows() {
    return this.settled;
  }

  /** The data rectangle on screen, grown by `margin` of its size on each side. */
  visible(margin = MARGIN) {
    const map = this.screenMapping();
    if (!map) return [-Infinity, Infinity, -Infinity, Infinity];
    const s = this.scatterplot;
    const axis = (a, b, size) => {
      const lo = Math.min(-a / b, (size - a) / b), hi = Math.max(-a / b, (size - a) / b);
      const pad = (hi - lo) * margin;
      return [lo - pad, hi + pad];
    };
    return [...axis(map.ax, map.bx, s.get('width')), ...axis(map.ay, map.by, s.get('height'))];
  }

  pick(x0, x1, y0, y1) {
    const { x, y } = this;
    const inside = new Uint32Array(x.length);
    let count = 0;
    for (let i = 0; i < x.length; i++) {
      if (x[i] >= x0 && x[i] <= x1 && y[i] >= y0 && y[i] <= y1) inside[count++] = i;
    }
    const step = Math.max(1, Math.ceil(count / CAP));
    this.step = step;
    const rows = [];
    for (let k = 0; k < count; k += step) rows.push(inside[k]);
    this.drawn = rows.length;
    window.dispatchEvent(new Event('lab:detail'));
    return rows;
  }

  /** Every row inside the polygon (data coordinates), drawn or not. */
  inPolygon(polygon) {
    if (!polygon || polygon.length < 3) return [];
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const [px, py] of polygon) {
      x0 = Math.min(x0, px); x1 = Math.max(x1, px); y0 = Math.min(y0, py); y1 = Math.max(y1, py);
    }
    const { x, y } = this;
    const rows = [];
    for (let i = 0; i < x.length; i++) {
      const px = x[i], py = y[i];
      if (px < x0 || px > x1 || py < y0 || py > y1) continue;
      let inside = false;
      for (let j = 0, k = polygon.length - 1; j < polygon.length; k = j++) {
        const [xj, yj] = polygon[j], [xk, yk] = polygon[k];
        if ((yj > py) !== (yk > py) && px < ((xk - xj) * (py - yj)) / (yk - yj) + xj) inside = !inside;
      }
      if (inside) rows.push(i);
    }
    return rows;
  }
}
