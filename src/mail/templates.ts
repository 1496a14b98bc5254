import type { MailParams, MailTemplate } from './mail.types';

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A link to one of the account pages; the token rides in the fragment, never sent to a server on GET. */
export function accountLink(
  appBaseUrl: string,
  page: 'verify-email' | 'reset-password',
  token: string,
) {
  return `${appBaseUrl}/${page}#token=${encodeURIComponent(token)}`;
}

interface Template {
  subject: string;
  /** Paragraphs; `{name}` placeholders are filled from the params (escaped in HTML). */
  paragraphs: string[];
  /** The param holding the call-to-action link, if any, and its button text. */
  action?: { param: string; label: string };
}

const TEMPLATES: Record<MailTemplate, Template> = {
  verify_email: {
    subject: 'Confirm your e-mail address',
    paragraphs: [
      'Hello {username},',
      'please confirm that {email} is your e-mail address by opening this link (valid for 24 hours):',
      'If you did not create an account or change your address, ignore this mail.',
    ],
    action: { param: 'link', label: 'Confirm my e-mail address' },
  },
  email_changed: {
    subject: 'Your e-mail address was changed',
    paragraphs: [
      'Hello {username},',
      'the e-mail address of your account was changed from {old_email} to {new_email}.',
      'If you did not do this, reset your password at once and contact support.',
    ],
  },
  password_reset: {
    subject: 'Reset your password',
    paragraphs: [
      'Hello {username},',
      'someone asked to reset the password of your account. Open this link to choose a new one (valid for 30 minutes; only the newest link works):',
      'If it was not you, ignore this mail: your password stays as it is.',
    ],
    action: { param: 'link', label: 'Choose a new password' },
  },
  password_changed: {
    subject: 'Your password was changed',
    paragraphs: [
      'Hello {username},',
      'the password of your account was reset at {changed_at}, and every session was signed out.',
      'If you did not do this, reset your password again at once and contact support.',
    ],
  },
};

const fill = (text: string, params: MailParams, escape: (s: string) => string) =>
  text.replace(/\{([a-z_]+)\}/g, (_, name: string) => escape(params[name] ?? ''));

/** Plain-text and HTML bodies of one mail. */
export function renderMail(template: MailTemplate, params: MailParams): RenderedMail {
  const t = TEMPLATES[template];
  const link = t.action ? params[t.action.param] : undefined;
  const textParts = t.paragraphs.map((p) => fill(p, params, (s) => s));
  const htmlParts = t.paragraphs.map((p) => `<p>${fill(p, params, escapeHtml)}</p>`);
  if (link && t.action) {
    textParts.splice(2, 0, link);
    htmlParts.splice(
      2,
      0,
      `<p><a href="${escapeHtml(link)}">${escapeHtml(t.action.label)}</a></p>`,
    );
  }
  return {
    subject: t.subject,
    text: `${textParts.join('\n\n')}\n`,
    html: `<!doctype html><html><body>${htmlParts.join('')}</body></html>`,
  };
}
