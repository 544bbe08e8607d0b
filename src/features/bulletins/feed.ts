// The archive as an Atom feed (RFC 4287): one entry per public bulletin, newest first, with
// the bulletin's HTML as escaped content. Ids are the bulletins' permanent addresses.
import { renderMarkdownDocument } from '../../platform/text/markdown.ts';
import type { CampaignRecord } from './repository.ts';

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
// Characters XML 1.0 does not allow at all, even escaped.
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function xmlText(value: string): string {
  return value.replace(NOT_XML, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

export function atomFeed(bulletins: CampaignRecord[], baseUrl: string): string {
  const base = baseUrl.replace(/\/$/, '');
  const when = (b: CampaignRecord) => (b.startedAt ?? b.updatedAt).toISOString();
  const updated = bulletins.length ? bulletins.map(when).sort().at(-1)! : new Date(0).toISOString();
  const entries = bulletins.map((b) => {
    const href = `${base}/bulletins/${b.slug}`;
    return [
      '  <entry>',
      `    <id>${xmlText(href)}</id>`,
      `    <title type="text">${xmlText(b.subject)}</title>`,
      `    <link rel="alternate" type="text/html" href="${xmlText(href)}"/>`,
      `    <published>${when(b)}</published>`,
      `    <updated>${when(b)}</updated>`,
      `    <summary type="text">${xmlText(b.summary)}</summary>`,
      `    <content type="html">${xmlText(renderMarkdownDocument(b.bodyMarkdown))}</content>`,
      '  </entry>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">',
    `  <id>${xmlText(`${base}/bulletins`)}</id>`,
    '  <title type="text">Adult Social Care Workforce Strategy: bulletins</title>',
    `  <link rel="self" type="application/atom+xml" href="${xmlText(`${base}/bulletins/feed.xml`)}"/>`,
    `  <link rel="alternate" type="text/html" href="${xmlText(`${base}/bulletins`)}"/>`,
    `  <updated>${updated}</updated>`,
    '  <author><name>Workforce Strategy Hub</name></author>',
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}
