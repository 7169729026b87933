/**
 * Realistic-looking demo data, the same on every run: names, titles and
 * paragraphs drawn from small word lists by a seeded generator, so that a
 * second run asks for exactly what the first created.
 */

const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Katherine', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Frances', 'Edsger', 'Radia', 'Tim', 'Hedy', 'Donald', 'Sophie'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson', 'Allen', 'Dijkstra', 'Perlman', 'Berners-Lee', 'Lamarr', 'Knuth', 'Wilson'];
const TENANTS = ['Northwind Press', 'Globex Journal', 'Initech Notes', 'Umbrella Review', 'Hooli Letters', 'Vandelay Papers'];
const SUBJECTS = ['event sourcing', 'the read model', 'a projection', 'the outbox', 'idempotency', 'the audit trail', 'schema evolution', 'a replay', 'backpressure', 'the write path', 'consistency', 'the command handler'];
const VERBS = ['rethinking', 'measuring', 'debugging', 'explaining', 'shipping', 'taming', 'testing', 'sketching'];
const SENTENCES = [
  'Every change is recorded as an event, so the history is never lost.',
  'Read models are rebuilt from the log whenever their shape changes.',
  'A checkpoint stored in the same transaction keeps the projection honest.',
  'The decider stays pure: the clock and the ids arrive with the command.',
  'Concurrency conflicts are retried on fresh state rather than lost.',
  'Deterministic ids make a reaction safe to run twice.',
  'We measured the append rate before and after the change.',
  'Cursors stay opaque, so clients cannot do arithmetic on them.',
  'A private resource answers 404 to strangers, so its existence does not leak.',
  'Upcasters turn yesterday’s events into today’s shape as they are read.',
  'The benchmark ran for twenty seconds at a concurrency of thirty-two.',
  'Nobody reads another tenant’s data, whatever the query says.',
];
const COLLECTION_NAMES = ['Reading list', 'Team picks', 'Design notes', 'Release log', 'Onboarding', 'Postmortems', 'Ideas', 'Best of the quarter'];

/** mulberry32: small, fast and deterministic; not for secrets. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

export function tenantName(index: number): string {
  const base = TENANTS[index % TENANTS.length] ?? 'Demo';
  return index < TENANTS.length ? base : `${base} ${Math.floor(index / TENANTS.length) + 1}`;
}

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export interface DemoPerson {
  displayName: string;
  email: string;
}

export function person(index: number, tenantIndex: number): DemoPerson {
  const first = FIRST_NAMES[index % FIRST_NAMES.length] ?? 'Demo';
  const last = LAST_NAMES[Math.floor(index / FIRST_NAMES.length + index) % LAST_NAMES.length] ?? 'User';
  return { displayName: `${first} ${last}`, email: `${slug(first)}.${slug(last)}.${index}@${slug(tenantName(tenantIndex))}.example` };
}

export interface DemoPost {
  title: string;
  body: string;
  format: 'markdown' | 'plain';
  visibility: 'private' | 'public';
}

export function post(index: number): DemoPost {
  const random = seededRandom(index + 1);
  const verb = pick(random, VERBS);
  const title = `${verb.charAt(0).toUpperCase()}${verb.slice(1)} ${pick(random, SUBJECTS)}`;
  const paragraphs = Array.from({ length: 2 + Math.floor(random() * 3) }, () =>
    Array.from({ length: 2 + Math.floor(random() * 4) }, () => pick(random, SENTENCES)).join(' '),
  );
  const markdown = random() < 0.5;
  return {
    title,
    body: markdown ? `# ${title}\n\n${paragraphs.join('\n\n')}` : paragraphs.join('\n\n'),
    format: markdown ? 'markdown' : 'plain',
    visibility: random() < 0.4 ? 'public' : 'private',
  };
}

export function collectionName(index: number): string {
  const base = COLLECTION_NAMES[index % COLLECTION_NAMES.length] ?? 'Collection';
  return index < COLLECTION_NAMES.length ? base : `${base} ${Math.floor(index / COLLECTION_NAMES.length) + 1}`;
}
