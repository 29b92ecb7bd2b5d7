// Level of detail for very large pictures: with more than CAP points, at most CAP are drawn at
// a time, those in view (with a margin), evenly thinned when there are more. Zoomed out that is
// an even sample of the whole picture, whose density is the picture's density; zoomed in it is
// every point in view. Each frame then costs what CAP points cost, whatever the picture holds.
// Box and lasso still select among ALL points: the polygon is tested here against every point.

export const CAP = 150000;
const SETTLE_MS = 200; // redraw the set after the view has been still this long
const MARGIN = 0.15; // of the view's size, on each side

export class LevelOfDetail {
  constructor(scatterplot, onSelection) {
    this.scatterplot = scatterplot;
    this.onSelection = onSelection;
    this.x = null;
    this.y = null;
    this.drawn = null;
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

  setPoints(x, y) {
    this.x = x;
    this.y = y;
    this.drawn = null;
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
    return this.pick(-Infinity, Infinity, -Infinity, Infinity);
  }

  viewChanged() {
    if (!this.active) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.update(), SETTLE_MS);
  }

  update() {
    const [x0, x1, y0, y1] = this.visible();
    const rows = this.pick(x0, x1, y0, y1);
    this.scatterplot.filter(rows, { preventEvent: true });
  }

  /** The data rectangle on screen, from two points' screen positions per axis (the view is a
   * scale and a shift per axis), grown by the margin. */
  visible() {
    const { a, b, c, d } = this.extremes;
    const s = this.scatterplot;
    const width = s.get('width'), height = s.get('height');
    const axis = (i, j, values, k, size) => {
      const pi = s.getScreenPosition(i)[k], pj = s.getScreenPosition(j)[k];
      if (pi === pj) return [-Infinity, Infinity];
      const at = (p) => values[i] + ((p - pi) * (values[j] - values[i])) / (pj - pi);
      const lo = Math.min(at(0), at(size)), hi = Math.max(at(0), at(size));
      const pad = (hi - lo) * MARGIN;
      return [lo - pad, hi + pad];
    };
    return [...axis(a, b, this.x, 0, width), ...axis(c, d, this.y, 1, height)];
  }

  pick(x0, x1, y0, y1) {
    const { x, y } = this;
    const inside = new Uint32Array(x.length);
    let count = 0;
    for (let i = 0; i < x.length; i++) {
      if (x[i] >= x0 && x[i] <= x1 && y[i] >= y0 && y[i] <= y1) inside[count++] = i;
    }
    const step = Math.max(1, Math.ceil(count / CAP));
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
