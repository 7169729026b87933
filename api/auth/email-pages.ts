import { createHash } from 'node:crypto';
import type { Response } from 'express';

/**
 * The two pages mail links open. The token rides in the URL's fragment,
 * which browsers never send to a server, so it reaches no access log, proxy
 * or Referer header; the page's script reads it, drops it from the address
 * bar and POSTs it to the API. Nothing happens until the person presses the
 * button: mail scanners that open links (and some run their scripts) must
 * not use up a reset link or confirm an address for someone else. The API is
 * called by relative URLs, so the pages also work behind a path prefix.
 */
interface Page {
  html: string;
  csp: string;
}

const VERIFY_SCRIPT = `
const token = new URLSearchParams(location.hash.slice(1)).get('token');
history.replaceState(null, '', location.pathname);
const status = document.getElementById('status');
const button = document.getElementById('confirm');
if (!token) { status.textContent = 'This link is incomplete: open the link from the mail again.'; button.hidden = true; }
button.addEventListener('click', async () => {
  button.disabled = true;
  const response = await fetch('verify-email', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  const body = await response.json().catch(() => ({}));
  status.textContent = response.ok ? 'Your address is confirmed. You can close this page.' : (body.error && body.error.message) || 'That did not work; try again.';
  button.hidden = response.ok;
  button.disabled = false;
});
`;

const RESET_SCRIPT = `
const token = new URLSearchParams(location.hash.slice(1)).get('token');
history.replaceState(null, '', location.pathname);
const status = document.getElementById('status');
const form = document.getElementById(token ? 'choose' : 'ask');
form.hidden = false;
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const field = form.querySelector('input');
  const body = token ? { token, newPassword: field.value } : { email: field.value };
  const response = await fetch(token ? 'password-reset/confirm' : 'password-reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await response.json().catch(() => ({}));
  if (response.ok) form.hidden = true;
  status.textContent = response.ok
    ? (token ? 'Your password is set, and every device was signed out. Sign in with the new password.' : 'If the address has an account, a link is on its way.')
    : (answer.error && answer.error.message) || 'That did not work; try again.';
});
`;

export const verifyEmailPage = page(
  'Confirm your email',
  `<p id="status">Press the button to confirm that this address is yours.</p>
<button id="confirm" type="button">Confirm my address</button>`,
  VERIFY_SCRIPT,
);

export const passwordResetPage = page(
  'Reset your password',
  `<p id="status"></p>
<form id="ask" hidden><label>Your email <input type="email" autocomplete="email" required></label> <button>Send me a link</button></form>
<form id="choose" hidden><label>New password <input type="password" autocomplete="new-password" minlength="8" required></label> <button>Set the password</button></form>`,
  RESET_SCRIPT,
);

export function sendPage(res: Response, { html, csp }: Page): void {
  res
    .set({ 'Content-Security-Policy': csp, 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
    .type('html')
    .send(html);
}

function page(title: string, body: string, script: string): Page {
  // The script is allowed by its hash: nothing injected into the page could run.
  const hash = createHash('sha256').update(script).digest('base64');
  return {
    html: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body><main><h1>${title}</h1>
${body}
</main><script>${script}</script></body></html>
`,
    csp: `default-src 'none'; script-src 'sha256-${hash}'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  };
}
