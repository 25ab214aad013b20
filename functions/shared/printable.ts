/**
 * Text from outside (file names, post ids, URLs, notes, error messages) on its way to a terminal or an
 * email. A raw ESC starts a terminal escape sequence (colours, cursor moves, a rewritten line) and a raw
 * newline forges a line of its own ("reasons: clean"), so every control character is shown as an escape
 * instead: C0 and C1 controls, DEL, the line and paragraph separators, and the bidirectional overrides
 * that reorder what a reader sees. JSON output needs none of this (JSON.stringify escapes controls).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
