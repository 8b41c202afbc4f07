import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, formatTime, htmlPage } from './html.js';

describe('sandbox html helpers', () => {
  it('escapes every character that could open markup or leave an attribute', () => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&</a>`),
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    assert.equal(escapeHtml(42), '42');
  });

  it('formats a Unix time in UTC', () => {
    assert.equal(formatTime(0), '1970-01-01 00:00:00 UTC');
  });

  it('makes a page with its title escaped and no scripts', () => {
    const page = htmlPage('<b>Title</b>', '<p>body</p>');
    assert.match(page, /<title>&lt;b&gt;Title&lt;\/b&gt;<\/title>/);
    assert.match(page, /<p>body<\/p>/);
    assert.doesNotMatch(page, /<script/);
  });
});
