// Evidence files on progress updates, through the real form (multipart, as a browser sends
// it): what is taken and refused, who may download what and when, and what the audit keeps.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../platform/db/client.ts';
import { addPeople, createTestApp, pageText, SAMPLE_FILES, section, signInAs, submitForm, submitMultipart, type FileToSend, type TestApp } from '../../testing.ts';
import { MAX_EVIDENCE_FILE_BYTES } from './schema.ts';

describe('evidence files on progress updates', () => {
  let t: TestApp;
  let reporter: string;
  let otherReporter: string;
  let viewer: string;
  let team: string;
  let cqc: string;
  const form = `/report/care-quality-commission/items/AR-06`;
  const fields = (over: Record<string, string | string[]> = {}) => ({
    status: 'in_progress',
    confidence: 'on_track',
    summary: 'Guidance drafted with providers.',
    narrative: '',
    evidence: '',
    milestones: '',
    version: '',
    action: 'save',
    ...over,
  });
  const versionOf = (body: string) => /name="version" value="(\d*)"/.exec(body)?.[1] ?? '';
  const currentVersion = async () => versionOf((await t.app.inject({ url: form, headers: { cookie: reporter } })).body);
  const upload = (files: FileToSend[], over: Record<string, string | string[]> = {}, cookie = reporter) => submitMultipart(t.app, { url: form, cookie, fields: fields(over), files });
  const stored = () =>
    queryRows<{ id: number; filename: string; content_type: string; size: number; sha256: string; update_id: number }>(
      t.database.db,
      sql`select id, filename, content_type, size, sha256, update_id from progress_evidence_files order by id`,
    );
  const fileUrl = (f: { id: number; filename: string }) => `/evidence/${f.id}/${encodeURIComponent(f.filename)}`;

  before(async () => {
    t = await createTestApp('demo');
    const organisations = (await t.services.strategy.catalogue()).organisations;
    const cqcOrg = organisations.find((o) => o.shortName === 'CQC')!;
    const sfcOrg = organisations.find((o) => o.slug === 'skills-for-care')!;
    cqc = cqcOrg.slug;
    assert.equal(cqc, 'care-quality-commission');
    await addPeople(t, [
      { email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' },
      { email: 'rita@cqc.example', name: 'Rita Reporter', role: 'organisation_reporter', organisationId: cqcOrg.id },
      { email: 'sam@sfc.example', name: 'Sam Skills', role: 'organisation_reporter', organisationId: sfcOrg.id },
      { email: 'vic@example.org', name: 'Vic Viewer', role: 'viewer' },
    ]);
    team = (await signInAs(t.app, 'team@example.org')).cookie;
    reporter = (await signInAs(t.app, 'rita@cqc.example')).cookie;
    otherReporter = (await signInAs(t.app, 'sam@sfc.example')).cookie;
    viewer = (await signInAs(t.app, 'vic@example.org')).cookie;
  });
  after(async () => t.close());

  it('offers a file upload on the form, which is multipart, naming the types and limits', async () => {
    const page = await t.app.inject({ url: form, headers: { cookie: reporter } });
    assert.match(page.body, /<form method="post" enctype="multipart\/form-data"/);
    assert.match(page.body, /<input class="govuk-file-upload" id="files" name="files" type="file" multiple aria-describedby="files-hint" accept="\.pdf,\.png,\.jpg,\.jpeg,\.docx,\.xlsx,\.csv,\.txt"/);
    assert.match(pageText(page.body), /PDF, PNG, JPEG, Word \(\.docx\), Excel \(\.xlsx\), CSV or plain text \(\.txt\)\. Each file must be 10 MB or smaller\. An update can have up to 5 files\./);
  });

  it('refuses a multipart post without the form’s CSRF token, or with a wrong one, before storing anything', async () => {
    for (const csrf of ['missing', 'wrong'] as const) {
      const res = await submitMultipart(t.app, { url: form, cookie: reporter, fields: fields(), files: [{ name: 'a.pdf', bytes: SAMPLE_FILES.pdf }], csrf });
      assert.equal(res.statusCode, 403, csrf);
      assert.match(res.body, /This form has expired, or was not sent from this site/);
    }
    // The token must come before the files, as it does in the hub's own form.
    const late = await submitMultipart(t.app, { url: form, cookie: reporter, fields: fields(), files: [{ name: 'a.pdf', bytes: SAMPLE_FILES.pdf }], csrf: 'after-files' });
    assert.equal(late.statusCode, 403);
    // Without files, the token is checked as on every form.
    const noFiles = await submitMultipart(t.app, { url: form, cookie: reporter, fields: fields(), csrf: 'wrong' });
    assert.equal(noFiles.statusCode, 403);
    const [n] = await queryRows<{ n: number }>(t.database.db, sql`select (select count(*) from progress_updates) + (select count(*) from progress_evidence_files) as n`);
    assert.equal(Number(n!.n), 0);
  });

  it('refuses files from a reporter of another organisation, and from people who cannot report', async () => {
    const other = await submitMultipart(t.app, { url: form, formUrl: '/sign-out', cookie: otherReporter, fields: fields(), files: [{ name: 'a.pdf', bytes: SAMPLE_FILES.pdf }] });
    assert.equal(other.statusCode, 403);
    const anonymous = await submitMultipart(t.app, { url: form, formUrl: '/login', fields: fields(), files: [{ name: 'a.pdf', bytes: SAMPLE_FILES.pdf }] });
    assert.equal(anonymous.statusCode, 303);
    assert.match(String(anonymous.headers.location), /^\/login\?next=/);
    const asViewer = await submitMultipart(t.app, { url: form, formUrl: '/sign-out', cookie: viewer, fields: fields(), files: [{ name: 'a.pdf', bytes: SAMPLE_FILES.pdf }] });
    assert.equal(asViewer.statusCode, 403);
    assert.equal((await stored()).length, 0);
  });

  it('stores each allowed type, judged from its bytes, not from what the browser says', async () => {
    const first: FileToSend[] = [
      { name: 'Draft guidance.pdf', bytes: SAMPLE_FILES.pdf, type: 'text/html' },
      { name: 'chart.png', bytes: SAMPLE_FILES.png },
      { name: 'C:\\fakepath\\photo.JPG', bytes: SAMPLE_FILES.jpeg, type: 'image/png' },
      { name: 'letter.docx', bytes: SAMPLE_FILES.docx },
      { name: 'figures.xlsx', bytes: SAMPLE_FILES.xlsx },
    ];
    const saved = await upload(first);
    assert.equal(saved.statusCode, 303, saved.body);
    const flash = saved.cookies.find((c) => c.name === 'hub_flash')!;
    const page = await t.app.inject({ url: form, headers: { cookie: `${reporter}; hub_flash=${flash.value}` } });
    assert.match(section(page.body, 'saved'), /Your draft update on AR-06 is saved\. 5 files were added\./);
    const rows = await stored();
    assert.deepEqual(
      rows.map((r) => [r.filename, r.content_type, r.size]),
      [
        ['Draft guidance.pdf', 'application/pdf', SAMPLE_FILES.pdf.length],
        ['chart.png', 'image/png', SAMPLE_FILES.png.length],
        ['photo.jpg', 'image/jpeg', SAMPLE_FILES.jpeg.length],
        ['letter.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', SAMPLE_FILES.docx.length],
        ['figures.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', SAMPLE_FILES.xlsx.length],
      ],
    );
    assert.equal(rows[0]!.sha256, createHash('sha256').update(SAMPLE_FILES.pdf).digest('hex'));
    // The form lists them, each with a Remove box.
    const files = pageText(section(page.body, 'files'));
    assert.match(files, /Draft guidance\.pdf PDF, \d+ bytes Remove Draft guidance\.pdf/);
    assert.match(files, /figures\.xlsx Excel spreadsheet/);
    assert.match(page.body, new RegExp(`href="${fileUrl(rows[0]!)}"`));

    // Five is the most an update may have: two more are refused until two go.
    const tooMany = await upload([{ name: 'data.csv', bytes: SAMPLE_FILES.csv }, { name: 'notes.txt', bytes: SAMPLE_FILES.txt }], { version: await currentVersion() });
    assert.equal(tooMany.statusCode, 400);
    assert.match(pageText(tooMany.body), /An update can have at most 5 files\. It has 5, so you can add 0 more/);
    assert.match(pageText(tooMany.body), /Nothing was saved, so choose your files again: data\.csv, notes\.txt/);
    assert.equal((await stored()).length, 5);

    const swapped = await upload([{ name: 'data.csv', bytes: SAMPLE_FILES.csv }, { name: 'notes.txt', bytes: SAMPLE_FILES.txt }], {
      version: await currentVersion(),
      remove: [String(rows[3]!.id), String(rows[4]!.id)],
    });
    assert.equal(swapped.statusCode, 303, swapped.body);
    const after = await stored();
    assert.deepEqual(
      after.map((r) => [r.filename, r.content_type]),
      [
        ['Draft guidance.pdf', 'application/pdf'],
        ['chart.png', 'image/png'],
        ['photo.jpg', 'image/jpeg'],
        ['data.csv', 'text/csv'],
        ['notes.txt', 'text/plain'],
      ],
    );
  });

  it('refuses disguised, empty, too large and too many files, keeping the text and writing nothing', async () => {
    const version = await currentVersion();
    const before = await stored();
    const cases: { files: FileToSend[]; message: RegExp }[] = [
      { files: [{ name: 'report.pdf', bytes: '<!doctype html><script>alert(1)</script>', type: 'application/pdf' }], message: /report\.pdf cannot be used: its contents are not a PDF\. Choose the original file/ },
      { files: [{ name: 'page.html', bytes: '<p>hello</p>', type: 'text/plain' }], message: /page\.html must be a PDF, PNG, JPEG, Word \(\.docx\), Excel \(\.xlsx\), CSV or plain text \(\.txt\) file/ },
      { files: [{ name: 'nothing.pdf', bytes: '' }], message: /nothing\.pdf is empty: choose a file with something in it/ },
      { files: [{ name: 'huge.pdf', bytes: Buffer.concat([SAMPLE_FILES.pdf, Buffer.alloc(MAX_EVIDENCE_FILE_BYTES)]) }], message: /huge\.pdf is larger than 10 MB: choose a smaller file/ },
      { files: Array.from({ length: 6 }, (_, i) => ({ name: `page-${i}.pdf`, bytes: SAMPLE_FILES.pdf })), message: /Choose 5 files or fewer/ },
    ];
    for (const c of cases) {
      const res = await upload(c.files, { version, summary: 'Kept while the files are refused.', remove: String(before[0]!.id) });
      assert.equal(res.statusCode, 400, String(c.message));
      const text = pageText(res.body);
      assert.match(text, c.message);
      assert.match(text, /There is a problem/);
      assert.match(res.body, /href="#files"/, 'the error summary links to the file input');
      assert.match(text, /Nothing was saved, so choose your files again/);
      assert.match(res.body, /Kept while the files are refused\./, 'their text is kept');
      assert.match(res.body, new RegExp(`value="${before[0]!.id}" checked`), 'and the files they ticked to remove');
    }
    assert.deepEqual(await stored(), before);
    assert.equal(await currentVersion(), version, 'the update did not change');
  });

  it('says clearly when a request is over every limit, without reading it all', async () => {
    const version = await currentVersion();
    const many = await upload(Array.from({ length: 60 }, (_, i) => ({ name: `p${i}.pdf`, bytes: SAMPLE_FILES.pdf })), { version });
    assert.equal(many.statusCode, 413);
    assert.match(pageText(many.body), /The form sent too many files or fields\. You can add at most 5 files\. Nothing was saved/);
    const big = Buffer.alloc(6 * MAX_EVIDENCE_FILE_BYTES, 0x20);
    const huge = await upload([{ name: 'huge.txt', bytes: big }], { version });
    assert.equal(huge.statusCode, 413);
    assert.match(pageText(huge.body), /The files you chose are too large together\. Each file must be 10 MB or smaller/);
    assert.equal(await currentVersion(), version);
  });

  it('keeps the text and says the files were not saved when someone else saved first', async () => {
    const stale = await currentVersion();
    assert.equal((await submitForm(t.app, { url: form, cookie: reporter, fields: fields({ version: stale, summary: 'Saved by a colleague.' }) })).statusCode, 303);
    const before = await stored();
    const res = await upload([{ name: 'late.pdf', bytes: SAMPLE_FILES.pdf }], { version: stale, summary: 'My own summary.' });
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /My own summary\./);
    assert.match(pageText(res.body), /Nothing was saved, so choose your files again: late\.pdf/);
    assert.deepEqual(await stored(), before);
  });

  it('serves a draft’s files only to its organisation and the strategy team, as attachments', async () => {
    const [pdf, , , csv] = await stored();
    const own = await t.app.inject({ url: fileUrl(pdf!), headers: { cookie: reporter } });
    assert.equal(own.statusCode, 200);
    assert.deepEqual(own.rawPayload, SAMPLE_FILES.pdf);
    assert.equal(own.headers['content-type'], 'application/pdf');
    assert.equal(own.headers['content-disposition'], `attachment; filename="Draft guidance.pdf"; filename*=UTF-8''Draft%20guidance.pdf`);
    assert.equal(own.headers['x-content-type-options'], 'nosniff');
    assert.equal(own.headers['content-security-policy'], "sandbox; default-src 'none'");
    assert.equal(own.headers['cache-control'], 'private, no-store');
    const text = await t.app.inject({ url: fileUrl(csv!), headers: { cookie: team } });
    assert.equal(text.statusCode, 200);
    assert.equal(text.headers['content-type'], 'text/csv; charset=utf-8');

    assert.equal((await t.app.inject({ url: fileUrl(pdf!), headers: { cookie: otherReporter } })).statusCode, 403);
    assert.equal((await t.app.inject({ url: fileUrl(pdf!), headers: { cookie: viewer } })).statusCode, 403);
    const anonymous = await t.app.inject(fileUrl(pdf!));
    assert.equal(anonymous.statusCode, 303);
    assert.match(String(anonymous.headers.location), /^\/login\?next=/);
    // Only at its own address.
    assert.equal((await t.app.inject({ url: `/evidence/${pdf!.id}/other.pdf`, headers: { cookie: reporter } })).statusCode, 404);
    assert.equal((await t.app.inject({ url: `/evidence/999999/a.pdf`, headers: { cookie: team } })).statusCode, 404);
    assert.equal((await t.app.inject({ url: `/evidence/1e3/a.pdf`, headers: { cookie: team } })).statusCode, 404);
  });

  it('does not let another organisation remove a file, nor take files where a form has none', async () => {
    const [pdf] = await stored();
    const version = await currentVersion();
    const remove = await submitMultipart(t.app, { url: form, formUrl: '/sign-out', cookie: otherReporter, fields: fields({ version, remove: String(pdf!.id) }) });
    assert.equal(remove.statusCode, 403);
    const elsewhere = await submitMultipart(t.app, { url: '/admin/updates/1/return', formUrl: '/sign-out', cookie: team, fields: { version: '1', comment: 'x' }, files: [{ name: 'a.pdf', bytes: SAMPLE_FILES.pdf }] });
    assert.equal(elsewhere.statusCode, 415);
    // A file of another update cannot be removed through this one.
    const stranger = await upload([], { version, remove: '999999' });
    assert.equal(stranger.statusCode, 400);
    assert.match(pageText(stranger.body), /A file you chose to remove is not part of this update any more/);
    assert.equal((await stored()).length, 5);
  });

  it('keeps the files through submit, return, resubmit and publish; then they are public and fixed', async () => {
    const files = await stored();
    const submitted = await upload([], { version: await currentVersion(), action: 'submit', remove: String(files[1]!.id) });
    assert.equal(submitted.statusCode, 303, submitted.body);
    const locked = await t.app.inject({ url: form, headers: { cookie: reporter } });
    assert.match(pageText(section(locked.body, 'evidence-files')), /Draft guidance\.pdf \(PDF, \d+ bytes\)/);
    assert.doesNotMatch(locked.body, /chart\.png/, 'the removed file is gone');

    const updateId = files[0]!.update_id;
    const review = await t.app.inject({ url: `/admin/updates/${updateId}`, headers: { cookie: team } });
    assert.match(pageText(section(review.body, 'evidence-files')), /Draft guidance\.pdf \(PDF, \d+ bytes\) photo\.jpg \(JPEG image, 14 bytes\) data\.csv \(CSV, \d+ bytes\) notes\.txt \(Plain text, \d+ bytes\)/);
    const returned = await submitForm(t.app, { url: `/admin/updates/${updateId}/return`, formUrl: `/admin/updates/${updateId}`, cookie: team, fields: { version: versionOf(review.body), comment: 'Add the final figures.' } });
    assert.equal(returned.statusCode, 303);
    assert.equal((await t.app.inject(fileUrl(files[0]!))).statusCode, 303, 'returned is not public');

    const resubmitted = await upload([{ name: 'Final figures ’25.xlsx', bytes: SAMPLE_FILES.xlsx }], { version: await currentVersion(), action: 'submit' });
    assert.equal(resubmitted.statusCode, 303, resubmitted.body);
    const again = await t.app.inject({ url: `/admin/updates/${updateId}`, headers: { cookie: team } });
    const published = await submitForm(t.app, { url: `/admin/updates/${updateId}/publish`, formUrl: `/admin/updates/${updateId}`, cookie: team, fields: { version: versionOf(again.body) } });
    assert.equal(published.statusCode, 303);

    const final = await stored();
    assert.deepEqual(final.map((f) => f.filename), ['Draft guidance.pdf', 'photo.jpg', 'data.csv', 'notes.txt', 'Final figures ’25.xlsx']);
    assert.ok(final.every((f) => f.update_id === updateId));
    // Public now, and cacheable.
    const download = await t.app.inject(fileUrl(final[4]!));
    assert.equal(download.statusCode, 200);
    assert.equal(download.headers['cache-control'], 'public, max-age=86400');
    assert.equal(download.headers['content-disposition'], `attachment; filename="Final figures _25.xlsx"; filename*=UTF-8''Final%20figures%20%E2%80%9925.xlsx`);
    assert.equal((await t.app.inject({ url: fileUrl(final[4]!), headers: { 'if-none-match': `"${final[4]!.sha256}"` } })).statusCode, 304);

    const item = await t.app.inject('/recommendations/AR-06');
    const timeline = pageText(section(item.body, 'timeline'));
    assert.match(timeline, /Draft guidance\.pdf \(PDF, \d+ bytes\)/);
    assert.match(timeline, /Final figures ’25\.xlsx \(Excel spreadsheet, \d+ bytes\)/);
    assert.match(item.body, new RegExp(`href="/evidence/${final[4]!.id}/Final%20figures%20%E2%80%9925\\.xlsx"`));

    const api = (await t.app.inject('/api/v1/items/AR-06/updates')).json<{ data: { files: { name: string; type: string; size: number; url: string }[] }[] }>();
    assert.deepEqual(api.data[0]!.files[0], { name: 'Draft guidance.pdf', type: 'application/pdf', size: SAMPLE_FILES.pdf.length, url: fileUrl(final[0]!) });
    assert.equal(api.data[0]!.files.length, 5);
    const openapi = (await t.app.inject('/api/v1/openapi.json')).json<{ components: { schemas: { ItemUpdates: { properties: { data: { items: { properties: Record<string, unknown> } } } } } } }>();
    assert.ok(openapi.components.schemas.ItemUpdates.properties.data.items.properties.files, 'the OpenAPI document describes the files');

    // Published files cannot be removed: the next update is a new draft, and they are not its files.
    const removeLater = await upload([], { remove: String(final[0]!.id) });
    assert.equal(removeLater.statusCode, 400);
    assert.equal((await stored()).length, 5);
  });

  it('records every upload and removal in the audit trail, with metadata and never the bytes', async () => {
    const events = await queryRows<{ action: string; object_id: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null }>(
      t.database.db,
      sql`select action, object_id, before, after from audit_events where object_type = 'progress_evidence_file' order by id`,
    );
    assert.deepEqual(
      events.map((e) => e.action),
      [...Array<string>(5).fill('progress_evidence.uploaded'), 'progress_evidence.removed', 'progress_evidence.removed', 'progress_evidence.uploaded', 'progress_evidence.uploaded', 'progress_evidence.removed', 'progress_evidence.uploaded'],
    );
    const first = events[0]!.after!;
    assert.deepEqual(Object.keys(first).sort(), ['contentType', 'filename', 'item', 'organisation', 'sha256', 'size', 'update']);
    assert.equal(first.filename, 'Draft guidance.pdf');
    assert.equal(first.sha256, createHash('sha256').update(SAMPLE_FILES.pdf).digest('hex'));
    const removed = events[5]!.before!;
    assert.equal(removed.filename, 'letter.docx');
    assert.ok(events.every((e) => JSON.stringify(e).length < 1000), 'no file contents in the audit trail');
  });
});
