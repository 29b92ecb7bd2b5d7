// Explore's WebGL scatter: a Streamlit (v1, iframe) component around regl-scatterplot.
//
// Python sends small JSON args (sizes, legend, highlighted rows, and one {token, hash} per binary
// part). The points themselves never travel as JSON or over the websocket: each part is fetched
// once from the app's /_lab/scatter route with its private token, and kept here by content hash,
// so a rerun that only changes highlights or labels fetches nothing again.

import createScatterplot from 'regl-scatterplot';
import { parts as fetchParts } from './parts.js';
import { Overlay } from './overlay.js';
import { LevelOfDetail } from './detail.js';
import { createDirectRenderer } from './renderer.js';
import { Hover } from './hover.js';

const root = document.getElementById('root');
const toolbar = document.getElementById('toolbar');
const status = document.getElementById('status');
const stage = document.getElementById('stage');
const canvas = document.getElementById('points');
const tooltip = document.getElementById('tooltip');
const legend = document.getElementById('legend');

let scatterplot = null;
let overlay = null;
let detail = null;
let current = { points: null, colours: null, labels: null };
let args = null;
let lastSentNonce = 0;
let lastZoom = null;
let observing = false;
let overlayStale = false; // the view moved since the overlay was last placed
let codes = null; // the category code of each point, for the hover text

// --- Streamlit's component protocol (postMessage to the parent page) -------------------------
function tell(type, data = {}) {
  window.parent.postMessage({ isStreamlitMessage: true, type, ...data }, '*');
}
const setHeight = () => tell('streamlit:setFrameHeight', { height: root.scrollHeight + 4 });
const setValue = (value) => tell('streamlit:setComponentValue', { value, dataType: 'json' });

window.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'streamlit:render') {
    render(event.data.args).catch((error) => {
      status.textContent = `Could not draw the picture: ${error.message}`;
      root.dataset.state = 'error';
    });
  }
});

// --- drawing ---------------------------------------------------------------------------------
function ensureScatterplot(height) {
  stage.style.height = `${height}px`;
  if (scatterplot) {
    scatterplot.set({ width: stage.clientWidth, height });
    return;
  }
  scatterplot = createScatterplot({
    canvas,
    renderer: createDirectRenderer(canvas), // no copy to a 2D canvas: see renderer.js
    width: stage.clientWidth,
    height,
    backgroundColor: [1, 1, 1, 1],
    pointSize: 3,
    pointSizeSelected: 2,
    pointOutlineWidth: 1,
    pointColorActive: [0.1, 0.1, 0.1, 1],
    pointColorHover: [0, 0, 0, 1],
    lassoColor: [0.2, 0.4, 0.9, 1],
    lassoMinDelay: 5,
    lassoInitiator: false,
    deselectOnDblClick: true,
    actionKeyMap: { lasso: 'shift', merge: 'cmd' },
    opacityInactiveScale: 0.6,
    spatialIndexUseWorker: false, // copying a million points to a worker costs more than building here
  });
  overlay = new Overlay(document.getElementById('marks'), scatterplot);
  detail = new LevelOfDetail(scatterplot, (rows) => sendSelection(rows));
  const hover = new Hover({
    stage, canvas, scatterplot, detail, onOver: showTooltip, onOut: () => { tooltip.hidden = true; },
  });
  detail.onDrawn = () => hover.stale();
  scatterplot.subscribe('select', ({ points }) => { if (!detail.handlesSelection()) sendSelection(points); });
  scatterplot.subscribe('deselect', () => sendSelection([]));
  scatterplot.subscribe('view', () => { overlayStale = true; detail.viewChanged(); });
  scatterplot.subscribe('draw', () => {
    if (overlayStale) { overlayStale = false; overlay.draw(); } // once per moved frame, not on hover
    root.dataset.frames = String(Number(root.dataset.frames || 0) + 1);
  });
  // A wheel or a drag is about to move the camera: thin the points before its first frame.
  canvas.addEventListener('wheel', () => detail.viewChanged(), { capture: true, passive: true });
  canvas.addEventListener('pointermove', (event) => {
    if (event.buttons & 1 && !event.shiftKey && scatterplot.get('mouseMode') === 'panZoom') detail.viewChanged();
  }, { capture: true, passive: true });
  if (!observing) {
    observing = true;
    new ResizeObserver(() => {
      scatterplot.set({ width: stage.clientWidth, height: stage.clientHeight });
      overlay.resize();
      setHeight();
    }).observe(stage);
    new ResizeObserver(setHeight).observe(root);
  }
  window.__scatter = scatterplot; // for the browser test and the benchmark
}

function sendSelection(points) {
  lastSentNonce += 1;
  setValue({ rows: Array.from(points), hash: current.points, nonce: `${Date.now()}-${lastSentNonce}` });
}

async function render(newArgs) {
  args = newArgs;
  const started = performance.now();
  const fetching = fetchParts(args.parts, args.endpoint); // downloads while WebGL starts up below
  ensureScatterplot(args.height);
  setHeight();
  status.textContent = `Loading ${args.n.toLocaleString()} points…`;
  root.dataset.state = 'loading';
  const fetched = await fetching;
  root.dataset.fetchedMs = String(performance.now() - started);
  const base = args.parts.points.hash, colours = args.parts.colours.hash;
  const fresh = current.points !== base || current.colours !== colours;
  if (fresh) {
    const points = fetched.points;
    const n = args.n;
    const x = points.subarray(0, n), y = points.subarray(n, 2 * n);
    const data = { x, y };
    const options = {};
    if (args.colour.kind === 'category') {
      codes = new Uint16Array(fetched.colours.buffer, fetched.colours.byteOffset, n);
      data.valueA = codes;
      options.zDataType = 'categorical';
    } else if (args.colour.kind === 'value') {
      codes = null;
      data.valueA = new Float32Array(fetched.colours.buffer, fetched.colours.byteOffset, n);
      options.zDataType = 'continuous';
    }
    detail.setPoints(x, y, { density: args.density, pointSize: pointSize(n) });
    options.filter = detail.initial(); // undefined when every point is drawn
    scatterplot.set({
      colorBy: args.colour.kind === 'none' ? null : 'valueA',
      pointColor: args.colour.colours,
      pointSize: pointSize(n),
      opacityBy: null, // the density view's opacity comes from detail.js, once the view settles
      opacity: args.density ? detail.initialOpacity() : 0.8,
    });
    await scatterplot.draw(data, options);
    root.dataset.drawnMs = String(performance.now() - started);
  }
  current = { points: base, colours };
  overlay.set({ labels: fetched.labels, marks: args.marks, labelled: args.labelled });
  const zoomKey = `${base}:${(args.zoom_to || []).join(',')}`;
  if (zoomKey !== lastZoom) { // only when the found words change: a rerun keeps the user's view
    lastZoom = zoomKey;
    if (args.zoom_to && args.zoom_to.length) zoomTo(fetched.points, args.n, args.zoom_to);
    else if (fresh) scatterplot.zoomToOrigin();
  }
  overlay.draw();
  drawLegend(args.colour);
  showStatus();
  root.dataset.state = 'drawn';
  root.dataset.hash = base;
}

// Around the found points, as the Plotly picture: 30% of their spread, at least 3% of the whole.
function zoomTo(points, n, rows) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const row of rows) {
    const x = points[row], y = points[n + row];
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  const pad = Math.max(0.3 * Math.max(x1 - x0, y1 - y0), 0.06);
  const size = Math.max(x1 - x0, y1 - y0) + 2 * pad;
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  scatterplot.zoomToArea({ x: cx - size / 2, y: cy - size / 2, width: size, height: size });
}

function showStatus() {
  if (!args) return;
  const drawn = detail && detail.drawn !== null ? detail.drawn : args.n;
  const part = drawn < args.n
    ? `${drawn.toLocaleString()} of ${args.n.toLocaleString()} points drawn (an even sample of those in view; zoom in for all)`
    : `${args.n.toLocaleString()} points`;
  status.textContent = `${part}. Scroll to zoom, drag to pan; Box or Lasso (or shift+drag) selects; ` +
    'double-click clears the selection.';
}
window.addEventListener('lab:detail', showStatus);

function pointSize(n) {
  if (n > 500000) return 1.5;
  if (n > 100000) return 2;
  if (n > 20000) return 3;
  return 4;
}

// --- hover, legend, tools -------------------------------------------------------------------
function showTooltip(row) {
  if (!overlay || !overlay.labels) return;
  const [sx, sy] = scatterplot.getScreenPosition(row);
  root.dataset.hoveredAt = String(performance.now()); // for the benchmark
  const lines = [overlay.label(row)];
  const colour = args.colour;
  if (colour.kind === 'category' && codes && colour.names[codes[row]] !== undefined) {
    lines.push(`${colour.title}: ${colour.names[codes[row]]}`);
  }
  tooltip.replaceChildren(...lines.map((text, i) => {
    const line = document.createElement(i === 0 ? 'b' : 'div');
    line.textContent = text; // never HTML: labels are user data
    return line;
  }));
  tooltip.style.left = `${sx + 12}px`;
  tooltip.style.top = `${sy + 12}px`;
  tooltip.hidden = false;
  root.dataset.hovered = String(row);
}

function drawLegend(colour) {
  legend.replaceChildren();
  if (colour.kind === 'none') return;
  const title = document.createElement('div');
  title.className = 'legend-title';
  title.textContent = colour.title;
  legend.append(title);
  if (colour.kind === 'category') {
    colour.names.forEach((name, i) => {
      const item = document.createElement('div');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = colour.colours[i % colour.colours.length];
      item.append(swatch, document.createTextNode(name));
      legend.append(item);
    });
  } else {
    const bar = document.createElement('div');
    bar.className = 'colourbar';
    bar.style.background = `linear-gradient(to right, ${colour.colours.join(',')})`;
    const ends = document.createElement('div');
    ends.className = 'ends';
    ends.textContent = `${colour.low} … ${colour.high}`;
    legend.append(bar, ends);
  }
}

toolbar.addEventListener('click', (event) => {
  const button = event.target.closest('button');
  if (!button || !scatterplot) return;
  const tool = button.dataset.tool;
  if (tool === 'reset') {
    scatterplot.zoomToOrigin();
    return;
  }
  toolbar.querySelectorAll('button[data-mode]').forEach((b) => b.classList.toggle('on', b === button));
  if (tool === 'pan') scatterplot.set({ mouseMode: 'panZoom' });
  if (tool === 'box') scatterplot.set({ mouseMode: 'lasso', lassoType: 'rectangle' });
  if (tool === 'lasso') scatterplot.set({ mouseMode: 'lasso', lassoType: 'freeform' });
});

tell('streamlit:componentReady', { apiVersion: 1 });
