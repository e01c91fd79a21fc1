/**
 * Text from a script (a path, a parse error quoting a token) made safe to print on one terminal
 * line (issue 13: `drill` echoed a 100 130-character token and raw control bytes). Control
 * characters (C0, DEL, C1) and the bidirectional overrides that can make a line read differently
 * from what it holds are shown as escapes (`\x1b`, `\u202e`), tabs and line breaks included; any
 * word longer than MAX_WORD is cut with a note of what was left out; the whole is bounded too.
 */

/** Longest word kept whole; longer ones keep their first KEEP_WORD characters. */
export const MAX_WORD = 80;
const KEEP_WORD = 60;
/** Longest text kept whole (after escaping); longer ones keep their first KEEP_TEXT characters. */
export const MAX_TEXT = 400;
const KEEP_TEXT = 360;

const LONG_WORD = new RegExp(`[^ ]{${MAX_WORD + 1},}`, 'g');
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

function cutWord(word: string): string {
  return word.length <= MAX_WORD ? word : `${word.slice(0, KEEP_WORD)}…(${word.length - KEEP_WORD} more characters)`;
}

/** One printable line for `text`: escaped, long words and the whole bounded. */
export function safeText(text: string): string {
  // Words are cut before escaping, so an escape is never split in half.
  const cut = text.replace(LONG_WORD, cutWord).replace(UNSAFE, escapeChar);
  return cut.length <= MAX_TEXT ? cut : `${cut.slice(0, KEEP_TEXT)}…(${cut.length - KEEP_TEXT} more characters)`;
}
