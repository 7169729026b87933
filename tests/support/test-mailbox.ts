import { SMTPServer } from 'smtp-server';
import { freePort } from './free-port.js';

export interface ReceivedMail {
  /** The SMTP envelope's recipients. */
  to: string[];
  from: string;
  subject: string;
  /** The decoded plain-text body. */
  text: string;
  /** The message as it arrived, headers included. */
  raw: string;
  /** The credentials the client logged in with. */
  username: string;
}

export interface TestMailbox {
  /** SMTP_URL for the app: `smtp://<user>:<password>@127.0.0.1:<port>`. */
  url: string;
  password: string;
  received: ReceivedMail[];
  /** The next (or an already received, not yet taken) message for the address; fails after a few seconds. */
  next(to: string, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/**
 * A real SMTP server (npm smtp-server) on a free local port, demanding the
 * credentials in its URL, so a test receives exactly what nodemailer sent
 * over the wire. Plain SMTP on loopback: STARTTLS is not offered.
 */
export async function startTestMailbox(): Promise<TestMailbox> {
  const port = await freePort();
  const username = 'chronicle';
  const password = `smtp-secret-${Math.random().toString(36).slice(2)}`;
  const received: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const waiters = new Set<() => void>();

  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === username && auth.password === password) callback(null, { user: username });
      else callback(new Error('invalid credentials'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({
          ...parseMessage(raw),
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          raw,
          username: String(session.user ?? ''),
        });
        for (const wake of waiters) wake();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

  const find = (to: string) => received.find((mail) => !taken.has(mail) && mail.to.includes(to));
  return {
    url: `smtp://${username}:${password}@127.0.0.1:${port}`,
    password,
    received,
    async next(to, timeoutMs = 10_000) {
      const found = find(to) ?? (await waitFor(() => find(to), timeoutMs, waiters, () => `no mail to ${to}; received: ${received.map((mail) => `${mail.to.join(',')} "${mail.subject}"`).join('; ') || 'nothing'}`));
      taken.add(found);
      return found;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function waitFor<T>(find: () => T | undefined, timeoutMs: number, waiters: Set<() => void>, describe: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const wake = () => {
      const found = find();
      if (found === undefined) return;
      clearTimeout(timer);
      waiters.delete(wake);
      resolve(found);
    };
    const timer = setTimeout(() => {
      waiters.delete(wake);
      reject(new Error(describe()));
    }, timeoutMs);
    waiters.add(wake);
  });
}

/** Enough of RFC 5322 and MIME for nodemailer's single-part plain-text messages. */
function parseMessage(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  const text = encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : encoding === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : body;
  return { subject: header('Subject'), text: text.replace(/\r\n/g, '\n') };
}

function decodeQuotedPrintable(text: string): string {
  // Literal % first, so that only the =XX escapes become percent-escapes.
  const escaped = text.replace(/=\r?\n/g, '').replace(/%/g, '%25').replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => `%${hex}`);
  return decodeURIComponent(escaped);
}

/** The one link in a message. */
export function linkIn(mail: ReceivedMail): URL {
  const links = mail.text.match(/https?:\/\/\S+/g) ?? [];
  if (links.length !== 1) throw new Error(`expected one link in "${mail.subject}", found ${links.length}: ${mail.text}`);
  return new URL(links[0] ?? '');
}
