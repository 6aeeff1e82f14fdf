import { describe, expect, it } from 'vitest';
import { isDeliverableText } from './text';

describe('isDeliverableText', () => {
  it.each([
    ['emoji and ZWJ sequences', 'Congrats 🎉 👩‍👩‍👧 🇯🇵'],
    ['astral symbols', '𝄞 𠜎 𓂀'],
    ['CJK', '漢字かなカナ한국어'],
    ['right-to-left', 'שלום مرحبا'],
    ['combining marks', 'e\u0301 Z\u0351\u0364\u036b'],
    ['JSON-hostile characters', '"quoted" \\back\\slash\\ \u2028 \u2029 </script>'],
    ['control characters JSON escapes', 'tab\tnul\u0000bell\u0007'],
  ])('accepts %s', (_, text) => {
    expect(isDeliverableText(text)).toBe(true);
  });

  it.each([
    ['U+FFFE', 'a\uFFFEb'],
    ['U+FFFF', '\uFFFF'],
    ['a lone high surrogate', 'x\uD83Dy'],
    ['a lone low surrogate', '\uDE00'],
    ['a reversed pair', '\uDE00\uD83D'],
  ])('refuses %s', (_, text) => {
    expect(isDeliverableText(text)).toBe(false);
  });
});
