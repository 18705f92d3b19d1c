/**
 * Text from outside — certificate and CRL fields, CertRep failInfoText, HTTP bodies, PKCS#12
 * friendlyNames — is shown in the console and the GUI. Control characters in it could forge
 * console lines (a CN holding "\n% Fingerprint matches") or reorder what is shown (bidi
 * overrides), so such text passes through `escapeControls` first: C0 and C1 controls, DEL,
 * the line and paragraph separators and the bidi embeddings, overrides and isolates
 * (U+202A–202E, U+2066–2069, plus the marks U+200E, U+200F, U+061C) become visible escapes.
 */

// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `\xHH` for controls below U+0100, `\uHHHH` for the others. */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x100 ? `\\x${n.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${n.toString(16).toUpperCase().padStart(4, '0')}`;
  });
}

/** True when `escapeControls` would change `text`. */
export function hasControls(text: string): boolean {
  CONTROLS.lastIndex = 0;
  const r = CONTROLS.test(text);
  CONTROLS.lastIndex = 0;
  return r;
}
