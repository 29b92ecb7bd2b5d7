// What is drawn on top of the points in a 2D canvas: the marked points (the neighbour query's
// words, its own words, search matches) and word labels, placed again on every pan and zoom.
// Labels that would cover one already drawn are skipped, as in the Plotly picture.

const decoder = new TextDecoder();

export class Overlay {
  constructor(canvas, scatterplot) {
    this.canvas = canvas;
    this.scatterplot = scatterplot;
    this.labels = null;
    this.marks = [];
    this.labelled = [];
    this.resize();
  }

  resize() {
    const ratio = window.devicePixelRatio || 1;
    const { clientWidth, clientHeight } = this.canvas;
    this.canvas.width = clientWidth * ratio;
    this.canvas.height = clientHeight * ratio;
    this.canvas.getContext('2d').setTransform(ratio, 0, 0, ratio, 0, 0);
    this.draw();
  }

  set({ labels, marks, labelled }) {
    this.labels = labels;
    this.marks = marks || [];
    this.labelled = labelled || [];
  }

  label(row) {
    if (!this.labels) return '';
    const { offsets, bytes } = this.labels;
    return decoder.decode(bytes.subarray(offsets[row], offsets[row + 1]));
  }

  draw() {
    const context = this.canvas.getContext('2d');
    context.clearRect(0, 0, this.canvas.clientWidth, this.canvas.clientHeight);
    if (!this.labels || !this.scatterplot.get('isPointsDrawn')) return;
    const taken = [];
    context.font = '11px sans-serif';
    context.textAlign = 'center';
    const place = (row, colour, bold) => {
      const [x, y] = this.scatterplot.getScreenPosition(row);
      if (x < 0 || y < 0 || x > this.canvas.clientWidth || y > this.canvas.clientHeight) return;
      const text = this.label(row);
      const width = context.measureText(text).width + 4;
      const box = [x - width / 2, y - 18, x + width / 2, y - 5];
      if (taken.some((b) => b[0] < box[2] && box[0] < b[2] && b[1] < box[3] && box[1] < b[3])) return;
      taken.push(box);
      context.fillStyle = 'rgba(255,255,255,0.7)';
      context.fillRect(box[0], box[1], width, 13);
      context.fillStyle = colour;
      context.font = bold ? 'bold 11px sans-serif' : '11px sans-serif';
      context.fillText(text, x, y - 8);
    };
    for (const mark of this.marks) {
      context.strokeStyle = mark.colour;
      context.fillStyle = mark.colour;
      context.lineWidth = 2;
      for (const row of mark.rows) {
        const [x, y] = this.scatterplot.getScreenPosition(row);
        symbol(context, mark.symbol, x, y);
      }
    }
    for (const mark of this.marks) for (const row of mark.rows) place(row, mark.colour, true);
    for (const row of this.labelled) place(row, '#444', false);
  }
}

function symbol(context, kind, x, y) {
  const r = 6;
  context.beginPath();
  if (kind === 'diamond') {
    context.moveTo(x, y - r); context.lineTo(x + r, y); context.lineTo(x, y + r); context.lineTo(x - r, y);
    context.closePath(); context.fill();
  } else if (kind === 'square') {
    context.rect(x - r + 1, y - r + 1, 2 * r - 2, 2 * r - 2); context.fill();
  } else {
    context.arc(x, y, r, 0, 2 * Math.PI); context.stroke();
  }
}
