import { ACCOUNT_PAGES_SCRIPT, accountPage } from './account-pages';

describe('account pages', () => {
  it('the verification page has its kind, a confirm button, no referrer and the script', () => {
    const html = accountPage('verify');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<body data-kind="verify">');
    expect(html).toContain('<h1>Confirm your e-mail address</h1>');
    expect(html).toContain('<button id="go" type="button">Confirm my e-mail address</button>');
    expect(html).toContain('<meta name="referrer" content="no-referrer">');
    expect(html).toContain('<p id="result" role="status"></p>');
    expect(html).toContain('<script src="/account-pages.js"></script>');
    expect(html).not.toContain('type="password"');
  });

  it('the reset page asks for a new password within the policy lengths', () => {
    const html = accountPage('reset');
    expect(html).toContain('<body data-kind="reset">');
    expect(html).toContain('<h1>Choose a new password</h1>');
    expect(html).toContain(
      '<input id="password" type="password" autocomplete="new-password" minlength="12" maxlength="128">',
    );
    expect(html).toContain('<button id="go" type="button">Set the new password</button>');
  });

  it('the script takes the token from the fragment, drops it from the address bar and posts it', () => {
    expect(ACCOUNT_PAGES_SCRIPT).toContain(
      "new URLSearchParams(location.hash.slice(1)).get('token')",
    );
    expect(ACCOUNT_PAGES_SCRIPT).toContain("history.replaceState(null, '', location.pathname)");
    expect(ACCOUNT_PAGES_SCRIPT).toContain("'/auth/verify-email' : '/auth/password-reset/confirm'");
  });
});
