#!/usr/bin/env node
// Draws the app icons (a padlock-and-certificate mark) as PNG with no dependencies:
// regular icons and maskable ones (mark inside the 80% safe zone, full-bleed background).
//   node scripts/gen-icons.mjs   → public/icons/*.png (committed)
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      // 4x supersampling for smooth edges
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < 2; sy++) for (let sx = 0; sx < 2; sx++) {
        const [pr, pg, pb, pa] = pixel((x + (sx + 0.5) / 2) / size, (y + (sy + 0.5) / 2) / size);
        r += pr * pa; g += pg * pa; b += pb * pa; a += pa;
      }
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = a ? r / a : 0; raw[o + 1] = a ? g / a : 0; raw[o + 2] = a ? b / a : 0; raw[o + 3] = (a / 4) * 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4); ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}
const BG = [15, 42, 74], FG = [248, 250, 252], ACC = [56, 189, 248];
function mark(u, v) {
  // padlock body
  if (u > 0.28 && u < 0.72 && v > 0.45 && v < 0.8) {
    const dx = u - 0.5, dy = v - 0.6;
    if (Math.hypot(dx, dy) < 0.045 || (Math.abs(dx) < 0.018 && dy > 0 && dy < 0.11)) return ACC;
    return FG;
  }
  // shackle
  const d = Math.hypot(u - 0.5, v - 0.45);
  if (v < 0.46 && d > 0.12 && d < 0.17) return FG;
  return null;
}
function icon(maskable) {
  return (x, y) => {
    const s = maskable ? 0.8 : 1, o = (1 - s) / 2;
    const u = (x - o) / s, v = (y - o) / s;
    if (!maskable) {
      const r = 0.18, cx = Math.min(Math.max(x, r), 1 - r), cy = Math.min(Math.max(y, r), 1 - r);
      if (Math.hypot(x - cx, y - cy) > r) return [0, 0, 0, 0];
    }
    const m = u >= 0 && u <= 1 && v >= 0 && v <= 1 ? mark(u, v) : null;
    return [...(m ?? BG), 1];
  };
}
mkdirSync('public/icons', { recursive: true });
for (const size of [192, 512]) {
  writeFileSync(`public/icons/icon-${size}.png`, png(size, icon(false)));
  writeFileSync(`public/icons/icon-maskable-${size}.png`, png(size, icon(true)));
}
console.log('icons written');
