// Following by email: the forms (an item's, linked from its page; a theme's, linked from the
// recommendations filtered by that theme), the "check your email" page, the confirmation link
// (a button, and the choice of how often, so mail scanners opening links confirm nothing), the
// preferences page every email links to, and the stop and unsubscribe links, which also take
// RFC 8058 one-click posts from mail clients.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { NotFoundError } from '../../platform/http/errors.ts';
import { formState, parseForm } from '../../platform/http/forms.ts';
import { actorFor } from '../accounts/routes.ts';
import { itemCodeParams } from '../strategy/forms.ts';
import { confirmForm, followForm, linkParams, preferencesForm, themeParams } from './forms.ts';
import type { FollowFrequency } from './schema.ts';
import { CONFIRM_HOURS, FREQUENCY_LABELS, type Followed, type FollowingService, type FollowTarget, type Preferences } from './service.ts';

type Gone = 'confirm' | 'stop' | 'preferences';

const GONE_TITLES: Record<Gone, string> = {
  confirm: 'This link has expired or has been used',
  stop: 'You are not following this',
  preferences: 'This address is not following anything',
};

export async function followingRoutes(app: FastifyInstance, { following, rateLimit }: { following: FollowingService; rateLimit: number }): Promise<void> {
  const access = 'items.follow' as const;
  const limited = { access, rateLimit: { max: rateLimit, timeWindow: '1 minute' } };
  const frequencies = Object.entries(FREQUENCY_LABELS).map(([value, text]) => ({ value, text }));
  // These pages show an email address to whoever holds the link: nothing keeps a copy.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  const itemFor = async (params: unknown): Promise<Followed> => {
    const parsed = itemCodeParams.safeParse(params);
    const target = parsed.success ? await following.item(parsed.data.code) : undefined;
    if (!target) throw new NotFoundError('item');
    return target;
  };

  const themeFor = async (params: unknown): Promise<Followed> => {
    const parsed = themeParams.safeParse(params);
    const target = parsed.success ? await following.theme(parsed.data.slug) : undefined;
    if (!target) throw new NotFoundError('theme');
    return target;
  };

  const linkToken = (params: unknown): string | undefined => {
    const parsed = linkParams.safeParse(params);
    return parsed.success ? parsed.data.token : undefined;
  };

  const gone = (reply: FastifyReply, kind: Gone) => reply.page('following/views/message.njk', { title: GONE_TITLES[kind], kind: `${kind}-gone`, confirmHours: CONFIRM_HOURS }, { status: 404 });

  const followTitle = (target: Followed) => `Get emails about ${target.label}`;

  /** The follow form for an item or a theme, and what posting it does. */
  const followRoutes = (url: string, targetFor: (params: unknown) => Promise<Followed>) => {
    app.get(url, { config: { access } }, async (request, reply) => {
      const target = await targetFor(request.params);
      return reply.page('following/views/follow.njk', { title: followTitle(target), target, confirmHours: CONFIRM_HOURS, ...formState({}, []) });
    });

    app.post(url, { config: limited }, async (request, reply) => {
      const target = await targetFor(request.params);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const { data, problems } = parseForm(followForm, body);
      if (!data) {
        return reply.page('following/views/follow.njk', { title: followTitle(target), target, confirmHours: CONFIRM_HOURS, ...formState({ email: typeof body.email === 'string' ? body.email : '' }, problems) }, { status: 400 });
      }
      await following.request(actorFor(request), target, data.email);
      // The same page whether the address is new, waiting or already following.
      return reply.page('following/views/message.njk', { title: 'Check your email', kind: 'sent', target, email: data.email, confirmHours: CONFIRM_HOURS });
    });
  };

  followRoutes('/recommendations/:code/follow', itemFor);
  followRoutes('/follow/theme/:slug', themeFor);

  const confirmPage = (reply: FastifyReply, token: string, found: FollowTarget, values: Record<string, unknown>, problems: { field: string; message: string }[] = []) =>
    reply.page(
      'following/views/action.njk',
      { title: `Confirm emails about ${found.target.label}`, kind: 'confirm', found, frequencies, action: `/follow/confirm/${token}`, ...formState(values, problems) },
      { status: problems.length ? 400 : 200 },
    );

  app.get('/follow/confirm/:token', { config: { access } }, async (request, reply) => {
    const token = linkToken(request.params);
    const found = token ? await following.confirmation(token) : undefined;
    if (!token || !found) return gone(reply, 'confirm');
    return confirmPage(reply, token, found, { frequency: 'each' });
  });

  app.post('/follow/confirm/:token', { config: limited }, async (request, reply) => {
    const token = linkToken(request.params);
    const found = token ? await following.confirmation(token) : undefined;
    if (!token || !found) return gone(reply, 'confirm');
    const body = (request.body ?? {}) as Record<string, unknown>;
    const { data, problems } = parseForm(confirmForm, body);
    if (!data) return confirmPage(reply, token, found, {}, problems);
    const confirmed = await following.confirm(actorFor(request), token, data.frequency);
    if (!confirmed) return gone(reply, 'confirm');
    return reply.page('following/views/message.njk', {
      title: `You are following ${confirmed.target.label}`,
      kind: 'confirmed',
      target: confirmed.target,
      frequency: confirmed.follower.frequency,
      preferencesHref: `/follow/preferences/${confirmed.addressToken}`,
    });
  });

  app.get('/follow/stop/:token', { config: { access } }, async (request, reply) => {
    const token = linkToken(request.params);
    const found = token ? await following.stopTarget(token) : undefined;
    if (!token || !found) return gone(reply, 'stop');
    return reply.page('following/views/action.njk', { title: `Stop emails about ${found.target.label}?`, kind: 'stop', found, action: `/follow/stop/${token}` });
  });

  // The token in the address is the proof: mail clients post here with no form and no cookie
  // (RFC 8058 one-click, in emails sent before there were preferences), so no CSRF token.
  app.post('/follow/stop/:token', { config: { ...limited, signedLink: true } }, async (request, reply) => {
    const token = linkToken(request.params);
    const found = token ? await following.stopTarget(token) : undefined;
    const stopped = token && found ? await following.stop(actorFor(request), token) : undefined;
    if (!found || !stopped) return gone(reply, 'stop');
    return reply.page('following/views/message.njk', {
      title: `You will not get more emails about ${found.target.label}`,
      kind: 'stopped',
      target: found.target,
      preferencesHref: stopped.addressToken ? `/follow/preferences/${stopped.addressToken}` : null,
    });
  });

  const preferencesPage = (reply: FastifyReply, token: string, preferences: Preferences, values: Record<string, unknown>, problems: { field: string; message: string }[] = []) =>
    reply.page(
      'following/views/preferences.njk',
      { title: 'Your emails about the strategy', preferences, frequencies, frequencyLabels: FREQUENCY_LABELS, token, ...formState(values, problems) },
      { status: problems.length ? 400 : 200 },
    );

  const currentChoices = (preferences: Preferences) => Object.fromEntries(preferences.follows.map((f) => [`frequency-${f.follower.id}`, f.follower.frequency]));

  app.get('/follow/preferences/:token', { config: { access } }, async (request, reply) => {
    const token = linkToken(request.params);
    const preferences = token ? await following.preferences(token) : undefined;
    if (!token || !preferences) return gone(reply, 'preferences');
    return preferencesPage(reply, token, preferences, currentChoices(preferences));
  });

  app.post('/follow/preferences/:token', { config: limited }, async (request, reply) => {
    const token = linkToken(request.params);
    const preferences = token ? await following.preferences(token) : undefined;
    if (!token || !preferences) return gone(reply, 'preferences');
    const body = (request.body ?? {}) as Record<string, unknown>;
    const { data, problems } = parseForm(preferencesForm(preferences.follows.map((f) => ({ id: f.follower.id, label: f.target.label }))), body);
    if (!data) return preferencesPage(reply, token, preferences, { ...currentChoices(preferences), ...body }, problems);
    const choices = new Map(preferences.follows.map((f) => [f.follower.id, data[`frequency-${f.follower.id}`] as FollowFrequency]));
    const changed = await following.setFrequencies(actorFor(request), token, choices);
    if (changed === undefined) return gone(reply, 'preferences');
    return reply.flash(changed ? 'Your choices are saved' : 'Nothing changed: your choices were already saved').redirect(`/follow/preferences/${token}`, 303);
  });

  app.get('/follow/unsubscribe/:token', { config: { access } }, async (request, reply) => {
    const token = linkToken(request.params);
    const preferences = token ? await following.preferences(token) : undefined;
    if (!token || !preferences) return gone(reply, 'preferences');
    return reply.page('following/views/action.njk', { title: 'Unsubscribe from all these emails?', kind: 'unsubscribe', preferences, action: `/follow/unsubscribe/${token}` });
  });

  // One-click unsubscribe (RFC 8058): every email's List-Unsubscribe header points here. The
  // token in the address is the proof, so no CSRF token; the preferences page's button posts here too.
  app.post('/follow/unsubscribe/:token', { config: { ...limited, signedLink: true } }, async (request, reply) => {
    const token = linkToken(request.params);
    const done = token ? await following.unsubscribe(actorFor(request), token) : undefined;
    if (!done) return gone(reply, 'preferences');
    return reply.page('following/views/message.njk', { title: 'You are unsubscribed', kind: 'unsubscribed' });
  });
}
