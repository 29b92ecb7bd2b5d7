// A renderer for regl-scatterplot that draws straight into the visible canvas.
//
// The library's own renderer draws every frame into a float framebuffer the size of the whole
// window, copies that onto a second, window-sized WebGL canvas in a full-screen pass, and then
// copies that canvas onto the visible 2D canvas with drawImage. Without a GPU (SwiftShader) those
// three full-window passes, the multisampled canvas and the extra canvas to composite cost
// hundreds of milliseconds a frame whatever the number of points (measured by
// bench/webgl/profile_frames.py). Here the points are blended straight into the visible canvas
// (premultiplied alpha over the page's white), the size of the picture, without multisampling: one
// pass, nothing copied. The library accepts any object with this shape as its `renderer` option.

import createRegl from 'regl';

const NEEDED = ['OES_texture_float', 'OES_element_index_uint'];
const WANTED = ['WEBGL_color_buffer_float', 'EXT_float_blend', 'OES_standard_derivatives', 'ANGLE_instanced_arrays'];
const CLEAR = { color: [0, 0, 0, 0], depth: 1 };

export function createDirectRenderer(canvas) {
  const gl = canvas.getContext('webgl', {
    antialias: false, // the point shader smooths its own edges
    alpha: true,
    premultipliedAlpha: true,
    preserveDrawingBuffer: false, // the library redraws whenever anything changes
    depth: false,
    stencil: false,
  });
  if (!gl) throw new Error('this browser cannot draw WebGL pictures');
  const extensions = NEEDED.filter((name) => gl.getExtension(name));
  const optional = WANTED.filter((name) => gl.getExtension(name));
  const regl = createRegl({ gl, extensions: [...extensions, ...optional] });
  const drawers = new Set();
  let destroyed = false;
  let gamma = 1;
  const frame = regl.frame(() => {
    for (const draw of drawers) draw();
  });
  return {
    get canvas() { return canvas; },
    get regl() { return regl; },
    get gamma() { return gamma; },
    set gamma(value) { gamma = +value; }, // kept for the interface: nothing to correct in 8-bit colour
    get isSupported() { return extensions.length === NEEDED.length; },
    get isDestroyed() { return destroyed; },
    /** One frame: clear the canvas, draw the points and lines into it. */
    render(draw) {
      regl.poll(); // the library resizes this canvas itself: keep the viewport in step
      regl.clear(CLEAR);
      draw();
    },
    resize() {}, // the canvas is the library's own and sized by it
    refresh() { regl.poll(); },
    onFrame(draw) {
      drawers.add(draw);
      return () => drawers.delete(draw);
    },
    destroy() {
      destroyed = true;
      frame.cancel();
      regl.destroy();
    },
  };
}
