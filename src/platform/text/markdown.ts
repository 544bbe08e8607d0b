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
  return sanitizeHtml(markdownHtml(source), SANITIZE);
}

function markdownHtml(source: string): string {
  return marked.parse(source, { async: false, gfm: true, breaks: false });
}

/** A whole document's body (a bulletin): its headings start at h2, under the page's title. */
const DOCUMENT: sanitizeHtml.IOptions = {
  ...SANITIZE,
  allowedTags: [...(SANITIZE.allowedTags as string[]), 'h2'],
  allowedAttributes: { ...SANITIZE.allowedAttributes, h2: ['class'] },
  transformTags: {
    ...SANITIZE.transformTags,
    h1: sanitizeHtml.simpleTransform('h2', { class: 'govuk-heading-m' }),
    h2: sanitizeHtml.simpleTransform('h2', { class: 'govuk-heading-m' }),
  },
};

export function renderMarkdownDocument(source: string): string {
  return sanitizeHtml(markdownHtml(source), DOCUMENT);
}

// Email clients drop <style> blocks and class names mean nothing there: every element carries
// its own style, in the hub's email look (views/email/layout.njk).
const FONT = 'font-family:Helvetica,Arial,sans-serif;';
const EMAIL_STYLES: Record<string, string> = {
  p: 'margin:0 0 20px 0;',
  a: 'color:#1d70b8;text-decoration:underline;',
  ul: 'margin:0 0 20px 0;padding-left:20px;',
  ol: 'margin:0 0 20px 0;padding-left:20px;',
  li: 'margin:0 0 5px 0;',
  h2: `margin:30px 0 15px 0;color:#0b0c0c;${FONT}font-size:24px;line-height:30px;font-weight:bold;`,
  h3: `margin:25px 0 10px 0;color:#0b0c0c;${FONT}font-size:19px;line-height:25px;font-weight:bold;`,
  blockquote: 'margin:0 0 20px 0;padding:0 0 0 15px;border-left:5px solid #b1b4b6;color:#0b0c0c;',
  pre: 'margin:0 0 20px 0;white-space:pre-wrap;font-family:monospace;',
  code: 'font-family:monospace;',
};
const EMAIL_TAG = { h1: 'h2', h2: 'h2', h3: 'h3', h4: 'h3', h5: 'h3', h6: 'h3' } as Record<string, string>;
const EMAIL: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'a', 'ul', 'ol', 'li', 'blockquote', 'code', 'pre', 'h2', 'h3'],
  allowedAttributes: { '*': ['style'], a: ['href', 'style'] },
  allowedSchemes: ['https', 'http', 'mailto'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    '*': (tagName, attribs) => {
      const tag = EMAIL_TAG[tagName] ?? tagName;
      const out: Record<string, string> = {};
      if (tag === 'a' && attribs.href) out.href = attribs.href;
      const style = EMAIL_STYLES[tag];
      if (style) out.style = style;
      return { tagName: tag, attribs: out };
    },
  },
};

/** Markdown as the HTML part of an email: sanitised, every element styled inline. */
export function renderEmailMarkdown(source: string): string {
  return sanitizeHtml(markdownHtml(source), EMAIL);
}

/** Markdown as the plain-text part: the source reads well as it is; links are written out in full. */
export function markdownAsText(source: string): string {
  return source
    .replace(/\r\n?/g, '\n')
    .replace(/!?\[([^\]]*)\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g, (_, text: string, href: string) => (text && text !== href ? `${text} (${href})` : href))
    .replace(/^#{1,6}\s+(.*)$/gm, (_, heading: string) => heading.toUpperCase())
    .trim();
}
