// The picture's binary parts, fetched from the app's private route and kept by content hash.
//
// Each part arrives as {token, hash, bytes}. The token is sent in a header (never in a URL), with
// the browser's own cookie, so the server can check that this browser made the picture. A part
// whose hash is already here is not fetched again: reruns that change only highlights cost nothing.

const cache = new Map(); // hash -> Promise<ArrayBuffer>
const KEEP = 6; // parts kept (a few pictures' worth); the oldest go first

function fetchPart(part, endpoint) {
  if (cache.has(part.hash)) {
    const found = cache.get(part.hash);
    cache.delete(part.hash); // most recently used last
    cache.set(part.hash, found);
    return found;
  }
  const loading = fetch(endpoint, {
    method: 'GET',
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { 'X-Picture-Token': part.token },
  }).then((response) => {
    if (!response.ok) throw new Error(`the server refused the points (${response.status}); rerun the page`);
    return response.arrayBuffer();
  }).then((buffer) => {
    if (buffer.byteLength !== part.bytes) throw new Error('the points arrived incomplete');
    return buffer;
  });
  loading.catch(() => cache.delete(part.hash));
  cache.set(part.hash, loading);
  while (cache.size > KEEP) cache.delete(cache.keys().next().value);
  return loading;
}

/** Decoded parts: points (Float32Array x then y), colours (bytes), labels ({offsets, bytes}). */
export async function parts(described, endpoint) {
  const names = Object.keys(described);
  const buffers = await Promise.all(names.map((name) => fetchPart(described[name], endpoint)));
  const out = {};
  names.forEach((name, i) => { out[name] = decode(name, buffers[i]); });
  return out;
}

function decode(name, buffer) {
  if (name === 'points') return new Float32Array(buffer);
  if (name === 'labels') {
    const count = new Uint32Array(buffer, 0, 1)[0];
    const offsets = new Uint32Array(buffer, 4, count + 1);
    return { offsets, bytes: new Uint8Array(buffer, 4 * (count + 2)) };
  }
  return new Uint8Array(buffer);
}
