// Markdown written by people outside the team (progress narratives), as safe HTML in GOV.UK
// style. marked turns it into HTML; sanitize-html then keeps only plain text structure, so
// raw HTML, scripts, styles, images and javascript: links never reach a page.
import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'a', 'ul', 'ol', 'li', 'blockquote', 'code', 'pre', 'h3', 'h4'],
  allowedAttributes: { a: ['href', 'class', 'rel'], p: ['class'], ul: ['class'], ol: ['class'], h3: ['class'], h4: ['class'] },
  allowedSchemes: ['https', 'http', 'mailto'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    p: sanitizeHtml.simpleTransform('p', { class: 'govuk-body' }),
    a: sanitizeHtml.simpleTransform('a', { class: 'govuk-link', rel: 'noopener noreferrer' }),
    ul: sanitizeHtml.simpleTransform('ul', { class: 'govuk-list govuk-list--bullet' }),
    ol: sanitizeHtml.simpleTransform('ol', { class: 'govuk-list govuk-list--number' }),
    // Headings inside a narrative sit under the page's own, so they start at h3.
    h1: sanitizeHtml.simpleTransform('h3', { class: 'govuk-heading-s' }),
    h2: sanitizeHtml.simpleTransform('h3', { class: 'govuk-heading-s' }),
    h3: sanitizeHtml.simpleTransform('h3', { class: 'govuk-heading-s' }),
    h4: sanitizeHtml.simpleTransform('h4', { class: 'govuk-heading-s' }),
    h5: sanitizeHtml.simpleTransform('h4', { class: 'govuk-heading-s' }),
    h6: sanitizeHtml.simpleTransform('h4', { class: 'govuk-heading-s' }),
  },
};

/** Markdown as sanitised HTML, ready to put in a page unescaped. */
export function renderMarkdown(source: string): string {
  const html = marked.parse(source, { async: false, gfm: true, breaks: false });
  return sanitizeHtml(html, SANITIZE);
}
