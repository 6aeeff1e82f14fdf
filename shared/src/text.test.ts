import { describe, expect, it } from 'vitest';
import { isDeliverableText } from './text';

// Emoji with ZWJ sequences and flags, astral symbols, CJK, right-to-left,
// combining marks, JSON-hostile characters, control characters JSON escapes.
const welcome = `Congrats 🎉 👩‍👩‍👧 🇯🇵|𝄞 𠜎 𓂀|漢字かなカナ한국어|שלום مرحبا|e\u0301 Z\u0351\u0364|"q" \\ \u2028 \u2029 </script>|\t\u0000\u0007`;
const refused = ['a\uFFFEb', '\uFFFF', 'x\uD83Dy', '\uDE00', '\uDE00\uD83D'];

describe('isDeliverableText', () => {
  it('accepts text of every kind people type', () => {
    expect(welcome.split('|').filter((text) => !isDeliverableText(text))).toEqual([]);
  });

  it('refuses U+FFFE, U+FFFF, lone high and low surrogates and a reversed pair', () => {
    expect(refused.filter((text) => isDeliverableText(text))).toEqual([]);
  });
});
