import { describe, it, expect } from '@jest/globals';
import { escapeHtml, formatTime, htmlPage } from './html.js';

describe('sandbox html helpers', () => {
  it('escapes every character that could open markup or leave an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(escapeHtml(42)).toBe('42');
  });

  it('formats a Unix time in UTC', () => {
    expect(formatTime(0)).toBe('1970-01-01 00:00:00 UTC');
  });

  it('makes a page with its title escaped and no scripts', () => {
    const page = htmlPage('<b>Title</b>', '<p>body</p>');
    expect(page).toMatch(/<title>&lt;b&gt;Title&lt;\/b&gt;<\/title>/);
    expect(page).toMatch(/<p>body<\/p>/);
    expect(page).not.toMatch(/<script/);
  });
});
