// Narratives come from outside the team: Markdown structure survives, anything active does not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMarkdown } from './markdown.ts';

describe('renderMarkdown', () => {
  it('keeps paragraphs, lists, emphasis and web links, in GOV.UK style', () => {
    const html = renderMarkdown('# Done\n\nWe **trained** 40 people.\n\n- one\n- two\n\n[Report](https://example.org/r)');
    assert.match(html, /<h3 class="govuk-heading-s">Done<\/h3>/);
    assert.match(html, /<p class="govuk-body">We <strong>trained<\/strong> 40 people\.<\/p>/);
    assert.match(html, /<ul class="govuk-list govuk-list--bullet">\s*<li>one<\/li>/);
    assert.match(html, /<a href="https:\/\/example\.org\/r" class="govuk-link" rel="noopener noreferrer">Report<\/a>/);
  });

  it('never lets scripts, raw HTML, images or javascript: links through', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3))\n\n<a href="https://x" onclick="alert(4)">x</a>\n\n![i](https://example.org/i.png)',
    );
    assert.doesNotMatch(html, /<script|<img|onerror=|onclick=|javascript:/i);
    assert.match(html, /&lt;script&gt;/, 'shown as text, not run');
  });
});
