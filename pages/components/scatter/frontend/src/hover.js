// Hover without redrawing the points. regl-scatterplot redraws every point whenever the hovered
// point changes (to colour it); without a GPU that redraw is the whole hover delay (about a
// frame of the settled set: 200+ ms for 150,000 points in SwiftShader). Here the nearest drawn
// point under the mouse is found in a grid of the drawn rows (built once per settled view), the
// tooltip shows at once and a ring (a DOM element) marks the point: nothing is drawn by WebGL.
// The library's own hover stays off: the canvas never learns that the mouse entered it (clicks,
// drags, wheel and lasso do not need that; they follow the button).

const CELLS = 128; // per axis
const RADIUS = 6; // pixels from a point's centre that still hover it

export class Hover {
  constructor({ stage, canvas, scatterplot, detail, onOver, onOut }) {
    Object.assign(this, { stage, canvas, scatterplot, detail, onOver, onOut });
    this.grid = null;
    this.row = -1;
    this.ring = document.createElement('div');
    this.ring.className = 'hover-ring';
    this.ring.hidden = true;
    stage.append(this.ring);
    // keep the library's hover off: it only hovers after the canvas saw the mouse enter
    stage.addEventListener('mouseenter', (e) => { if (e.target === canvas) e.stopPropagation(); }, true);
    const forget = () => canvas.dispatchEvent(new MouseEvent('mouseleave'));
    window.addEventListener('blur', () => setTimeout(forget, 0)); // the library resets on blur
    forget();
    stage.addEventListener('pointermove', (e) => this.moved(e));
    stage.addEventListener('pointerleave', () => this.show(-1));
  }

  /** The drawn rows changed (a settled view, new points): rebuild the grid on the next move. */
  stale() {
    this.grid = null;
    this.show(-1);
  }

  moved(event) {
    if (event.buttons || !this.detail.x || !this.scatterplot.get('isPointsDrawn')) return this.show(-1);
    if (this.detail.moving) return this.show(-1);
    const rect = this.canvas.getBoundingClientRect();
    this.show(this.nearest(event.clientX - rect.left, event.clientY - rect.top));
  }

  show(row) {
    if (row === this.row) return;
    this.row = row;
    this.ring.hidden = row < 0;
    if (row < 0) { this.onOut(); return; }
    const [sx, sy] = this.scatterplot.getScreenPosition(row);
    this.ring.style.left = `${sx}px`;
    this.ring.style.top = `${sy}px`;
    this.onOver(row);
  }

  /** The drawn row nearest to screen position (px, py) within RADIUS pixels, or -1. */
  nearest(px, py) {
    const map = this.detail.screenMapping();
    if (!map) return -1;
    const grid = this.grid || (this.grid = this.build());
    const { x, y } = this.detail;
    const dx = (px - map.ax) / map.bx, dy = (py - map.ay) / map.by;
    const rx = Math.abs(RADIUS / map.bx), ry = Math.abs(RADIUS / map.by);
    const cell = (v, lo, size) => Math.min(CELLS - 1, Math.max(0, Math.floor((v - lo) / size)));
    const i0 = cell(dx - rx, grid.x0, grid.w), i1 = cell(dx + rx, grid.x0, grid.w);
    const j0 = cell(dy - ry, grid.y0, grid.h), j1 = cell(dy + ry, grid.y0, grid.h);
    let best = -1, bestD = RADIUS * RADIUS;
    for (let j = j0; j <= j1; j++) {
      for (let i = i0; i <= i1; i++) {
        const c = j * CELLS + i;
        for (let k = grid.start[c]; k < grid.start[c + 1]; k++) {
          const row = grid.rows[k];
          const ex = (x[row] - dx) * map.bx, ey = (y[row] - dy) * map.by;
          const d = ex * ex + ey * ey;
          if (d <= bestD) { bestD = d; best = row; }
        }
      }
    }
    return best;
  }

  /** The drawn rows sorted into CELLS x CELLS cells of the data's bounding box (a counting sort). */
  build() {
    const { x, y } = this.detail;
    const drawn = this.detail.drawnRows();
    const count = drawn ? drawn.length : x.length;
    const at = drawn ? (k) => drawn[k] : (k) => k;
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let k = 0; k < count; k++) {
      const r = at(k);
      if (x[r] < x0) x0 = x[r]; if (x[r] > x1) x1 = x[r];
      if (y[r] < y0) y0 = y[r]; if (y[r] > y1) y1 = y[r];
    }
    const w = (x1 - x0) / CELLS || 1, h = (y1 - y0) / CELLS || 1;
    const cellOf = new Uint32Array(count);
    const start = new Uint32Array(CELLS * CELLS + 1);
    for (let k = 0; k < count; k++) {
      const r = at(k);
      const c = Math.min(CELLS - 1, Math.floor((y[r] - y0) / h)) * CELLS + Math.min(CELLS - 1, Math.floor((x[r] - x0) / w));
      cellOf[k] = c;
      start[c + 1]++;
    }
    for (let c = 0; c < CELLS * CELLS; c++) start[c + 1] += start[c];
    const fill = start.slice(0, CELLS * CELLS);
    const rows = new Uint32Array(count);
    for (let k = 0; k < count; k++) rows[fill[cellOf[k]]++] = at(k);
    return { x0, y0, w, h, start, rows };
  }
}
